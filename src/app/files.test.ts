import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoPaths } from './files.ts';

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
