/**
 * Synthetic baseline-run generator (SPEC §1): the input of the state-continue experiment, made from a seeded
 * price process (or from real 1-minute bars), written with parquet-wasm + apache-arrow and onnx-proto directly
 * (it must not depend on the project's own parquet writer, which it is used to test).
 *
 *   node --import tsx scripts/generateBaseline.ts --out DIR [--symbols N] [--days D] [--features F] [--seed S]
 *     [--gaps] [--signal real|none] [--event-time ms|us|ns|iso] [--codec snappy|gzip|zstd|brotli|none[,…]]
 *     [--no-dictionary] [--arrow-dictionary] [--onnx-storage raw|float] [--replay-path FOREIGN_ABS_PATH] [--no-train-manifest]
 *     [--bars-csv FILE[,FILE…]] [--integer-sample-id] [--feature-dtype float32|float64]
 *     [--omit-column FILE:COLUMN] [--onnx-features N] [--price-plan STOP,TARGET,COST] [--entry-rate R]
 *
 * `--codec a,b` assigns codecs in turn to feature frame, entry labels, replay (so `gzip,zstd` gives gzip, zstd,
 * gzip). `--omit-column` and `--onnx-features` exist to make deliberately bad runs for input-error tests.
 *
 * The price process ("real signal"): each symbol's 1-minute log return has a drift that follows a persistent
 * hidden momentum regime (−1, +1, or 0 a fifth of the time; mean duration ~120 minutes) on top of noise with a slowly varying
 * volatility. The market features only see the last few minutes (lagged one bar), so they see the regime
 * dimly; the position state (unrealized P&L over 15–60 minutes since entry) sees it better. That is what lets
 * `market_plus_state` beat `market_only`. `--signal none` is a pure random walk with constant volatility.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { makeRng } from '../src/core/rng.ts';
import { dirname, join, posix } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as arrow from 'apache-arrow';
import * as parquetWasm from 'parquet-wasm';
import * as onnxProtoNs from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';

// onnx-proto is a CommonJS module: under plain Node ESM (tsx) only its default export exists.
const onnx: typeof onnxProtoNs.onnx =
  (onnxProtoNs as unknown as { onnx?: typeof onnxProtoNs.onnx }).onnx ??
  (onnxProtoNs as unknown as { default: { onnx: typeof onnxProtoNs.onnx } }).default.onnx;

export type Codec = 'snappy' | 'gzip' | 'zstd' | 'brotli' | 'none';
export type EventTimeKind = 'ms' | 'us' | 'ns' | 'iso';

export interface GenerateBaselineOptions {
  /** Number of synthetic symbols (ignored with barsCsv: one symbol per CSV). Default 3. */
  symbols?: number;
  /** Days of 1-minute bars. Default 2. */
  days?: number;
  /** F, the number of market features. Default 8. */
  features?: number;
  seed?: number;
  /** Holes in the replay (and the feature frame): runs of 1–8 missing minutes. */
  gaps?: boolean;
  signal?: 'real' | 'none';
  eventTime?: EventTimeKind;
  /** One codec, or several assigned in turn to feature frame, entry labels, replay. */
  codec?: Codec | Codec[];
  dictionary?: boolean;
  /** Categorical string columns (symbol, split_id, side, data_quality_flag) as Arrow Dictionary<Int32, Utf8>,
   * as pandas writes categoricals through pyarrow (readers then see a dictionary column). */
  arrowDictionary?: boolean;
  onnxStorage?: 'raw' | 'float';
  /** split_manifest.json's source_replay_path; its base name names the replay file inside the run. */
  replayPath?: string;
  /** Folder inside the run that holds the replay file. Default `replay`. */
  replayDir?: string;
  trainManifest?: boolean;
  /** Real bars (header open_time,open,high,low,close,volume); the first `days` days of each file are used. */
  barsCsv?: string[];
  integerSampleId?: boolean;
  featureDtype?: 'float32' | 'float64';
  /** Leave a column out of a parquet file: `feature:<col>`, `label:<col>` or `replay:<col>` (bad runs). */
  omitColumns?: string[];
  /** Rows of the frozen heads' _W (default F); a different value makes an F-mismatch run. */
  onnxFeatures?: number;
  /** First bar's open time (synthetic bars). Default 2024-03-04T00:00:00Z. */
  startTimeMs?: number;
  /** Fraction of bars that become entries (entry_target = 1), roughly. Default 0.2. */
  entryRate?: number;
  pricePlan?: { stopDistanceBps: number; targetDistanceBps: number; costBps: number };
}

const MINUTE_MS = 60_000;
const DEFAULT_START_MS = Date.UTC(2024, 2, 4, 0, 0, 0);
const DEFAULT_REPLAY_PATH = '/mnt/trader-v4/data/replay/replay_1m.parquet';
const SPLIT_PLAN = [
  ['fit_inner', 0.55],
  ['tune', 0.15],
  ['validation_locked', 0.15],
  ['latest_stress', 0.15],
] as const;
/** Bars at each split boundary given to a purge split that the experiment ignores (the "other split"). */
const PURGE_BARS = 6;
const PURGE_SPLIT = 'purged_embargo';

// ---------------------------------------------------------------------------------------------------------
// deterministic random numbers

export { makeRng };

