/**
 * SHA-256 of a Blob/File without holding it in memory. WebCrypto (`src/core/hash.ts`) is the fastest but needs the
 * whole input as one buffer (and copies it when called): a Blob above `STREAM_HASH_BYTES` is read in 8 MB slices
 * into an incremental hash (hash-wasm's WebAssembly SHA-256) instead, so a large input never stands in memory
 * whole. On L the 166 MB feature frame's whole read and WebCrypto's copy of it added ~320 MB to the page's peak
 * at the drop-time check, beside the decoders.
 */
import { createSHA256, type IHasher } from 'hash-wasm';
import { sha256Hex } from '../core/hash.ts';
import { release } from '../core/release.ts';

/** Inputs up to this size are hashed by WebCrypto in one piece (parquet.ts's IN_MEMORY_PARQUET_BYTES: the size
 * from which a parquet input is read in pieces too). */
export const STREAM_HASH_BYTES = 32 * 1024 * 1024;
const SLICE_BYTES = 8 * 1024 * 1024;

/** An incremental SHA-256: `update` with each piece in order, then `digest('hex')`. */
export type Sha256 = IHasher;

/** A fresh incremental SHA-256 (hash-wasm's: ~200 MB/s in Node here, twice a plain-JS one). */
export function newSha256(): Promise<Sha256> {
  return createSHA256();
}

/** SHA-256 hex of bytes or a Blob: WebCrypto up to `streamAbove` bytes, the incremental hash over slices beyond. */
export async function sha256OfData(data: Blob | Uint8Array, streamAbove = STREAM_HASH_BYTES): Promise<string> {
  if (data instanceof Uint8Array) return data.length <= streamAbove ? sha256Hex(data) : (await newSha256()).update(data).digest('hex');
  if (data.size <= streamAbove) {
    // this read is the hash's own: WebCrypto takes a copy of the bytes when it is called, so the read is freed at
    // once rather than after the digest (L's 166 MB feature frame otherwise stood twice over, read and copy,
    // beside the decode that starts meanwhile)
    const bytes = new Uint8Array(await data.arrayBuffer());
    const hex = sha256Hex(bytes);
    release(bytes);
    return hex;
  }
  const hash = await newSha256();
  for (let start = 0; start < data.size; start += SLICE_BYTES) {
    const slice = new Uint8Array(await data.slice(start, Math.min(data.size, start + SLICE_BYTES)).arrayBuffer());
    hash.update(slice);
    release(slice);
  }
  return hash.digest('hex');
}
