import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { newSha256, sha256OfData, STREAM_HASH_BYTES } from './sha256Stream.ts';

const nodeSha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function bytesOf(length: number, seed: number): Uint8Array {
  let s = seed >>> 0;
  return Uint8Array.from({ length }, () => (s = (s * 1664525 + 1013904223) >>> 0) >>> 24);
}

describe('incremental SHA-256', () => {
  it('matches node:crypto at every padding boundary and for split updates', async () => {
    expect((await newSha256()).update(new TextEncoder().encode('abc')).digest('hex')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    for (const length of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 100_003]) {
      const bytes = bytesOf(length, length + 1);
      expect((await newSha256()).update(bytes).digest('hex'), `length ${length}`).toBe(nodeSha(bytes));
      // the same bytes fed in uneven pieces
      const hash = await newSha256();
      for (let at = 0, step = 1; at < length; at += step, step = (step * 7 + 3) % 97) hash.update(bytes.subarray(at, Math.min(length, at + step)));
      expect(hash.digest('hex'), `pieces of ${length}`).toBe(nodeSha(bytes));
    }
  });

  it('sha256OfData streams Blob slices above the threshold and agrees with WebCrypto below it', async () => {
    const bytes = bytesOf(9 * 1024 * 1024 + 17, 9); // more than one 8 MB slice
    const blob = new Blob([bytes as Uint8Array<ArrayBuffer>]);
    expect(await sha256OfData(blob, 0)).toBe(nodeSha(bytes));
    expect(await sha256OfData(blob)).toBe(nodeSha(bytes));
    expect(await sha256OfData(bytes, 0)).toBe(nodeSha(bytes));
  });

  it('reads a Blob above STREAM_HASH_BYTES in slices, never whole', async () => {
    const bytes = bytesOf(1024 * 1024, 3);
    const whole = new Blob([bytes as Uint8Array<ArrayBuffer>]);
    // a Blob that says it is larger than the threshold and records every read made of it
    const reads: number[] = [];
    const size = STREAM_HASH_BYTES + 5;
    const spy = {
      size,
      arrayBuffer: () => {
        reads.push(size);
        return whole.arrayBuffer();
      },
      slice: (start: number, end: number) => {
        reads.push(end - start);
        return whole.slice(start % bytes.length, (start % bytes.length) + Math.min(end - start, bytes.length - (start % bytes.length)));
      },
    } as unknown as Blob;
    await sha256OfData(spy);
    expect(reads.length).toBeGreaterThan(1);
    expect(Math.max(...reads)).toBeLessThanOrEqual(8 * 1024 * 1024);
  });
});