function mixSeed(seed: number, stream: number): number {
  let h = (seed ^ Math.imul(stream + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

function gaussian(rng: () => number): number {
  // Box–Muller; 1 - u keeps log away from 0.
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

// ---------------------------------------------------------------------------------------------------------
// bars

interface Bars {
  symbol: string;
  openTimeMs: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  spreadBps: Float64Array;
}

function syntheticBars(symbolIndex: number, options: Required<Pick<GenerateBaselineOptions, 'days' | 'seed' | 'gaps' | 'signal' | 'startTimeMs'>>): Bars {
  const rng = makeRng(mixSeed(options.seed, 1000 + symbolIndex));
  const total = options.days * 1440;
  const real = options.signal === 'real';
  const basePrice = [100, 2500, 35, 0.6, 18000, 410][symbolIndex % 6] * Math.exp(0.3 * gaussian(rng));
  const sigmaBps = 3 + 2.5 * rng(); // 1-minute volatility
  const baseSpread = 0.6 + 1.8 * rng();
  const drift = real ? 0.3 : 0; // × sigma per minute while in a regime
  const switchProb = 1 / 120;
  const drawRegime = () => {
    const u = rng();
    return u < 0.4 ? -1 : u < 0.8 ? 1 : 0;
  };
  let regime = real ? drawRegime() : 0;
  let volState = 0;
  const keep = new Uint8Array(total).fill(1);
  if (options.gaps) {
    for (let i = 5; i < total; i++) {
      if (rng() < 0.008) {
        const length = 1 + Math.floor(rng() * 8);
        for (let k = 0; k < length && i + k < total; k++) keep[i + k] = 0;
        i += length;
      }
    }
  }
  const times: number[] = [];
  const o: number[] = [];
  const h: number[] = [];
  const l: number[] = [];
  const c: number[] = [];
  const vol: number[] = [];
  const spr: number[] = [];
  let price = basePrice;
  for (let i = 0; i < total; i++) {
    if (real && rng() < switchProb) regime = drawRegime();
    if (real) volState = 0.995 * volState + 0.1 * gaussian(rng);
    const volMult = real ? Math.exp(0.35 * Math.tanh(volState)) : 1;
    const sigma = (sigmaBps * volMult) / 1e4;
    const ret = regime * drift * sigma + sigma * gaussian(rng);
    const open = price * Math.exp(0.05 * sigma * gaussian(rng));
    const close = open * Math.exp(ret);
    const high = Math.max(open, close) * Math.exp(Math.abs(gaussian(rng)) * 0.5 * sigma);
    const low = Math.min(open, close) * Math.exp(-Math.abs(gaussian(rng)) * 0.5 * sigma);
    const volume = Math.exp(2 + 0.5 * gaussian(rng) + 30 * Math.abs(ret) * 1e1);
    const spread = baseSpread * volMult * Math.exp(0.25 * gaussian(rng));
    price = close;
    if (!keep[i]) continue;
    times.push(options.startTimeMs + i * MINUTE_MS);
    o.push(open);
    h.push(high);
    l.push(low);
    c.push(close);
    vol.push(volume);
    spr.push(spread);
  }
  return {
    symbol: `SYN${String(symbolIndex).padStart(2, '0')}`,
    openTimeMs: Float64Array.from(times),
    open: Float64Array.from(o),
    high: Float64Array.from(h),
    low: Float64Array.from(l),
    close: Float64Array.from(c),
    volume: Float64Array.from(vol),
    spreadBps: Float64Array.from(spr),
  };
}

/** Real bars from a CSV (header open_time,open,high,low,close,volume), the first `days` days. */
function csvBars(file: string, days: number, seed: number, index: number): Bars {
  const text = readFileSync(file, 'utf8');
  const lines = text.split(/\r?\n/);
  const header = lines[0].split(',').map((s) => s.trim());
  const col = (name: string) => {
    const k = header.indexOf(name);
    if (k < 0) throw new Error(`${file}: expected column ${name} in header ${lines[0]}`);
    return k;
  };
  const [kt, ko, kh, kl, kc, kv] = ['open_time', 'open', 'high', 'low', 'close', 'volume'].map(col);
  const rng = makeRng(mixSeed(seed, 5000 + index));
  const times: number[] = [];
  const o: number[] = [];
  const h: number[] = [];
  const l: number[] = [];
  const c: number[] = [];
  const vol: number[] = [];
  const spr: number[] = [];
  let first = NaN;
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i]) continue;
    const parts = lines[i].split(',');
    const raw = parts[kt].trim();
    const t = Date.parse(raw.includes('T') ? raw : raw.replace(' ', 'T'));
    if (!Number.isFinite(t)) throw new Error(`${file}:${i + 1}: unparsable open_time ${raw}`);
    if (Number.isNaN(first)) first = t;
    if (t >= first + days * 1440 * MINUTE_MS) break;
    const high = Number(parts[kh]);
    const low = Number(parts[kl]);
    times.push(t);
    o.push(Number(parts[ko]));
    h.push(high);
    l.push(low);
    c.push(Number(parts[kc]));
    vol.push(Number(parts[kv]));
    // The CSVs carry no spread: a plausible one, wider when the bar's range is wide.
    spr.push(0.4 + 0.08 * ((high / low - 1) * 1e4) + 0.2 * rng());
  }
  const base = file.split('/').pop() ?? file;
  return {
    symbol: base.split('_')[0] || `CSV${index}`,
    openTimeMs: Float64Array.from(times),
    open: Float64Array.from(o),
    high: Float64Array.from(h),
    low: Float64Array.from(l),
    close: Float64Array.from(c),
    volume: Float64Array.from(vol),
    spreadBps: Float64Array.from(spr),
  };
}

// ---------------------------------------------------------------------------------------------------------
// market features, from past bars only (bar i's row uses bars ≤ i−1: its event_time is bar i's OPEN time)

interface FeatureSpec {
  name: string;
  kind: 'ret' | 'range' | 'vol' | 'spread' | 'spread_mean' | 'volume_z' | 'close_pos' | 'volume_ratio' | 'noise';
  window: number;
  /** Typical magnitude, used to size the frozen models' weights. */
  scale: number;
  /** Sign of the feature's association with "up" (for the frozen direction/entry weights). */
  up: number;
}

// The first eight (the default F) see only the last few minutes; longer windows come after, for larger F.
const FEATURE_CATALOG: FeatureSpec[] = [
  { name: 'ret_1_bps', kind: 'ret', window: 1, scale: 5, up: 1 },
  { name: 'ret_3_bps', kind: 'ret', window: 3, scale: 9, up: 1 },
  { name: 'ret_5_bps', kind: 'ret', window: 5, scale: 11, up: 1 },
  { name: 'range_1_bps', kind: 'range', window: 1, scale: 6, up: 0 },
  { name: 'vol_10_bps', kind: 'vol', window: 10, scale: 5, up: 0 },
  { name: 'spread_bps_last', kind: 'spread', window: 1, scale: 2, up: 0 },
  { name: 'volume_z_30', kind: 'volume_z', window: 30, scale: 1, up: 0 },
  { name: 'range_5_bps', kind: 'range', window: 5, scale: 14, up: 0 },
  { name: 'ret_10_bps', kind: 'ret', window: 10, scale: 16, up: 1 },
  { name: 'ret_15_bps', kind: 'ret', window: 15, scale: 19, up: 1 },
  { name: 'ret_30_bps', kind: 'ret', window: 30, scale: 27, up: 1 },
  { name: 'ret_60_bps', kind: 'ret', window: 60, scale: 38, up: 1 },
  { name: 'vol_30_bps', kind: 'vol', window: 30, scale: 5, up: 0 },
  { name: 'vol_60_bps', kind: 'vol', window: 60, scale: 5, up: 0 },
  { name: 'range_15_bps', kind: 'range', window: 15, scale: 25, up: 0 },
  { name: 'range_30_bps', kind: 'range', window: 30, scale: 35, up: 0 },
  { name: 'close_pos_15', kind: 'close_pos', window: 15, scale: 0.3, up: 1 },
  { name: 'close_pos_60', kind: 'close_pos', window: 60, scale: 0.3, up: 1 },
  { name: 'spread_mean_15', kind: 'spread_mean', window: 15, scale: 2, up: 0 },
  { name: 'volume_ratio_5_30', kind: 'volume_ratio', window: 5, scale: 1, up: 0 },
  { name: 'ret_2_bps', kind: 'ret', window: 2, scale: 7, up: 1 },
  { name: 'ret_20_bps', kind: 'ret', window: 20, scale: 22, up: 1 },
  { name: 'ret_45_bps', kind: 'ret', window: 45, scale: 33, up: 1 },
  { name: 'vol_5_bps', kind: 'vol', window: 5, scale: 5, up: 0 },
  { name: 'range_60_bps', kind: 'range', window: 60, scale: 50, up: 0 },
  { name: 'close_pos_30', kind: 'close_pos', window: 30, scale: 0.3, up: 1 },
  { name: 'spread_mean_60', kind: 'spread_mean', window: 60, scale: 2, up: 0 },
  { name: 'volume_z_60', kind: 'volume_z', window: 60, scale: 1, up: 0 },
];

export function featureNames(count: number): string[] {
  return featureSpecs(count).map((spec) => spec.name);
}

function featureSpecs(count: number): FeatureSpec[] {
  const out = FEATURE_CATALOG.slice(0, count);
  for (let k = out.length; k < count; k++) out.push({ name: `noise_${String(k).padStart(2, '0')}`, kind: 'noise', window: 0, scale: 1, up: 0 });
  return out;
}

/** Highest high and lowest low over bars from..to (inclusive). */
function windowHighLow(h: Float64Array, l: Float64Array, from: number, to: number): [number, number] {
  let hi = -Infinity;
  let lo = Infinity;
  for (let k = from; k <= to; k++) {
    if (h[k] > hi) hi = h[k];
    if (l[k] < lo) lo = l[k];
  }
  return [hi, lo];
}

function computeFeature(spec: FeatureSpec, bars: Bars, rng: () => number, out: Float64Array): void {
  const n = bars.close.length;
  const { close: c, high: h, low: l, volume: v, spreadBps: sp } = bars;
  const w = spec.window;
  for (let i = 0; i < n; i++) {
    const p = i - 1; // the last closed bar
    let value = NaN;
    switch (spec.kind) {
      case 'ret':
        if (p - w >= 0) value = (c[p] / c[p - w] - 1) * 1e4;
        break;
      case 'range':
        if (p - w + 1 >= 0) {
          const [hi, lo] = windowHighLow(h, l, p - w + 1, p);
          value = (hi / lo - 1) * 1e4;
        }
        break;
      case 'vol':
        if (p - w >= 0) {
          let s = 0;
          let s2 = 0;
          for (let k = p - w + 1; k <= p; k++) {
            const r = Math.log(c[k] / c[k - 1]);
            s += r;
            s2 += r * r;
          }
          const mean = s / w;
          value = Math.sqrt(Math.max(0, s2 / w - mean * mean)) * 1e4;
        }
        break;
      case 'spread':
        if (p >= 0) value = sp[p];
        break;
      case 'spread_mean':
        if (p - w + 1 >= 0) {
          let s = 0;
          for (let k = p - w + 1; k <= p; k++) s += sp[k];
          value = s / w;
        }
        break;
      case 'volume_z':
        if (p - w + 1 >= 0) {
          let s = 0;
          let s2 = 0;
          for (let k = p - w + 1; k <= p; k++) {
            s += v[k];
            s2 += v[k] * v[k];
          }
          const mean = s / w;
          const sd = Math.sqrt(Math.max(0, s2 / w - mean * mean));
          value = sd > 0 ? (v[p] - mean) / sd : 0;
        }
        break;
      case 'close_pos':
        if (p - w + 1 >= 0) {
          const [hi, lo] = windowHighLow(h, l, p - w + 1, p);
          value = hi > lo ? (c[p] - lo) / (hi - lo) : 0.5;
        }
        break;
      case 'volume_ratio':
        if (p - 30 + 1 >= 0) {
          let s5 = 0;
          let s30 = 0;
          for (let k = p - 29; k <= p; k++) {
            s30 += v[k];
            if (k > p - w) s5 += v[k];
          }
          value = s30 > 0 ? s5 / w / (s30 / 30) : 1;
        }
        break;
      case 'noise':
        value = gaussian(rng);
        break;
    }
    out[i] = value;
  }
}

const SPLIT_NAMES = [...SPLIT_PLAN.map(([split]) => split), PURGE_SPLIT];
const QUALITY_FLAGS = ['OK', 'PARTIAL_OPTIONAL', 'BAD'];

interface RowOrder {
  sym: Int32Array;
  idx: Int32Array;
  length: number;
}

function mapRows(o: RowOrder, f: (s: number, i: number) => number): Float64Array {
  const out = new Float64Array(o.length);
  for (let r = 0; r < o.length; r++) out[r] = f(o.sym[r], o.idx[r]);
  return out;
}

function filterRows(o: RowOrder, keep: () => boolean): RowOrder {
  const sym: number[] = [];
  const idx: number[] = [];
  for (let r = 0; r < o.length; r++) {
    if (keep()) {
      sym.push(o.sym[r]);
      idx.push(o.idx[r]);
    }
  }
  return { sym: Int32Array.from(sym), idx: Int32Array.from(idx), length: sym.length };
}

/** Rows ordered by key, ties by symbol (keys are distinct within a symbol). */
function sortRows(o: RowOrder, key: (s: number, i: number) => number): RowOrder {
  const keys = mapRows(o, key);
  const perm = new Uint32Array(o.length);
  for (let r = 0; r < o.length; r++) perm[r] = r;
  perm.sort((a, b) => keys[a] - keys[b] || o.sym[a] - o.sym[b]);
  return { sym: Int32Array.from(perm, (r) => o.sym[r]), idx: Int32Array.from(perm, (r) => o.idx[r]), length: o.length };
}

// ---------------------------------------------------------------------------------------------------------
// parquet (parquet-wasm + apache-arrow)

type ColumnData =
  | { name: string; kind: 'utf8'; length: number; get: (row: number) => string }
  | { name: string; kind: 'category'; dictionary: string[]; codes: Int32Array }
  | { name: string; kind: 'float32' | 'float64'; values: Float64Array; nulls?: Uint8Array }
  | { name: string; kind: 'int64'; values: Float64Array }
  | { name: string; kind: 'timestamp'; unit: 'ms' | 'us' | 'ns'; ms: Float64Array };

function validityBitmap(nulls: Uint8Array): Uint8Array {
  const bitmap = new Uint8Array(Math.ceil(nulls.length / 8));
  for (let i = 0; i < nulls.length; i++) if (!nulls[i]) bitmap[i >> 3] |= 1 << (i & 7);
  return bitmap;
}

/** Plain (non-dictionary) Arrow strings; the parquet writer decides on dictionary pages itself. */
function utf8Data(length: number, get: (row: number) => string): arrow.Data<arrow.Utf8> {
  const encoder = new TextEncoder();
  const offsets = new Int32Array(length + 1);
  let data = new Uint8Array(Math.max(1024, length * 16));
  let at = 0;
  for (let r = 0; r < length; r++) {
    const text = get(r);
    if (at + text.length * 3 > data.length) {
      const grown = new Uint8Array(Math.max(data.length * 2, at + text.length * 3));
      grown.set(data.subarray(0, at));
      data = grown;
    }
    at += encoder.encodeInto(text, data.subarray(at)).written;
    offsets[r + 1] = at;
  }
  return arrow.makeData({ type: new arrow.Utf8(), length, valueOffsets: offsets, data: data.slice(0, at) });
}

let dictionaryId = 0;

function dictionaryData(dictionary: string[], codes: Int32Array): arrow.Data {
  const values = arrow.makeVector(utf8Data(dictionary.length, (k) => dictionary[k]));
  const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32(), dictionaryId++);
  return arrow.makeData({ type, length: codes.length, data: codes, dictionary: values } as never);
}

