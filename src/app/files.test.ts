import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoPaths, filesOfEntries } from './files.ts';

/** A directory entry as Chromium gives it: readEntries hands children out in batches, then an empty batch. */
function dir(fullPath: string, children: FileSystemEntry[], batch = 2): FileSystemEntry {
  return {
    isFile: false,
    isDirectory: true,
    name: fullPath.split('/').pop() ?? '',
    fullPath,
    createReader: () => {
      let at = 0;
      return {
        readEntries: (ok: (entries: FileSystemEntry[]) => void) => {
          const next = children.slice(at, at + batch);
          at += batch;
          queueMicrotask(() => ok(next));
        },
      };
    },
  } as unknown as FileSystemEntry;
}

function file(fullPath: string, text: string): FileSystemEntry {
  const name = fullPath.split('/').pop() ?? '';
  return { isFile: true, isDirectory: false, name, fullPath, file: (ok: (f: File) => void) => ok(new File([text], name)) } as unknown as FileSystemEntry;
}

describe('dropped folders', () => {
  it('walks every level and reads past the first batch of readEntries', async () => {
    const run = dir('/run-10', [
      dir('/run-10/feature', [file('/run-10/feature/feature_frame.parquet', 'a'), file('/run-10/feature/feature_order.json', 'b'), file('/run-10/feature/extra.txt', 'c')]),
      dir('/run-10/model', [dir('/run-10/model/entry', [file('/run-10/model/entry/entry.onnx', 'd')])]),
      file('/run-10/notes.md', 'e'),
    ]);
    const loose = new File(['z'], 'loose.zip');
    const files = await filesOfEntries([run], [loose]);
    expect(files.map((f) => f.path).sort()).toEqual([
      'loose.zip',
      'run-10/feature/extra.txt',
      'run-10/feature/feature_frame.parquet',
      'run-10/feature/feature_order.json',
      'run-10/model/entry/entry.onnx',
      'run-10/notes.md',
    ]);
    expect(await (files.find((f) => f.path.endsWith('entry.onnx'))!.file as Blob).text()).toBe('d');
  });
});

describe('demo manifest', () => {
  it('lists the committed demo run: its root and every file of the baseline run', () => {
    const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '../../public/demo/manifest.json'), 'utf8')) as unknown;
    const { root, paths } = demoPaths(manifest);
    expect(root).toBe('state-continue/demo-baseline-run10');
    for (const needed of ['feature/feature_frame.parquet', 'feature/feature_order.json', 'label/entry_labels.parquet', 'label/price_plan_context.json', 'split/split_manifest.json', 'model/direction/direction.onnx', 'model/entry/entry.onnx']) {
      expect(paths).toContain(needed);
    }
    for (const path of paths) expect(() => readFileSync(join(import.meta.dirname, '../../public/demo', root, path))).not.toThrow();
  });

  it('reads the simpler shapes too', () => {
    expect(demoPaths(['a.json', 'b/c.parquet'])).toEqual({ root: '', paths: ['a.json', 'b/c.parquet'] });
    expect(demoPaths({ root: 'run', files: [{ path: 'x' }] })).toEqual({ root: 'run', paths: ['x'] });
    expect(demoPaths(null)).toEqual({ root: '', paths: [] });
  });
});
