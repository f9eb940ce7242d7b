/**
 * Frees the memory behind arrays that nothing will read again now, rather than whenever the collector gets to
 * them. `ArrayBuffer.prototype.transfer(0)` detaches the buffer and lets its backing store go at once: in headless
 * Chromium a 400 MB array's memory left the renderer as soon as it was released, where one merely dropped was still
 * resident seconds later (a worker that only computes collects rarely, and a run's temporaries pile up meanwhile).
 *
 * Every view of a released buffer becomes empty (length 0; reads give undefined): a use after release shows as
 * missing values, not stale ones. Only buffers the caller owns whole may be released: never one shared with a
 * frame that is still read, a wasm memory's or a SharedArrayBuffer (those are skipped). Where `transfer` is
 * missing (Node 20), `structuredClone` with a transfer detaches the buffer the same way, so tests see what the
 * page sees.
 */
type Releasable = ArrayBufferView | ArrayBuffer | null | undefined;

export function release(...items: Releasable[]): void {
  for (const item of items) {
    if (!item) continue;
    const buffer = item instanceof ArrayBuffer ? item : item.buffer;
    if (!(buffer instanceof ArrayBuffer) || buffer.byteLength === 0) continue;
    const transfer = (buffer as ArrayBuffer & { transfer?: (length?: number) => ArrayBuffer }).transfer;
    try {
      if (transfer) transfer.call(buffer, 0);
      else structuredClone(buffer, { transfer: [buffer] });
    } catch {
      // a buffer that cannot be detached (a wasm memory's) stays for the collector
    }
  }
}

/** `release` on every typed array among an object's own values (a struct of columns). */
export function releaseAll(record: object | null | undefined): void {
  if (!record) return;
  for (const value of Object.values(record)) if (ArrayBuffer.isView(value)) release(value);
}