function arrowColumn(column: ColumnData): arrow.Data {
  switch (column.kind) {
    case 'utf8':
      return utf8Data(column.length, column.get);
    case 'category':
      return utf8Data(column.codes.length, (r) => column.dictionary[column.codes[r]]);
    case 'float32':
    case 'float64': {
      const data = column.kind === 'float32' ? Float32Array.from(column.values) : Float64Array.from(column.values);
      const type = column.kind === 'float32' ? new arrow.Float32() : new arrow.Float64();
      const nullCount = column.nulls ? column.nulls.reduce((a, b) => a + b, 0) : 0;
      return arrow.makeData({
        type,
        length: data.length,
        data,
        nullCount,
        nullBitmap: nullCount > 0 && column.nulls ? validityBitmap(column.nulls) : undefined,
      } as never);
    }
    case 'int64': {
      const data = new BigInt64Array(column.values.length);
      for (let i = 0; i < data.length; i++) data[i] = BigInt(column.values[i]);
      return arrow.makeData({ type: new arrow.Int64(), length: data.length, data } as never);
    }
    case 'timestamp': {
      const unit = { ms: arrow.TimeUnit.MILLISECOND, us: arrow.TimeUnit.MICROSECOND, ns: arrow.TimeUnit.NANOSECOND }[column.unit];
      const factor = { ms: 1n, us: 1000n, ns: 1_000_000n }[column.unit];
      const data = new BigInt64Array(column.ms.length);
      for (let i = 0; i < data.length; i++) data[i] = BigInt(column.ms[i]) * factor;
      return arrow.makeData({ type: new arrow.Timestamp(unit, 'UTC'), length: data.length, data } as never);
    }
  }
}

