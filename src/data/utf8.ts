/** UTF-8 bytes to strings and their hash, for dictionaries kept as UTF-8 (parquet.ts, join.ts). */

/** TextDecoder costs about a microsecond per call; short ASCII strings (ids, symbols) are built directly. */
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= 64) {
    let ascii = true;
    for (let i = start; i < end; i++) {
      if (bytes[i] >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  }
  return utf8Decoder.decode(bytes.subarray(start, end));
}

/** FNV-1a over bytes[start..end], as an int32 (the UTF-8 dictionaries' hash tables: parquet.ts, join.ts). */
export function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h;
}
