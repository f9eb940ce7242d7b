/**
 * Turning what the user gives the page (a dropped folder, several files, a .zip, a file input, the demo) into
 * `{ path, file }` pairs. Paths are kept as the browser reports them (relative to the dropped folder's parent);
 * the intake recognises files by their path inside the run.
 */
import type { DroppedFile } from '../workers/protocol.ts';

/** Files of a drop. The entries must be taken synchronously inside the drop handler, before any await. */
export function entriesOfDrop(transfer: DataTransfer): { entries: FileSystemEntry[]; loose: File[] } {
  const entries: FileSystemEntry[] = [];
  const loose: File[] = [];
  for (const item of Array.from(transfer.items)) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.();
    if (entry) entries.push(entry);
    else {
      const file = item.getAsFile();
      if (file) loose.push(file);
    }
  }
  if (entries.length === 0 && loose.length === 0) loose.push(...Array.from(transfer.files));
  return { entries, loose };
}

/** Walk dropped entries recursively (a folder gives all the files under it, with their paths). */
export async function filesOfEntries(entries: FileSystemEntry[], loose: File[] = []): Promise<DroppedFile[]> {
  const out: DroppedFile[] = loose.map((file) => ({ path: file.name, file }));
  const walk = async (entry: FileSystemEntry): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
      out.push({ path: entry.fullPath.replace(/^\/+/, ''), file });
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      // readEntries returns at most ~100 entries per call: read until it returns none.
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
        if (batch.length === 0) break;
        for (const child of batch) await walk(child);
      }
    }
  };
  for (const entry of entries) await walk(entry);
  return out;
}

/** Files of an <input type=file>: a folder input reports each file's path in webkitRelativePath. */
export function filesOfInput(list: FileList | null): DroppedFile[] {
  return Array.from(list ?? [], (file) => ({ path: file.webkitRelativePath || file.name, file }));
}

/**
 * The demo baseline run's file list in public/demo/manifest.json: `stateContinue: { root, files: [{ path }] }`
 * (what scripts/generateDemo.ts writes); a bare array of paths or `{ root, files }` are read too. Paths are
 * fetched relative to the manifest, under `root`.
 */
export function demoPaths(manifest: unknown): { root: string; paths: string[] } {
  const pick = (files: unknown): string[] =>
    Array.isArray(files)
      ? files.map((f) => (typeof f === 'string' ? f : typeof f === 'object' && f && 'path' in f ? String((f as { path: unknown }).path) : '')).filter(Boolean)
      : [];
  if (Array.isArray(manifest)) return { root: '', paths: pick(manifest) };
  if (manifest && typeof manifest === 'object') {
    const m = manifest as Record<string, unknown>;
    const baseline = m.stateContinue ?? m.baseline;
    if (baseline && typeof baseline === 'object' && !Array.isArray(baseline)) {
      const b = baseline as Record<string, unknown>;
      const root = typeof b.root === 'string' ? b.root : typeof b.dir === 'string' ? b.dir : typeof b.path === 'string' ? b.path : '';
      return { root, paths: pick(b.files) };
    }
    if (Array.isArray(baseline)) return { root: '', paths: pick(baseline) };
    const root = typeof m.root === 'string' ? m.root : typeof m.baselineDir === 'string' ? m.baselineDir : '';
    return { root, paths: pick(m.files) };
  }
  return { root: '', paths: [] };
}

/** Fetch the demo run (same origin only; the CSP allows nothing else). */
export async function fetchDemo(base: URL, signal?: AbortSignal): Promise<DroppedFile[]> {
  const manifestUrl = new URL('demo/manifest.json', base);
  const response = await fetch(manifestUrl, { signal });
  if (!response.ok) throw new Error(`The demo is not available (demo/manifest.json: HTTP ${response.status}).`);
  const { root, paths } = demoPaths(await response.json());
  if (paths.length === 0) throw new Error('The demo manifest (demo/manifest.json) lists no files.');
  const prefix = root ? `${root.replace(/\/+$/, '')}/` : '';
  return Promise.all(
    paths.map(async (path) => {
      const url = new URL(prefix + path, manifestUrl);
      const r = await fetch(url, { signal });
      if (!r.ok) throw new Error(`The demo file ${prefix + path} could not be fetched (HTTP ${r.status}).`);
      const blob = await r.blob();
      const name = path.split('/').pop() ?? path;
      return { path: prefix + path, file: new File([blob], name) };
    }),
  );
}