const CODECS: Record<Codec, parquetWasm.Compression> = {
  snappy: parquetWasm.Compression.SNAPPY,
  gzip: parquetWasm.Compression.GZIP,
  zstd: parquetWasm.Compression.ZSTD,
  brotli: parquetWasm.Compression.BROTLI,
  none: parquetWasm.Compression.UNCOMPRESSED,
};

export function writeParquetColumns(columns: ColumnData[], codec: Codec, dictionary: boolean, arrowDictionary = false): Uint8Array {
  const fields = columns.map((column) => {
    const data = arrowDictionary && column.kind === 'category' ? dictionaryData(column.dictionary, column.codes) : arrowColumn(column);
    return { field: new arrow.Field(column.name, data.type, true), data };
  });
  const schema = new arrow.Schema(fields.map((f) => f.field));
  const length = fields.length ? fields[0].data.length : 0;
  const struct = arrow.makeData({ type: new arrow.Struct(schema.fields), length, children: fields.map((f) => f.data) });
  const table = new arrow.Table(schema, [new arrow.RecordBatch(schema, struct)]);
  const wasmTable = parquetWasm.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'));
  const properties = new parquetWasm.WriterPropertiesBuilder()
    .setCompression(CODECS[codec])
    .setDictionaryEnabled(dictionary)
    .setMaxRowGroupSize(100_000)
    .build();
  return parquetWasm.writeParquet(wasmTable, properties);
}

