import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { Sha256, sha256OfData } from './sha256Stream.ts';

const nodeSha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function bytesOf(length: number, seed: number): Uint8Array {
  let s = seed >>> 0;
  return Uint8Array.from({ length }, () => (s = (s * 1664525 + 1013904223) >>> 0) >>> 24);
}

describe('incremental SHA-256', () => {
  it('matches node:crypto at every padding boundary and for split updates', () => {
    expect(new Sha256().update(new TextEncoder().encode('abc')).digestHex()).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    for (const length of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 100_003]) {
      const bytes = bytesOf(length, length + 1);
      expect(new Sha256().update(bytes).digestHex(), `length ${length}`).toBe(nodeSha(bytes));
      // the same bytes fed in uneven pieces
      const hash = new Sha256();
      for (let at = 0, step = 1; at < length; at += step, step = (step * 7 + 3) % 97) hash.update(bytes.subarray(at, Math.min(length, at + step)));
      expect(hash.digestHex(), `pieces of ${length}`).toBe(nodeSha(bytes));
    }
  });

  it('sha256OfData streams Blob slices above the threshold and agrees with WebCrypto below it', async () => {
    const bytes = bytesOf(9 * 1024 * 1024 + 17, 9); // more than one 8 MB slice
    const blob = new Blob([bytes as Uint8Array<ArrayBuffer>]);
    expect(await sha256OfData(blob, 0)).toBe(nodeSha(bytes));
    expect(await sha256OfData(blob)).toBe(nodeSha(bytes));
    expect(await sha256OfData(bytes, 0)).toBe(nodeSha(bytes));
  });
});
