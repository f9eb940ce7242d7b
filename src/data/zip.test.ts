import { describe, expect, it } from 'vitest';
import { unzipSync, zipSync } from 'fflate';
import { unzipEntries, unzipEntriesAsync, zipEntries, zipToBlob } from './zip.ts';
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

  it('zipToBlob streams bytes and Blob sources (one read piece by piece) into one archive, the same each time', async () => {
    const big = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251);
    const sources = () => [
      { path: 'state_continue_train.parquet', data: new Blob([big.subarray(0, 100_000), big.subarray(100_000)]), level: 0 as const },
      { path: 'state_continue_result.json', data: bytes('{"a": 1}\n'.repeat(50)), level: 6 as const },
      { path: 'empty.parquet', data: new Blob([]), level: 0 as const },
    ];
    const first = new Uint8Array(await (await zipToBlob(sources())).arrayBuffer());
    const files = unzipSync(first);
    expect(Object.keys(files)).toEqual(['state_continue_train.parquet', 'state_continue_result.json', 'empty.parquet']);
    expect(files['state_continue_train.parquet']).toEqual(big);
    expect(new TextDecoder().decode(files['state_continue_result.json'])).toBe('{"a": 1}\n'.repeat(50));
    expect(files['empty.parquet']).toHaveLength(0);
    // stored as is, deflated, and with a fixed time: the same files give the same archive
    expect(first.length).toBeGreaterThan(300_000);
    expect(first.length).toBeLessThan(300_000 + 500 + 1_000);
    expect(new Uint8Array(await (await zipToBlob(sources())).arrayBuffer())).toEqual(first);
  });
});