// ---------------------------------------------------------------------------------------------------------
// ONNX (onnx-proto), opset 13

const FLOAT = onnx.TensorProto.DataType.FLOAT;

function tensor(name: string, dims: number[], values: Float32Array, storage: 'raw' | 'float'): OnnxTypes.ITensorProto {
  if (storage === 'float') return { name, dataType: FLOAT, dims, floatData: Array.from(values) };
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true); // ONNX raw_data is little-endian
  return { name, dataType: FLOAT, dims, rawData: raw };
}

function valueInfo(name: string, dims: (number | string)[]): OnnxTypes.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

export interface Head {
  name: string;
  width: number;
  activation: 'Softmax' | 'Sigmoid' | 'Identity';
  weight: Float32Array;
  bias: Float32Array;
}

export function linearModel(graphName: string, featureCount: number, heads: Head[], storage: 'raw' | 'float'): Uint8Array {
  const nodes: OnnxTypes.INodeProto[] = [];
  const initializer: OnnxTypes.ITensorProto[] = [];
  for (const head of heads) {
    initializer.push(tensor(`${head.name}_W`, [featureCount, head.width], head.weight, storage));
    initializer.push(tensor(`${head.name}_B`, [head.width], head.bias, storage));
    nodes.push({ name: `${head.name}_matmul`, opType: 'MatMul', input: ['features', `${head.name}_W`], output: [`${head.name}_xw`] });
    nodes.push({ name: `${head.name}_add`, opType: 'Add', input: [`${head.name}_xw`, `${head.name}_B`], output: [`${head.name}_logits`] });
    const attribute: OnnxTypes.IAttributeProto[] =
      head.activation === 'Softmax' ? [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] : [];
    nodes.push({ name: `${head.name}_${head.activation.toLowerCase()}`, opType: head.activation, input: [`${head.name}_logits`], output: [head.name], attribute });
  }
  const model: OnnxTypes.IModelProto = {
    irVersion: 7,
    producerName: 'ml-workbench scripts/generateBaseline.ts',
    producerVersion: '0.1.0',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: graphName,
      node: nodes,
      initializer,
      input: [valueInfo('features', ['N', featureCount])],
      output: heads.map((head) => valueInfo(head.name, ['N', head.width])),
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

// ---------------------------------------------------------------------------------------------------------
// the run

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function eventTimeColumn(name: string, ms: Float64Array, kind: EventTimeKind): ColumnData {
  if (kind === 'iso') return { name, kind: 'utf8', length: ms.length, get: (r) => isoSeconds(ms[r]) };
  return { name, kind: 'timestamp', unit: kind, ms };
}

function pyRound(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function jsonText(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value, null, 2) + '\n');
}

export async function generateBaseline(options: GenerateBaselineOptions = {}): Promise<Map<string, Uint8Array>> {
  const seed = options.seed ?? 1;
  const days = options.days ?? 2;
  const featureCount = options.features ?? 8;
  const signal = options.signal ?? 'real';
  const eventTime = options.eventTime ?? 'ms';
  const codecs: Codec[] = Array.isArray(options.codec) ? options.codec : [options.codec ?? 'snappy'];
  const dictionary = options.dictionary ?? true;
  const arrowDictionary = options.arrowDictionary ?? false;
  const storage = options.onnxStorage ?? 'raw';
  const replayPath = options.replayPath ?? DEFAULT_REPLAY_PATH;
  const replayBase = replayPath.replace(/\\/g, '/').split('/').pop() || 'replay_1m.parquet';
  const replayDir = options.replayDir ?? 'replay';
  const featureDtype = options.featureDtype ?? 'float32';
  const entryRate = options.entryRate ?? 0.2;
  const omit = new Set(options.omitColumns ?? []);
  const plan = options.pricePlan ?? { stopDistanceBps: 30, targetDistanceBps: 45, costBps: 4 };
  if (!(featureCount >= 1)) throw new Error(`--features must be a positive integer, got ${featureCount}`);
  if (!(days >= 1)) throw new Error(`--days must be a positive integer, got ${days}`);

  // 1. bars
  const allBars: Bars[] = [];
  if (options.barsCsv && options.barsCsv.length) {
    options.barsCsv.forEach((file, k) => allBars.push(csvBars(file, days, seed, k)));
  } else {
    const symbols = options.symbols ?? 3;
    for (let s = 0; s < symbols; s++) {
      allBars.push(syntheticBars(s, { days, seed, gaps: options.gaps ?? false, signal, startTimeMs: options.startTimeMs ?? DEFAULT_START_MS }));
    }
  }
  if (options.barsCsv && options.gaps) {
    // Real bars with holes punched in (deterministic), for the gap path on real prices.
    for (let s = 0; s < allBars.length; s++) allBars[s] = punchGaps(allBars[s], makeRng(mixSeed(seed, 7000 + s)));
  }

  // 2. the time grid shared by every symbol decides the splits (by time, ~55/15/15/15)
  let tMin = Infinity;
  let tMax = -Infinity;
  for (const bars of allBars) {
    if (bars.openTimeMs.length === 0) continue;
    tMin = Math.min(tMin, bars.openTimeMs[0]);
    tMax = Math.max(tMax, bars.openTimeMs[bars.openTimeMs.length - 1]);
  }
  const gridBars = Math.round((tMax - tMin) / MINUTE_MS) + 1;
  const boundaries: number[] = [];
  let acc = 0;
  for (const [, fraction] of SPLIT_PLAN) {
    acc += fraction;
    boundaries.push(Math.round(acc * gridBars));
  }
  const splitOf = (t: number): { split: string; fold: number } => {
    const k = Math.round((t - tMin) / MINUTE_MS);
    let s = 0;
    while (s < SPLIT_PLAN.length - 1 && k >= boundaries[s]) s++;
    const start = s === 0 ? 0 : boundaries[s - 1];
    if (s > 0 && k < start + PURGE_BARS) return { split: PURGE_SPLIT, fold: -1 };
    if (s === 0) return { split: SPLIT_PLAN[0][0], fold: Math.min(2, Math.floor((3 * k) / boundaries[0])) };
    return { split: SPLIT_PLAN[s][0], fold: 2 + s };
  };

  // 3. features per symbol (past bars only), quality flags, sprinkled NaN/±Inf/nulls
  const specs = featureSpecs(featureCount);
  const names = specs.map((s) => s.name);
  interface SymbolRows {
    bars: Bars;
    features: Float64Array[];
    nulls: Uint8Array[];
    /** index into QUALITY_FLAGS */
    flags: Uint8Array;
  }
  const perSymbol: SymbolRows[] = allBars.map((bars, s) => {
    const n = bars.close.length;
    const rng = makeRng(mixSeed(seed, 2000 + s));
    const features = specs.map((spec, j) => {
      const out = new Float64Array(n);
      computeFeature(spec, bars, makeRng(mixSeed(seed, 3000 + 100 * s + j)), out);
      return out;
    });
    const nulls = specs.map(() => new Uint8Array(n));
    const flags = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      let warm = false;
      for (let j = 0; j < featureCount; j++) {
        if (Number.isNaN(features[j][i])) {
          nulls[j][i] = 1; // warm-up: written as null
          warm = true;
        }
      }
      const u = rng();
      flags[i] = warm ? 1 : u < 0.006 ? 2 : u < 0.04 ? 1 : 0; // OK, PARTIAL_OPTIONAL, BAD
      const d = rng();
      if (!warm && d < 0.012) {
        const j = Math.floor(rng() * featureCount);
        if (d < 0.004) features[j][i] = NaN;
        else if (d < 0.006) features[j][i] = Infinity;
        else if (d < 0.008) features[j][i] = -Infinity;
        else nulls[j][i] = 1;
      }
    }
    return { bars, features, nulls, flags };
  });

  // 4. frozen baseline models: linear heads on the raw features, leaning on momentum-like features
  const wRng = makeRng(mixSeed(seed, 4000));
  const onnxRows = options.onnxFeatures ?? featureCount;
  const direction = new Float32Array(onnxRows * 3);
  const heads: Record<string, Float32Array> = {};
  const headNames = ['long_entry_prob', 'short_entry_prob', 'long_expected_net_edge_bps', 'short_expected_net_edge_bps'];
  for (const head of headNames) heads[head] = new Float32Array(onnxRows);
  for (let j = 0; j < onnxRows; j++) {
    const spec = specs[j % featureCount];
    const momentum = (spec.up * (0.6 + 0.4 * wRng())) / spec.scale;
    const jitter = () => (0.15 * gaussian(wRng)) / spec.scale;
    direction[j * 3 + 0] = 0.5 * momentum + jitter();
    direction[j * 3 + 1] = -0.5 * momentum + jitter();
    direction[j * 3 + 2] = jitter();
    heads.long_entry_prob[j] = 0.4 * momentum + jitter();
    heads.short_entry_prob[j] = -0.4 * momentum + jitter();
    heads.long_expected_net_edge_bps[j] = 3 * momentum + 4 * jitter();
    heads.short_expected_net_edge_bps[j] = -3 * momentum + 4 * jitter();
  }
  const directionBias = Float32Array.from([0.05 * gaussian(wRng), 0.05 * gaussian(wRng), 0.3]);
  const entryBias: Record<string, Float32Array> = {
    long_entry_prob: Float32Array.of(-1 + 0.1 * gaussian(wRng)),
    short_entry_prob: Float32Array.of(-1 + 0.1 * gaussian(wRng)),
    long_expected_net_edge_bps: Float32Array.of(-2 + gaussian(wRng)),
    short_expected_net_edge_bps: Float32Array.of(-2 + gaussian(wRng)),
  };

  // 5. rows in file order: the feature frame and replay by (time, symbol), the labels by (symbol, time).
  // Row orders are typed arrays (symbol, bar index): the large runs have ~1M rows, and tuples cost GC time.
  let n = 0;
  for (const rows of perSymbol) n += rows.bars.close.length;
  const bySymbol: RowOrder = { sym: new Int32Array(n), idx: new Int32Array(n), length: n };
  {
    let r = 0;
    perSymbol.forEach((rows, s) => {
      for (let i = 0; i < rows.bars.close.length; i++, r++) {
        bySymbol.sym[r] = s;
        bySymbol.idx[r] = i;
      }
    });
  }
  const byTime = sortRows(bySymbol, (s, i) => perSymbol[s].bars.openTimeMs[i]);
  const symbolNames = perSymbol.map((rows) => rows.bars.symbol);
  const openTime = (o: RowOrder) => mapRows(o, (s, i) => perSymbol[s].bars.openTimeMs[i]);
  const splitCodes = (times: Float64Array) => {
    const codes = new Int32Array(times.length);
    const folds = new Float64Array(times.length);
    for (let r = 0; r < times.length; r++) {
      const x = splitOf(times[r]);
      codes[r] = SPLIT_NAMES.indexOf(x.split);
      folds[r] = x.fold;
    }
    return { codes, folds };
  };

  const files = new Map<string, Uint8Array>();
  const dropped = (file: string, cols: ColumnData[]) => cols.filter((c) => !omit.has(`${file}:${c.name}`));
  const sampleColumn = (o: RowOrder): ColumnData =>
    options.integerSampleId
      ? { name: 'sample_id', kind: 'int64', values: mapRows(o, (s, i) => s * 10_000_000 + i) }
      : { name: 'sample_id', kind: 'utf8', length: o.length, get: (r) => `${symbolNames[o.sym[r]]}-${String(o.idx[r]).padStart(6, '0')}` };
  const symbolColumn = (o: RowOrder): ColumnData => ({ name: 'symbol', kind: 'category', dictionary: symbolNames, codes: o.sym });

  // feature frame
  {
    const times = openTime(byTime);
    const splits = splitCodes(times);
    const cols: ColumnData[] = [
      sampleColumn(byTime),
      symbolColumn(byTime),
      eventTimeColumn('event_time', times, eventTime),
      { name: 'open_time_ms', kind: 'int64', values: times },
      { name: 'split_id', kind: 'category', dictionary: SPLIT_NAMES, codes: splits.codes },
      { name: 'walk_forward_fold', kind: 'int64', values: splits.folds },
      { name: 'data_quality_flag', kind: 'category', dictionary: QUALITY_FLAGS, codes: Int32Array.from(mapRows(byTime, (s, i) => perSymbol[s].flags[i])) },
    ];
    specs.forEach((spec, j) => {
      const values = mapRows(byTime, (s, i) => perSymbol[s].features[j][i]);
      const nulls = new Uint8Array(n);
      for (let r = 0; r < n; r++) nulls[r] = perSymbol[byTime.sym[r]].nulls[j][byTime.idx[r]];
      cols.push({ name: spec.name, kind: featureDtype, values, nulls });
    });
    files.set('feature/feature_frame.parquet', writeParquetColumns(dropped('feature', cols), codecs[0 % codecs.length], dictionary, arrowDictionary));
    files.set('feature/feature_order.json', jsonText(names));
  }

  // entry labels: side from the frozen direction scores (with a few other values), entry_target 1 for a
  // seeded subset that favours bars after a move (past bars only: no future leaks into the entry set)
  {
    const lRng = makeRng(mixSeed(seed, 6000));
    const sides = new Int32Array(n);
    const targets = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const rows = perSymbol[bySymbol.sym[r]];
      const i = bySymbol.idx[r];
      let long = directionBias[0];
      let short = directionBias[1];
      for (let j = 0; j < featureCount && j < onnxRows; j++) {
        let x = rows.nulls[j][i] ? 0 : rows.features[j][i];
        if (!Number.isFinite(x)) x = 0;
        long += x * direction[j * 3];
        short += x * direction[j * 3 + 1];
      }
      const u = lRng();
      sides[r] = u < 0.01 ? 2 : u < 0.015 ? 3 : long >= short ? 0 : 1;
      const move = Math.min(1, Math.abs(long - short) / 2);
      targets[r] = lRng() < entryRate * (0.6 + 0.8 * move) ? 1 : 0;
    }
    const times = openTime(bySymbol);
    const splits = splitCodes(times);
    const cols: ColumnData[] = [
      sampleColumn(bySymbol),
      symbolColumn(bySymbol),
      eventTimeColumn('event_time', times, eventTime),
      { name: 'side', kind: 'category', dictionary: ['LONG', 'SHORT', 'FLAT', 'NONE'], codes: sides },
      { name: 'entry_target', kind: 'int64', values: targets },
      { name: 'split_id', kind: 'category', dictionary: SPLIT_NAMES, codes: splits.codes },
      { name: 'walk_forward_fold', kind: 'int64', values: splits.folds },
    ];
    files.set('label/entry_labels.parquet', writeParquetColumns(dropped('label', cols), codecs[1 % codecs.length], dictionary, arrowDictionary));
    files.set('label/price_plan_context.json', jsonText({ stopDistanceBps: plan.stopDistanceBps, targetDistanceBps: plan.targetDistanceBps, costBps: plan.costBps, priceSource: 'close', sideSource: 'frozen direction' }));
  }

  // replay; with gaps it also misses a few single bars that the feature frame has (a feed outage), so some
  // entries and current bars have no replay bar: SPEC §2 drops those state rows, the seed's row shift does not
  {
    let replayRows = byTime;
    if (options.gaps) {
      const hRng = makeRng(mixSeed(seed, 9000));
      replayRows = filterRows(byTime, () => hRng() >= 0.005);
    }
    const times = openTime(replayRows);
    const pick = (key: 'open' | 'high' | 'low' | 'close' | 'volume' | 'spreadBps') => mapRows(replayRows, (s, i) => perSymbol[s].bars[key][i]);
    const cols: ColumnData[] = [
      symbolColumn(replayRows),
      eventTimeColumn('event_time', times, eventTime),
      { name: 'open_time_ms', kind: 'int64', values: times },
      { name: 'open', kind: 'float64', values: pick('open') },
      { name: 'high', kind: 'float64', values: pick('high') },
      { name: 'low', kind: 'float64', values: pick('low') },
      { name: 'close', kind: 'float64', values: pick('close') },
      { name: 'volume', kind: 'float64', values: pick('volume') },
      { name: 'spread_bps', kind: 'float64', values: pick('spreadBps') },
    ];
    files.set(posix.join(replayDir, replayBase), writeParquetColumns(dropped('replay', cols), codecs[2 % codecs.length], dictionary, arrowDictionary));
  }

  // split manifest: the replay is named by a path on another machine; only its base name is meaningful here
  files.set(
    'split/split_manifest.json',
    jsonText({
      source_replay_path: replayPath,
      split_policy: 'chronological, purged at boundaries',
      splits: SPLIT_PLAN.map(([split], k) => ({
        split_id: split,
        start_open_time_ms: tMin + (k === 0 ? 0 : boundaries[k - 1]) * MINUTE_MS,
        end_open_time_ms: tMin + (boundaries[k] - 1) * MINUTE_MS,
      })),
      purge_split_id: PURGE_SPLIT,
      purge_bars: PURGE_BARS,
      symbols: allBars.map((b) => b.symbol),
      generator: { name: 'scripts/generateBaseline.ts', seed, signal, days, features: featureCount },
    }),
  );

  // models
  files.set(
    'model/direction/direction.onnx',
    linearModel('direction', onnxRows, [{ name: 'direction', width: 3, activation: 'Softmax', weight: direction, bias: directionBias }], storage),
  );
  files.set(
    'model/entry/entry.onnx',
    linearModel(
      'entry',
      onnxRows,
      headNames.map((head) => ({
        name: head,
        width: 1,
        activation: head.endsWith('_prob') ? ('Sigmoid' as const) : ('Identity' as const),
        weight: heads[head],
        bias: entryBias[head],
      })),
      storage,
    ),
  );
  if (options.trainManifest ?? true) {
    const mRng = makeRng(mixSeed(seed, 8000));
    files.set(
      'model/model_train_manifest.json',
      jsonText({
        run_id: 'baseline',
        feature_count: featureCount,
        CONTINUE: {
          metrics: {
            long_continue_prob: { auc: pyRound(0.55 + 0.05 * mRng(), 4) },
            short_continue_prob: { auc: pyRound(0.55 + 0.05 * mRng(), 4) },
            long_expected_continue_edge_bps: { mae_vs_constant_ratio: pyRound(0.95 + 0.04 * mRng(), 4) },
            short_expected_continue_edge_bps: { mae_vs_constant_ratio: pyRound(0.95 + 0.04 * mRng(), 4) },
          },
        },
      }),
    );
  }
  return files;
}

