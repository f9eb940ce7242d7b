/**
 * The frozen baseline models' outputs per sample (the seed's `_frozen_entry_scores_by_sample`): the features of
 * the first row of every sample_id (as `drop_duplicates("sample_id")`), coerced to numbers, ±Inf/NaN set to 0,
 * float32, then `x·W + B` per head and softmax / sigmoid (clipped to ±50) / identity.
 *
 * numpy multiplies in float32 through BLAS; we accumulate in float64 and round once to float32, which lands within
 * ~2e-5 of it (SPEC §6 allows 5e-5).
 */
import { dotRows } from '../../ml/linear.ts';
import type { Column, Frame } from '../../data/frame.ts';
import { InputError } from '../../core/errors.ts';
import { DIRECTION_HEAD, ENTRY_HEADS } from '../../core/constants.ts';
import type { OnnxTensor } from './inputs.ts';
import { matchDictionary } from './join.ts';

export const DIRECTION_FILE = 'model/direction/direction.onnx';
export const ENTRY_FILE = 'model/entry/entry.onnx';

export interface FrozenScores {
  /** Row (of the feature frame) of each unique sample, in order of first appearance. */
  sampleRows: Int32Array;
  frozen_long_prob: Float32Array;
  frozen_short_prob: Float32Array;
  frozen_neutral_prob: Float32Array;
  frozen_long_entry_prob: Float32Array;
  frozen_short_entry_prob: Float32Array;
  frozen_long_expected_net_edge_bps: Float32Array;
  frozen_short_expected_net_edge_bps: Float32Array;
}

type HeadKind = 'softmax' | 'sigmoid' | 'identity';

const NUMERIC_TEXT = /^[+-]?(?:\d+(?:_\d+)*\.?\d*(?:_\d+)*|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?(?:inf|infinity|nan)$/i;

/** `pd.to_numeric(errors="coerce")` of one column's rows, as float64 (NaN where it cannot). */
function coerceNumbers(column: Column, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  switch (column.kind) {
    case 'number':
      for (let i = 0; i < rows.length; i++) out[i] = column.values[rows[i]];
      return out;
    case 'bool':
      for (let i = 0; i < rows.length; i++) {
        const v = column.values[rows[i]];
        out[i] = v === 255 ? NaN : v;
      }
      return out;
    case 'timestamp':
      for (let i = 0; i < rows.length; i++) out[i] = column.micros[rows[i]] * 1000;
      return out;
    case 'string': {
      const parsed = column.dictionary.map((text) => {
        const t = text.trim();
        if (!NUMERIC_TEXT.test(t)) return NaN;
        const lower = t.toLowerCase().replace(/_/g, '');
        if (lower.endsWith('inf') || lower.endsWith('infinity')) return lower.startsWith('-') ? -Infinity : Infinity;
        return Number(lower);
      });
      for (let i = 0; i < rows.length; i++) {
        const code = column.codes[rows[i]];
        out[i] = code < 0 ? NaN : parsed[code];
      }
      return out;
    }
  }
}

/**
 * Rows of the first occurrence of each sample_id among `rows` (ascending row numbers), as drop_duplicates keeps
 * them (nulls are one value).
 */
export function firstRowPerSample(sampleId: Column, rows: Int32Array): Int32Array {
  const n = rows.length;
  if (sampleId.kind === 'string') {
    const seen = new Uint8Array(sampleId.dictionary.length + 1);
    // Equal strings may sit under two dictionary codes; fold them first.
    const canonical = matchDictionary([], sampleId.dictionary).to ?? Int32Array.from(sampleId.dictionary, (_, code) => code);
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const code = sampleId.codes[rows[i]];
      const slot = code < 0 ? sampleId.dictionary.length : canonical[code];
      if (seen[slot]) continue;
      seen[slot] = 1;
      out.push(rows[i]);
    }
    return Int32Array.from(out);
  }
  if (sampleId.kind !== 'number') throw new InputError(`feature/feature_frame.parquet: sample_id must be a string or an integer, found ${sampleId.kind}`);
  const values = sampleId.values;
  // Sort positions by value (NaN last, ties by position), keep the first of each run, restore position order.
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => {
    const x = values[rows[a]];
    const y = values[rows[b]];
    const xn = x !== x;
    const yn = y !== y;
    if (xn !== yn) return xn ? 1 : -1;
    if (!xn && x !== y) return x < y ? -1 : 1;
    return a - b;
  });
  const keep = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const cur = values[rows[order[k]]];
    const prev = k > 0 ? values[rows[order[k - 1]]] : undefined;
    const same = k > 0 && (cur === prev || (cur !== cur && prev !== prev));
    if (!same) keep[order[k]] = 1;
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (keep[i]) out.push(rows[i]);
  return Int32Array.from(out);
}

