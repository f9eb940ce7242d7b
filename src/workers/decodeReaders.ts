/**
 * The load's remote readers (`LoadHooks.openReader`): each a decode worker started by the pipeline worker and
 * ended when the load is done. Where workers cannot be started (Node), there are none and the load decodes in
 * place; a decode worker that fails to start is replaced by decoding in place too.
 */
import type { RemoteReader } from '../data/intake.ts';
import { materializeDictionaries, readParquetAsync } from '../data/parquet.ts';
import { WorkerClient, type WorkerLike } from './client.ts';
import { WorkerCrashError, type DecodeApi } from './protocol.ts';

function spawnDecoder(): WorkerLike {
  return new Worker(new URL('./decode.worker.ts', import.meta.url), { type: 'module', name: 'decode' }) as unknown as WorkerLike;
}

/** Decode workers where the runtime has workers (the browser), else undefined (decode in place). */
export function decodeWorkerReaders(): (() => RemoteReader) | undefined {
  return typeof Worker === 'undefined' ? undefined : remoteReaders(spawnDecoder);
}

/** Readers each over a worker of its own from `spawn` (a decode worker; a MessageChannel stand-in in tests). */
export function remoteReaders(spawn: () => WorkerLike): () => RemoteReader {
  return () => {
    const client = new WorkerClient<DecodeApi>(spawn, { name: 'decode' });
    return {
      async read(data, file, columns, progress, keepUtf8) {
        try {
          const frame = await client.call('read', { file: data, path: file, columns }, { onProgress: (p) => p.kind === 'stage' && progress(p.done ?? 0, p.total ?? 0) });
          return materializeDictionaries(frame, new Set(keepUtf8));
        } catch (error) {
          if (!(error instanceof WorkerCrashError)) throw error;
          // the worker could not run (not the file): decode here instead
          return readParquetAsync(data, file, { columns, onProgress: progress });
        }
      },
      close: () => client.terminate(),
    };
  };
}
