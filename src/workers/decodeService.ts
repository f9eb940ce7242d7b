/**
 * What a decode worker does: decode one parquet input (the columns the run reads) and move the Frame's arrays
 * back. The pipeline worker runs two of them side by side during the load (the feature frame in one, the entry
 * labels and the replay in the other) and ends them after it: both cores decode, and the decoders' wasm memory,
 * which never shrinks, goes away with them.
 */
import { ensureParquetWasm } from '../data/parquetInit.ts';
import { readParquetAsync } from '../data/parquet.ts';
import type { Frame } from '../data/frame.ts';
import type { Handlers } from './dispatcher.ts';
import { withTransfer, type DecodeApi } from './protocol.ts';

/** The ArrayBuffers behind a Frame's columns, each once. */
export function frameBuffers(frame: Frame): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const column of Object.values(frame.columns)) {
    const arrays = column.kind === 'string' ? [column.codes] : column.kind === 'timestamp' ? [column.micros] : column.kind === 'indexed' ? [column.source, column.index] : [column.values];
    for (const a of arrays) if (a.buffer instanceof ArrayBuffer && a.byteLength > 0) buffers.add(a.buffer);
  }
  return [...buffers];
}

export function decodeHandlers(): Handlers<DecodeApi> {
  return {
    async read({ file, path, columns }, context) {
      await ensureParquetWasm();
      const frame = await readParquetAsync(file, path, {
        columns,
        onProgress: (done, total) => context.progress({ kind: 'stage', stage: 'load', state: 'progress', done, total, message: path }),
      });
      return withTransfer(frame, frameBuffers(frame));
    },
  };
}
