/** UTF-8 bytes to strings, for dictionaries kept as UTF-8 (parquet.ts, join.ts). */

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
