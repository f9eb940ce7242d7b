/// <reference lib="webworker" />
// The worker side of the release checks: takes a buffer from the page and releases or keeps it, or sends one.
import { release } from '../../../src/core/release';
import type { WorkerOrder } from './releaseChecks';

/** What the worker keeps (read by nothing: it is there to be measured). */
export let kept: ArrayBuffer | null = null;

self.onmessage = (event: MessageEvent<WorkerOrder>) => {
  const order = event.data;
  if (order.kind === 'take') {
    new Uint8Array(order.buffer)[order.buffer.byteLength - 1] = 1; // read it as a fit reads its matrix
    if (order.then === 'release') release(order.buffer);
    else kept = order.buffer;
    self.postMessage({ done: true });
  } else if (order.kind === 'send') {
    const buffer = new ArrayBuffer(order.bytes);
    new Uint8Array(buffer).fill(1);
    self.postMessage({ done: true, buffer }, [buffer]);
  }
};
