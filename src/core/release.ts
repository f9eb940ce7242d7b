/**
 * Frees the memory behind arrays that nothing will read again now, rather than whenever the collector gets to
 * them (a worker that only computes collects rarely, and a run's temporaries pile up meanwhile).
 *
 * The buffers are detached by transferring them in a message to a port whose other end is closed: the message is
 * dropped and their memory goes with it. `ArrayBuffer.prototype.transfer(0)` is not enough in a browser for a
 * buffer that arrived in a message (a fit worker's matrix, a decode worker's columns in the pipeline worker): it
 * detaches JavaScript's view, but Blink's wrapper of the buffer keeps the memory until the thread's next garbage
 * collection. In headless Chromium 156, 300 MB a worker received and released with `transfer(0)` were still
 * resident 20 s later; transferred to a closed port they left at once. A buffer made in JavaScript is freed
 * either way.
 *
 * Every view of a released buffer becomes empty (length 0; reads give undefined): a use after release shows as
 * missing values, not stale ones. Only buffers the caller owns whole may be released: never one shared with a
 * frame that is still read, a wasm memory's or a SharedArrayBuffer (those are skipped).
 */
type Releasable = ArrayBufferView | ArrayBuffer | null | undefined;

/** The port released buffers are sent to: its other end is closed, so every message is dropped. */
let sink: MessagePort | null | undefined;

function sinkPort(): MessagePort | null {
  if (sink === undefined) {
    sink = null;
    if (typeof MessageChannel === 'function') {
      const channel = new MessageChannel();
      channel.port2.close();
      // Node: an open port would keep the process alive
      (channel.port1 as MessagePort & { unref?: () => void }).unref?.();
      sink = channel.port1;
    }
  }
  return sink;
}

function detach(buffers: ArrayBuffer[]): void {
  const port = sinkPort();
  if (port) {
    port.postMessage(null, buffers);
    return;
  }
  for (const buffer of buffers) {
    const transfer = (buffer as ArrayBuffer & { transfer?: (length?: number) => ArrayBuffer }).transfer;
    if (transfer) transfer.call(buffer, 0);
    else structuredClone(buffer, { transfer: [buffer] });
  }
}

export function release(...items: Releasable[]): void {
  const buffers = new Set<ArrayBuffer>();
  for (const item of items) {
    if (!item) continue;
    const buffer = item instanceof ArrayBuffer ? item : item.buffer;
    if (buffer instanceof ArrayBuffer && buffer.byteLength > 0) buffers.add(buffer);
  }
  if (buffers.size === 0) return;
  try {
    detach([...buffers]);
  } catch {
    // one of them cannot be detached (a wasm memory's): the others one at a time, that one left to the collector
    if (buffers.size === 1) return;
    for (const buffer of buffers) {
      try {
        detach([buffer]);
      } catch {
        // stays for the collector
      }
    }
  }
}

/** `release` on every typed array among an object's own values (a struct of columns). */
export function releaseAll(record: object | null | undefined): void {
  if (!record) return;
  release(...Object.values(record).filter((value): value is ArrayBufferView => ArrayBuffer.isView(value)));
}