function punchGaps(bars: Bars, rng: () => number): Bars {
  const n = bars.close.length;
  const keep = new Uint8Array(n).fill(1);
  for (let i = 5; i < n; i++) {
    if (rng() < 0.008) {
      const length = 1 + Math.floor(rng() * 8);
      for (let k = 0; k < length && i + k < n; k++) keep[i + k] = 0;
      i += length;
    }
  }
  const take = (a: Float64Array) => a.filter((_, i) => keep[i] === 1);
  return {
    symbol: bars.symbol,
    openTimeMs: take(bars.openTimeMs),
    open: take(bars.open),
    high: take(bars.high),
    low: take(bars.low),
    close: take(bars.close),
    volume: take(bars.volume),
    spreadBps: take(bars.spreadBps),
  };
}

/** Write a generated run under `outDir` (creating folders). */
export function writeRun(outDir: string, files: Map<string, Uint8Array>): void {
  for (const [path, bytes] of files) {
    const target = join(outDir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, bytes);
  }
}

// ---------------------------------------------------------------------------------------------------------
// CLI

export function parseCliArgs(argv: string[]): { out: string; options: GenerateBaselineOptions } {
  const options: GenerateBaselineOptions = {};
  let out = '';
  const omit: string[] = [];
  for (let k = 0; k < argv.length; k++) {
    const flag = argv[k];
    const value = () => {
      const v = argv[++k];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const int = () => {
      const v = value();
      const x = Number(v);
      if (!Number.isInteger(x)) throw new Error(`${flag} expects an integer, got ${v}`);
      return x;
    };
    switch (flag) {
      case '--out': out = value(); break;
      case '--symbols': options.symbols = int(); break;
      case '--days': options.days = int(); break;
      case '--features': options.features = int(); break;
      case '--seed': options.seed = int(); break;
      case '--gaps': options.gaps = true; break;
      case '--signal': {
        const v = value();
        if (v !== 'real' && v !== 'none') throw new Error(`--signal expects real|none, got ${v}`);
        options.signal = v;
        break;
      }
      case '--event-time': {
        const v = value();
        if (!['ms', 'us', 'ns', 'iso'].includes(v)) throw new Error(`--event-time expects ms|us|ns|iso, got ${v}`);
        options.eventTime = v as EventTimeKind;
        break;
      }
      case '--codec': {
        const list = value().split(',');
        for (const c of list) if (!(c in CODECS)) throw new Error(`--codec expects snappy|gzip|zstd|brotli|none, got ${c}`);
        options.codec = list as Codec[];
        break;
      }
      case '--no-dictionary': options.dictionary = false; break;
      case '--arrow-dictionary': options.arrowDictionary = true; break;
      case '--onnx-storage': {
        const v = value();
        if (v !== 'raw' && v !== 'float') throw new Error(`--onnx-storage expects raw|float, got ${v}`);
        options.onnxStorage = v;
        break;
      }
      case '--replay-path': options.replayPath = value(); break;
      case '--no-train-manifest': options.trainManifest = false; break;
      case '--bars-csv': options.barsCsv = value().split(','); break;
      case '--integer-sample-id': options.integerSampleId = true; break;
      case '--feature-dtype': {
        const v = value();
        if (v !== 'float32' && v !== 'float64') throw new Error(`--feature-dtype expects float32|float64, got ${v}`);
        options.featureDtype = v;
        break;
      }
      case '--omit-column': omit.push(value()); break;
      case '--onnx-features': options.onnxFeatures = int(); break;
      case '--entry-rate': options.entryRate = Number(value()); break;
      case '--price-plan': {
        const v = value();
        const [stop, target, cost] = v.split(',').map(Number);
        if (![stop, target, cost].every(Number.isFinite)) throw new Error(`--price-plan expects STOP,TARGET,COST in bps, got ${v}`);
        options.pricePlan = { stopDistanceBps: stop, targetDistanceBps: target, costBps: cost };
        break;
      }
      default:
        throw new Error(`unknown flag ${flag}`);
    }
  }
  if (omit.length) options.omitColumns = omit;
  if (!out) throw new Error('--out DIR is required');
  return { out, options };
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`generateBaseline: ${(error as Error).message}`);
    process.exit(2);
  }
  const started = Date.now();
  const files = await generateBaseline(parsed.options);
  writeRun(parsed.out, files);
  let bytes = 0;
  for (const b of files.values()) bytes += b.length;
  console.log(`generateBaseline: ${files.size} files, ${(bytes / 1e6).toFixed(2)} MB in ${parsed.out} (${Date.now() - started} ms)`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
