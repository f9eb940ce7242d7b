/**
 * The parquet path's warm-up, run by the pipeline worker when the page starts (the `warm` call, while the user
 * picks files): a small made-up frame shaped like a baseline's inputs (unique string ids, a few repeated strings,
 * timestamps, integers, float32 features) written and read back. The decoder's wasm and the column conversion
 * are then compiled past the engine's first tiers when the real inputs arrive. Nothing of it is kept.
 */
import { makeRng } from '../core/rng.ts';
import { makeFrame, type Column } from './frame.ts';
import { readParquet, writeParquet } from './parquet.ts';

export function warmUpParquet(rows = 16_384): void {
  const rng = makeRng(20261122);
  const symbols = ['AAA', 'BBB', 'CCC'];
  const splits = ['fit_inner', 'tune', 'latest_stress', 'validation_locked'];
  const columns: Record<string, Column> = {
    sample_id: { kind: 'string', codes: Int32Array.from({ length: rows }, (_, i) => i), dictionary: Array.from({ length: rows }, (_, i) => `warm-up-${i}`) },
    symbol: { kind: 'string', codes: Int32Array.from({ length: rows }, (_, i) => i % symbols.length), dictionary: symbols },
    event_time: { kind: 'timestamp', micros: Float64Array.from({ length: rows }, (_, i) => 1_700_000_000_000_000 + i * 60_000_000) },
    open_time_ms: { kind: 'number', type: 'int64', values: Float64Array.from({ length: rows }, (_, i) => 1_700_000_000_000 + i * 60_000) },
    split_id: { kind: 'string', codes: Int32Array.from({ length: rows }, (_, i) => Math.floor((i * splits.length) / rows)), dictionary: splits },
  };
  for (let j = 0; j < 8; j++) columns[`feature_${j}`] = { kind: 'number', type: 'float32', values: Float32Array.from({ length: rows }, () => rng() * 2 - 1) };
  const frame = makeFrame(Object.keys(columns), columns);
  readParquet(writeParquet(frame), 'warm-up.parquet');
}
