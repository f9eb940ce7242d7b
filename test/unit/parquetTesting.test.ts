/**
 * Every file of the Apache parquet-testing corpus (data/ and bad_data/) either loads (a Frame with the footer's
 * row count) or is refused with an InputError whose message names the file. Nothing else may be thrown.
 * The decoder is synchronous wasm, so a hang could not be interrupted from here: each file gets its own test with
 * a timeout so a slow one is at least named.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { readParquet, parquetSchema, parquetDecoderPanics, ParquetDecoderPanic } from '../../src/data/parquet.ts';
import { InputError } from '../../src/core/errors.ts';
import type { Frame } from '../../src/data/frame.ts';

const ROOT = '/work/shared/data/parquet-testing';
const DIRS = ['data', 'bad_data'].map((d) => join(ROOT, d)).filter((d) => existsSync(d));

interface Outcome {
  dir: string;
  file: string;
  loaded: boolean;
  rows?: number;
  columns?: number;
  skipped?: number;
  reason?: string;
}
const outcomes: Outcome[] = [];

describe.skipIf(DIRS.length === 0)('parquet-testing corpus', () => {
  for (const dir of DIRS) {
    const files = readdirSync(dir).sort();
    for (const file of files) {
      it(`${dir.split('/').pop()}/${file}`, { timeout: 60_000 }, () => {
        const bytes = new Uint8Array(readFileSync(join(dir, file)));
        let frame: Frame | null = null;
        let error: unknown = null;
        try {
          frame = readParquet(bytes, file);
        } catch (e) {
          error = e;
        }
        if (frame) {
          const schema = parquetSchema(bytes, file);
          expect(frame.length).toBe(schema.rowCount);
          outcomes.push({ dir, file, loaded: true, rows: frame.length, columns: frame.names.length, skipped: schema.columns.length - frame.names.length });
        } else {
          expect(error).toBeInstanceOf(InputError);
          expect((error as Error).message).toContain(file);
          outcomes.push({ dir, file, loaded: false, reason: (error as Error).message.slice(file.length + 2) });
        }
      });
    }
  }

  it('a decoder panic leaves later reads intact (same values before and after)', { timeout: 60_000 }, () => {
    const good = new Uint8Array(readFileSync(join(ROOT, 'data', 'alltypes_tiny_pages.parquet')));
    const panicking = new Uint8Array(readFileSync(join(ROOT, 'data', 'large_string_map.brotli.parquet')));
    const before = readParquet(good, 'alltypes_tiny_pages.parquet');
    const panicsBefore = parquetDecoderPanics();
    expect(() => readParquet(panicking, 'large_string_map.brotli.parquet')).toThrowError(ParquetDecoderPanic);
    expect(parquetDecoderPanics()).toBe(panicsBefore + 1);
    const after = readParquet(good, 'alltypes_tiny_pages.parquet');
    expect(after).toEqual(before);
  });

  afterAll(() => {
    const loaded = outcomes.filter((o) => o.loaded);
    const refused = outcomes.filter((o) => !o.loaded);
    const lines = [
      `parquet-testing: ${loaded.length} loaded, ${refused.length} refused`,
      ...loaded.map((o) => `  load   ${o.file}: ${o.rows} rows, ${o.columns} columns${o.skipped ? ` (${o.skipped} nested/unsupported skipped)` : ''}`),
      ...refused.map((o) => `  refuse ${o.file}: ${o.reason}`),
    ];
    console.log(lines.join('\n'));
  });

  it('loads a sensible share of the corpus (a regression that refuses everything fails)', () => {
    // Runs last in this file: vitest runs tests of a file in order.
    const dataLoaded = outcomes.filter((o) => o.loaded && o.dir.endsWith('/data')).length;
    const dataTotal = outcomes.filter((o) => o.dir.endsWith('/data')).length;
    expect(dataTotal).toBeGreaterThan(60);
    // 62 of 67 load today; refused: two encrypted files, three malformed/unsupported by the decoder
    expect(dataLoaded).toBeGreaterThanOrEqual(60);
    for (const name of ['alltypes_plain.parquet', 'int96_from_spark.parquet', 'delta_byte_array.parquet', 'byte_stream_split.zstd.parquet', 'lz4_raw_compressed.parquet', 'hadoop_lz4_compressed.parquet', 'datapage_v2.snappy.parquet', 'fixed_length_decimal.parquet']) {
      expect(outcomes.find((o) => o.file === name)?.loaded, name).toBe(true);
    }
  });
});
