/**
 * The page side of the protocol (Squoosh's worker bridge): a worker is spawned on first use; every call takes an
 * AbortSignal, and aborting TERMINATES the worker — the only way to give back wasm memory, which never shrinks.
 * A worker that crashes (uncaught error, wasm panic) is dropped and respawned by the next call; the calls it was
 * running fail with the error, nothing else is touched.
 */
import { CancelledError } from '../core/errors.ts';
import {
  WorkerCrashError,
  isFatalWorkerError,
  reviveError,
  serializeError,
  takeTransfer,
  type ApiMap,
  type Endpoint,
  type FromWorker,
  type HostApi,
  type Progress,
  type ToWorker,
} from './protocol.ts';

/** A Worker, or anything that behaves like one (a MessagePort plus a terminate in tests). */
export interface WorkerLike extends Endpoint {
  terminate(): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  addEventListener(type: 'error' | 'messageerror', listener: (event: Event) => void): void;
}

export interface HostContext {
  signal: AbortSignal;
  progress(progress: Progress): void;
  /** Send part of the answer ahead of it (the worker's `onPartial` gets it at once). */
  partial?(value: unknown, transfer?: Transferable[]): void;
}

export type HostHandlers = {
  [K in keyof HostApi]?: (request: HostApi[K]['request'], context: HostContext) => Promise<HostApi[K]['response']>;
};

export interface CallOptions {
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  transfer?: Transferable[];
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress?: (progress: Progress) => void;
  /** Aborted when the call ends one way or another: stops host work done on its behalf. */
  scope: AbortController;
}

export interface WorkerClientOptions {
  name: string;
  host?: HostHandlers;
  /** Told when the worker died on its own (not by cancel), with the error shown to the user. */
  onCrash?: (error: Error) => void;
  /** End the worker after this long without calls (its wasm memory goes with it); never when omitted. */
  idleTimeoutMs?: number;
}

export class WorkerClient<Api extends ApiMap> {
  private worker: WorkerLike | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly spawn: () => WorkerLike,
    private readonly options: WorkerClientOptions,
  ) {}

  /** Whether a worker is alive right now (spawned and not terminated). */
  get alive(): boolean {
    return this.worker !== null;
  }

  call<K extends keyof Api & string>(type: K, request: Api[K]['request'], options: CallOptions = {}): Promise<Api[K]['response']> {
    const { signal, onProgress, transfer = [] } = options;
    if (signal?.aborted) return Promise.reject(new CancelledError());
    const worker = this.ensureWorker();
    this.clearIdle();
    const id = this.nextId++;
    return new Promise<Api[K]['response']>((resolve, reject) => {
      const scope = new AbortController();
      const onAbort = () => {
        // Terminating is the point: the worker's wasm memory goes with it. Its other calls are cancelled too.
        this.terminate(new CancelledError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => {
        signal?.removeEventListener('abort', onAbort);
        scope.abort(new CancelledError());
        this.pending.delete(id);
        this.armIdle();
      };
      this.pending.set(id, {
        resolve: (value) => {
          done();
          resolve(value as Api[K]['response']);
        },
        reject: (error) => {
          done();
          reject(error);
        },
        onProgress,
        scope,
      });
      const message: ToWorker = { kind: 'call', id, request: { ...(request as object), type } as { type: string } & Record<string, unknown> };
      try {
        worker.postMessage(message, transfer);
      } catch (error) {
        this.pending.get(id)?.reject(error as Error);
        this.pending.delete(id);
      }
    });
  }

  private clearIdle(): void {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private armIdle(): void {
    this.clearIdle();
    const ms = this.options.idleTimeoutMs;
    if (ms === undefined || this.pending.size > 0 || !this.worker) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.pending.size === 0) this.terminate();
    }, ms);
  }

  /** End the worker now; every call it was running is rejected with `reason` (cancelled by default). */
  terminate(reason: Error = new CancelledError()): void {
    this.clearIdle();
    const worker = this.worker;
    this.worker = null;
    if (worker) worker.terminate();
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(reason);
  }

  private ensureWorker(): WorkerLike {
    if (this.worker) return this.worker;
    const worker = this.spawn();
    this.worker = worker;
    worker.addEventListener('message', (event: MessageEvent) => {
      if (this.worker === worker) this.onMessage(worker, event.data as FromWorker);
    });
    const crash = (event: Event) => {
      if (this.worker !== worker) return;
      const detail = (event as ErrorEvent).message || (event as ErrorEvent).error?.message || event.type;
      const error = new WorkerCrashError(`${this.options.name} worker stopped: ${detail}`);
      event.preventDefault?.();
      this.terminate(error);
      this.options.onCrash?.(error);
    };
    worker.addEventListener('error', crash);
    worker.addEventListener('messageerror', crash);
    worker.start?.();
    return worker;
  }

  private onMessage(worker: WorkerLike, message: FromWorker): void {
    const pending = this.pending.get(message.id);
    switch (message.kind) {
      case 'progress':
        pending?.onProgress?.(message.progress);
        break;
      case 'result':
        this.pending.delete(message.id);
        pending?.resolve(message.value);
        break;
      case 'error': {
        this.pending.delete(message.id);
        const error = reviveError(message.error);
        if (isFatalWorkerError(message.error)) {
          // A wasm trap leaves the module's memory in an unknown state: never reuse this worker.
          this.terminate(error);
          this.options.onCrash?.(error);
        }
        pending?.reject(error);
        break;
      }
      case 'host-call':
        void this.answerHost(worker, message.callId, message.request, pending);
        break;
    }
  }

  private async answerHost(worker: WorkerLike, callId: number, request: { type: string } & Record<string, unknown>, pending: Pending | undefined): Promise<void> {
    let reply: ToWorker;
    let transfer: Transferable[] = [];
    try {
      if (!pending) throw new CancelledError();
      const handler = (this.options.host as Record<string, ((r: unknown, c: HostContext) => Promise<unknown>) | undefined> | undefined)?.[request.type];
      if (!handler) throw new Error(`${this.options.name}: no host handler for ${request.type}`);
      const partial = (value: unknown, partialTransfer: Transferable[] = []) => {
        if (this.worker === worker) worker.postMessage({ kind: 'host-partial', callId, value } satisfies ToWorker, partialTransfer);
      };
      const value = await handler(request, { signal: pending.scope.signal, progress: (p) => pending.onProgress?.(p), partial });
      transfer = takeTransfer(value);
      reply = { kind: 'host-reply', callId, ok: true, value };
    } catch (error) {
      reply = { kind: 'host-reply', callId, ok: false, error: serializeError(error) };
    }
    if (this.worker === worker) worker.postMessage(reply, transfer);
  }
}
