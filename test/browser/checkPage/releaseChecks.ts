// The release checks (test/browser/release.test.ts): buffers that crossed a postMessage or came from
// Blob.arrayBuffer(), released with src/core/release.ts, in the page and in a dedicated worker.
import { release } from '../../../src/core/release';

export type WorkerOrder =
  | { kind: 'take'; buffer: ArrayBuffer; then: 'release' | 'keep' }
  | { kind: 'send'; bytes: number };

// A fresh worker for every check, ended after it (closeWorkers), so that no check's memory, or the collection it
// prompts, lands in another's measure.
let worker: Worker | null = null;
const workers: Worker[] = [];

function ask(order: WorkerOrder, transfer: Transferable[] = []): Promise<{ buffer?: ArrayBuffer }> {
  if (!worker) {
    worker = new Worker(new URL('./release.worker.ts', import.meta.url), { type: 'module' });
    workers.push(worker);
  }
  const to = worker;
  return new Promise((resolve, reject) => {
    to.onmessage = (event) => resolve(event.data);
    to.onerror = (event) => reject(new Error(event.message));
    to.postMessage(order, transfer);
  });
}

function filled(bytes: number): ArrayBuffer {
  const buffer = new ArrayBuffer(bytes);
  new Uint8Array(buffer).fill(1);
  return buffer;
}

let blob: Blob | null = null;

(window as unknown as { releaseChecks: unknown }).releaseChecks = {
  /** The page sends `bytes` to the worker, which releases them or keeps them. */
  async toWorker(bytes: number, then: 'release' | 'keep') {
    const buffer = filled(bytes);
    await ask({ kind: 'take', buffer, then }, [buffer]);
  },
  /** The next check gets a new worker; every worker so far is ended. */
  closeWorkers() {
    for (const w of workers.splice(0)) w.terminate();
    worker = null;
  },
  /** The worker sends `bytes` to the page, which releases them. */
  async fromWorker(bytes: number) {
    const { buffer } = await ask({ kind: 'send', bytes });
    release(buffer);
  },
  /** A Blob of `bytes`, made and left to settle before the read is measured. */
  makeBlob(bytes: number) {
    const source = new Uint8Array(filled(bytes));
    blob = new Blob([source]);
    release(source);
  },
  /** Blob.arrayBuffer(), as the fingerprint reads a dropped file, then released. */
  async readBlob() {
    const bytes = new Uint8Array(await blob!.arrayBuffer());
    if (bytes[bytes.length - 1] !== 1) throw new Error('the blob read back wrong');
    release(bytes);
  },
};