/** The float32 design matrix of the frozen models: row-major, ±Inf/NaN → 0. */
export function frozenDesignMatrix(feature: Frame, rows: Int32Array, featureOrder: string[]): Float32Array {
  const n = rows.length;
  const f = featureOrder.length;
  const x = new Float32Array(n * f);
  featureOrder.forEach((name, j) => {
    const column = feature.columns[name];
    if (!column) throw new InputError(`feature/feature_frame.parquet: missing feature column ${name}`);
    const values = coerceNumbers(column, rows);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      x[i * f + j] = Number.isFinite(v) ? v : 0; // astype(float32) rounds; a float64 beyond float32's range becomes ±Inf, as numpy does
    }
  });
  return x;
}

function head(initializers: Map<string, OnnxTensor>, file: string, name: string, f: number, width: number): { w: Float32Array; b: Float32Array } {
  const w = initializers.get(`${name}_W`);
  const b = initializers.get(`${name}_B`);
  if (!w || !b) {
    throw new InputError(`${file}: missing initializers ${name}_W / ${name}_B`, [{ file, field: name, message: `missing initializers ${name}_W / ${name}_B` }]);
  }
  const wShape = w.dims.join(', ');
  if (w.dims.length !== 2 || w.dims[0] !== f || w.dims[1] !== width || b.data.length !== width || w.data.length !== f * width) {
    const message = `${name}_W has shape [${wShape}] and ${name}_B [${b.dims.join(', ')}]; expected [${f}, ${width}] and [${width}] (F = len(feature_order.json) = ${f})`;
    throw new InputError(`${file}: ${message}`, [{ file, field: name, message }]);
  }
  return { w: w.data, b: b.data };
}

/** Check F against every head of both models (the runner's check before the seed runs). */
export function checkFrozenHeads(direction: Map<string, OnnxTensor>, entry: Map<string, OnnxTensor>, f: number): void {
  head(direction, DIRECTION_FILE, DIRECTION_HEAD, f, 3);
  for (const name of ENTRY_HEADS) head(entry, ENTRY_FILE, name, f, 1);
}

/** z[i] = Σ_j x[i, j]·W[j, k] (j ascending, float64): the plain loop's bits (`dotRows`). */
function headColumn(x: Float32Array, n: number, f: number, w: Float32Array, width: number, k: number): Float64Array {
  const wk = new Float64Array(f);
  for (let j = 0; j < f; j++) wk[j] = w[j * width + k];
  return dotRows(x, n, f, wk, new Float64Array(n));
}

/** out[i, :] = activation(x[i, :]·W + B), float32 results. */
function scoreHead(x: Float32Array, n: number, f: number, w: Float32Array, b: Float32Array, width: number, kind: HeadKind): Float32Array[] {
  const outs = Array.from({ length: width }, () => new Float32Array(n));
  const sums = Array.from({ length: width }, (_, k) => headColumn(x, n, f, w, width, k));
  const z = new Float64Array(width);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < width; k++) z[k] = Math.fround(Math.fround(sums[k][i]) + b[k]);
    if (kind === 'softmax') {
      let max = -Infinity;
      for (let k = 0; k < width; k++) max = Math.max(max, z[k]);
      let sum = 0;
      for (let k = 0; k < width; k++) {
        z[k] = Math.exp(z[k] - max);
        sum += z[k];
      }
      for (let k = 0; k < width; k++) outs[k][i] = z[k] / sum;
    } else if (kind === 'sigmoid') {
      for (let k = 0; k < width; k++) outs[k][i] = 1 / (1 + Math.exp(-Math.min(50, Math.max(-50, z[k]))));
    } else {
      for (let k = 0; k < width; k++) outs[k][i] = z[k];
    }
  }
  return outs;
}

/** The seed's frozen scores of the (already filtered) feature frame rows `rows`. */
export function computeFrozenScores(
  feature: Frame,
  rows: Int32Array,
  featureOrder: string[],
  direction: Map<string, OnnxTensor>,
  entry: Map<string, OnnxTensor>,
): FrozenScores {
  const f = featureOrder.length;
  checkFrozenHeads(direction, entry, f);
  const sampleRows = firstRowPerSample(feature.columns.sample_id, rows);
  const n = sampleRows.length;
  const x = frozenDesignMatrix(feature, sampleRows, featureOrder);
  const d = head(direction, DIRECTION_FILE, DIRECTION_HEAD, f, 3);
  const [longProb, shortProb, neutralProb] = scoreHead(x, n, f, d.w, d.b, 3, 'softmax');
  const one = (name: string, kind: HeadKind) => {
    const h = head(entry, ENTRY_FILE, name, f, 1);
    return scoreHead(x, n, f, h.w, h.b, 1, kind)[0];
  };
  return {
    sampleRows,
    frozen_long_prob: longProb,
    frozen_short_prob: shortProb,
    frozen_neutral_prob: neutralProb,
    frozen_long_entry_prob: one('long_entry_prob', 'sigmoid'),
    frozen_short_entry_prob: one('short_entry_prob', 'sigmoid'),
    frozen_long_expected_net_edge_bps: one('long_expected_net_edge_bps', 'identity'),
    frozen_short_expected_net_edge_bps: one('short_expected_net_edge_bps', 'identity'),
  };
}
