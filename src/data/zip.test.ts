import { describe, expect, it } from 'vitest';
import { zipSync } from 'fflate';
import { unzipEntries, unzipEntriesAsync, zipEntries } from './zip.ts';
import { InputError } from '../core/errors.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('zip', () => {
  it('round trip keeps paths and bytes; folders and macOS litter are not files', async () => {
    const archive = zipSync({
      'run-10/': new Uint8Array(0),
      'run-10/feature/feature_order.json': bytes('["a"]'),
      'run-10/model/entry/entry.onnx': Uint8Array.from([0, 1, 2, 255]),
      '__MACOSX/run-10/._feature_order.json': bytes('junk'),
      'run-10/.DS_Store': bytes('junk'),
      'run-10/feature/._feature_frame.parquet': bytes('junk'),
    });
    for (const entries of [unzipEntries(archive), await unzipEntriesAsync(archive)]) {
      expect(entries.map((e) => e.path).sort()).toEqual(['run-10/feature/feature_order.json', 'run-10/model/entry/entry.onnx']);
      expect(Array.from(entries.find((e) => e.path.endsWith('.onnx'))!.data)).toEqual([0, 1, 2, 255]);
    }
    const again = unzipEntries(zipEntries([{ path: 'a/b.txt', data: bytes('hello') }]));
    expect(again).toEqual([{ path: 'a/b.txt', data: bytes('hello') }]);
  });

  it('a damaged archive is an InputError naming it', async () => {
    const archive = zipEntries([{ path: 'a.txt', data: bytes('x'.repeat(1000)) }]);
    expect(() => unzipEntries(archive.subarray(0, 30), 'run-10.zip')).toThrowError(InputError);
    expect(() => unzipEntries(bytes('not a zip at all'), 'run-10.zip')).toThrowError(/^run-10\.zip: cannot read the zip archive/);
    await expect(unzipEntriesAsync(bytes('not a zip at all'), 'run-10.zip')).rejects.toThrowError(/^run-10\.zip: cannot read the zip archive/);
  });
});
