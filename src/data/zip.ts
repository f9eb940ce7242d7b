/** Zip archives in and out (fflate): a baseline run can be dropped as a .zip, and a run's artifacts leave as one. */
import { unzipSync, unzip, zipSync, Zip, ZipDeflate, ZipPassThrough, type Unzipped } from 'fflate';
import { InputError } from '../core/errors.ts';

export interface ZipEntry {
  path: string;
  data: Uint8Array;
}

/** Folders, macOS resource forks and Finder litter are not files of the run. */
function isRealFile(path: string): boolean {
  if (path.endsWith('/')) return false;
  const parts = path.split('/');
  if (parts.includes('__MACOSX')) return false;
  const base = parts[parts.length - 1];
  return base !== '.DS_Store' && base !== 'Thumbs.db' && !base.startsWith('._');
}

function entriesOf(unzipped: Unzipped): ZipEntry[] {
  return Object.entries(unzipped)
    .filter(([path]) => isRealFile(path))
    .map(([path, data]) => ({ path: path.replace(/\\/g, '/'), data }));
}

function zipError(zipName: string, error: unknown): InputError {
  const reason = `cannot read the zip archive: ${(error as Error)?.message ?? String(error)} (expected a .zip of the run folder)`;
  return new InputError(`${zipName}: ${reason}`, [{ file: zipName, message: reason }]);
}

/** The files of a zip archive (synchronous: use in a worker or for small archives). */
export function unzipEntries(bytes: Uint8Array, zipName = 'archive.zip'): ZipEntry[] {
  try {
    return entriesOf(unzipSync(bytes));
  } catch (error) {
    throw zipError(zipName, error);
  }
}

/** The files of a zip archive without blocking the page (fflate decompresses off the main thread when it can). */
export function unzipEntriesAsync(bytes: Uint8Array, zipName = 'archive.zip'): Promise<ZipEntry[]> {
  return new Promise((resolve, reject) => {
    try {
      unzip(bytes, (error, unzipped) => (error ? reject(zipError(zipName, error)) : resolve(entriesOf(unzipped))));
    } catch (error) {
      reject(zipError(zipName, error));
    }
  });
}

/** One .zip of several files (artifacts are already compressed parquet or small text: level 6 is plenty). */
export function zipEntries(entries: ZipEntry[]): Uint8Array {
  const tree: Record<string, Uint8Array> = {};
  for (const entry of entries) tree[entry.path] = entry.data;
  return zipSync(tree, { level: 6 });
}

/** A file for `zipToBlob`: bytes in memory or a Blob, stored as is (level 0) or deflated. */
export interface ZipSource {
  path: string;
  data: Uint8Array | Blob;
  level: 0 | 6;
}

/**
 * One .zip as a Blob, streamed: a Blob source is read a piece at a time and each piece of the archive becomes a
 * Blob part as soon as fflate gives it, so neither the sources nor the archive are ever whole in memory (the
 * run's parquet artifacts, hundreds of MB on large runs, stay in the blob store). Entries carry a fixed mtime
 * (2000-01-01), so the same files give the same archive.
 */
export async function zipToBlob(sources: ZipSource[], type = 'application/zip'): Promise<Blob> {
  const parts: Blob[] = [];
  let failure: Error | null = null;
  const zip = new Zip((error, chunk) => {
    if (error) failure = error;
    else if (chunk.length) parts.push(new Blob([chunk as Uint8Array<ArrayBuffer>]));
  });
  const mtime = new Date('2000-01-01T00:00:00Z');
  for (const source of sources) {
    const entry = source.level === 0 ? new ZipPassThrough(source.path) : new ZipDeflate(source.path, { level: source.level });
    entry.mtime = mtime;
    zip.add(entry);
    if (source.data instanceof Uint8Array) entry.push(source.data, true);
    else {
      const reader = source.data.stream().getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        entry.push(value);
      }
      entry.push(new Uint8Array(0), true);
    }
    if (failure) throw failure;
  }
  zip.end();
  if (failure) throw failure;
  return new Blob(parts, { type });
}
