/**
 * The worker side of the protocol. It knows nothing of its transport: give it anything with postMessage and
 * message events (a DedicatedWorkerGlobalScope in the browser, a MessagePort in Node tests).
 */
import {
  CancelledError,
} from '../core/errors.ts';
import {
  serializeError,
  takeTransfer,
  reviveError,
  type ApiMap,
  type Endpoint,
  type FromWorker,
  type HostApi,
  type HostPartial,
  type Progress,
  type RequestOf,
  type ToWorker,
} from './protocol.ts';

export interface CallContext {
  /** Aborted when the page sends `cancel` for this call (a terminated worker simply stops). */
  signal: AbortSignal;
  progress(progress: Progress): void;
  /** Ask the page to do something for this call (e.g. run fits on the pool). */
  host<K extends keyof HostApi>(
    type: K,
    request: HostApi[K]['request'],
    transfer?: Transferable[],
    onPartial?: (value: HostPartial<K>) => void,
  ): Promise<HostApi[K]['response']>;
}

export type Handlers<Api extends ApiMap> = {
  [K in keyof Api]: (request: RequestOf<Api, K>, context: CallContext) => Promise<Api[K]['response']>;
};

export function serve<Api extends ApiMap>(endpoint: Endpoint, handlers: Handlers<Api>): void {
  const running = new Map<number, AbortController>();
  const hostCalls = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; onPartial?: (v: never) => void }>();
  let nextCallId = 1;

  const post = (message: FromWorker, transfer: Transferable[] = []) => endpoint.postMessage(message, transfer);

  endpoint.addEventListener('message', (event: MessageEvent) => {
    const message = event.data as ToWorker;
    switch (message.kind) {
      case 'call':
        void run(message.id, message.request);
        break;
      case 'cancel':
        running.get(message.id)?.abort(new CancelledError());
        break;
      case 'host-partial':
        hostCalls.get(message.callId)?.onPartial?.(message.value as never);
        break;
      case 'host-reply': {
        const pending = hostCalls.get(message.callId);
        if (!pending) break;
        hostCalls.delete(message.callId);
        if (message.ok) pending.resolve(message.value);
        else pending.reject(reviveError(message.error));
        break;
      }
    }
  });
  endpoint.start?.();

  async function run(id: number, request: { type: string } & Record<string, unknown>): Promise<void> {
    const controller = new AbortController();
    running.set(id, controller);
    const context: CallContext = {
      signal: controller.signal,
      progress: (progress) => post({ kind: 'progress', id, progress }),
      host: (type, hostRequest, transfer = [], onPartial) =>
        new Promise((resolve, reject) => {
          const callId = nextCallId++;
          hostCalls.set(callId, { resolve: resolve as (v: unknown) => void, reject, onPartial: onPartial as ((v: never) => void) | undefined });
          post({ kind: 'host-call', id, callId, request: { type, ...hostRequest } }, transfer);
        }),
    };
    try {
      const handler = (handlers as Record<string, (r: unknown, c: CallContext) => Promise<unknown>>)[request.type];
      if (!handler) throw new Error(`worker: unknown request type ${request.type}`);
      const value = await handler(request, context);
      controller.signal.throwIfAborted();
      post({ kind: 'result', id, value }, takeTransfer(value));
    } catch (error) {
      post({ kind: 'error', id, error: serializeError(controller.signal.aborted ? new CancelledError() : error) });
    } finally {
      running.delete(id);
    }
  }
}
