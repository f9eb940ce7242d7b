/**
 * What a decode worker does: decode one parquet input (the columns the run reads) and move the Frame's arrays
 * back. The pipeline worker runs two of them side by side during the load (the feature frame in one, the entry
 * labels and the replay in the other) and ends them after it: both cores decode, and the decoders' wasm memory,
 * which never shrinks, goes away with them. String dictionaries travel as UTF-8 and become strings in the
 * pipeline worker (`materializeDictionaries`).
 */
import { ensureParquetWasm } from '../data/parquetInit.ts';
import { readParquetAsync } from '../data/parquet.ts';
import { frameBuffers } from '../data/frame.ts';
import type { Handlers } from './dispatcher.ts';
import { withTransfer, type DecodeApi } from './protocol.ts';

export function decodeHandlers(): Handlers<DecodeApi> {
  return {
    async read({ file, path, columns }, context) {
      await ensureParquetWasm();
      const frame = await readParquetAsync(file, path, {
        columns,
        // no string of the file in this worker's heap (which outlives the worker in Chromium): the reader makes them
        utf8Dictionaries: true,
        onProgress: (done, total) => context.progress({ kind: 'stage', stage: 'load', state: 'progress', done, total, message: path }),
      });
      return withTransfer(frame, frameBuffers(frame));
    },
  };
}
