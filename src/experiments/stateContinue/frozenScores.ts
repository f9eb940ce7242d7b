/**
 * The frozen baseline models' outputs per sample (the seed's `_frozen_entry_scores_by_sample`): the features of
 * the first row of every sample_id (as `drop_duplicates("sample_id")`), coerced to numbers, ±Inf/NaN set to 0,
 * float32, then `x·W + B` per head and softmax / sigmoid (clipped to ±50) / identity.
 *
 * numpy multiplies in float32 through BLAS; we accumulate in float64 and round once to float32, which lands within
 * ~2e-5 of it (SPEC §6 allows 5e-5).
 */
import type { Column, Frame } from '../../data/frame.ts';
import { dotRows } from '../../ml/linear.ts';
import { InputError } from '../../core/errors.ts';
import { DIRECTION_HEAD, ENTRY_HEADS } from '../../core/constants.ts';
import type { OnnxTensor } from './inputs.ts';
import { dictionarySize, matchDictionary } from './join.ts';
import { release } from '../../core/release.ts';
import { gather, positionsWhere } from '../../core/arrays.ts';

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

/** The activation of each of the entry model's heads (`ENTRY_HEADS`, in that order). */
const ENTRY_HEAD_KINDS: HeadKind[] = ['sigmoid', 'sigmoid', 'identity', 'identity'];

const NUMERIC_TEXT = /^[+-]?(?:\d+(?:_\d+)*\.?\d*(?:_\d+)*|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?(?:inf|infinity|nan)$/i;

/** The numbers of a string column's dictionary as `pd.to_numeric(errors="coerce")` reads them (NaN where it cannot). */
function numbersOfText(dictionary: string[]): Float64Array {
  return Float64Array.from(dictionary, (text) => {
    const t = text.trim();
    if (!NUMERIC_TEXT.test(t)) return NaN;
    const lower = t.toLowerCase().replace(/_/g, '');
    if (lower.endsWith('inf') || lower.endsWith('infinity')) return lower.startsWith('-') ? -Infinity : Infinity;
    return Number(lower);
  });
}

/**
 * Column j of the float32 design matrix `x` (row-major, `f` columns) for the rows `rows[from..to)`, into x's rows
 * 0..to-from: `pd.to_numeric(errors="coerce")`, ±Inf/NaN → 0, then `astype(float32)` (the store rounds, and a
 * float64 beyond float32's range becomes ±Inf, as numpy does). `parsed` is a string column's dictionary as numbers.
 */
function designColumn(column: Column, parsed: Float64Array | null, rows: Int32Array, from: number, to: number, x: Float32Array, f: number, j: number): void {
  const finite = (v: number) => (Number.isFinite(v) ? v : 0);
  switch (column.kind) {
    case 'number': {
      const values = column.values;
      for (let i = from, at = j; i < to; i++, at += f) x[at] = finite(values[rows[i]]);
      break;
    }
    case 'bool':
      for (let i = from, at = j; i < to; i++, at += f) {
        const v = column.values[rows[i]];
        x[at] = v === 255 ? 0 : v;
      }
      break;
    case 'timestamp':
      for (let i = from, at = j; i < to; i++, at += f) x[at] = finite(column.micros[rows[i]] * 1000);
      break;
    case 'string':
      for (let i = from, at = j; i < to; i++, at += f) {
        const code = column.codes[rows[i]];
        x[at] = code < 0 ? 0 : finite(parsed![code]);
      }
      break;
  }
}

function featureColumn(feature: Frame, name: string): Column {
  const column = feature.columns[name];
  if (!column) throw new InputError(`feature/feature_frame.parquet: missing feature column ${name}`);
  return column;
}

/**
 * Rows of the first occurrence of each sample_id among `rows` (ascending row numbers), as drop_duplicates keeps
 * them (nulls are one value).
 */
export function firstRowPerSample(sampleId: Column, rows: Int32Array): Int32Array {
  const n = rows.length;
  if (sampleId.kind === 'string') {
    const dictionary = sampleId.utf8 ?? sampleId.dictionary;
    const entries = dictionarySize(dictionary);
    const seen = new Uint8Array(entries + 1);
    // Equal values may sit under two dictionary codes; fold them first.
    // (the table's own folding is shared with the entry set's match: not this function's to free)
    const folded = matchDictionary([], dictionary).to;
    let canonical = folded;
    if (!canonical) {
      // each code its own (a loop: Int32Array.from over a JS array iterates it, an object per entry)
      canonical = new Int32Array(entries);
      for (let code = 0; code < canonical.length; code++) canonical[code] = code;
    }
    // a typed array filled then cut, not a JS array grown row by row (~900k rows on L, left in the heap)
    const out = new Int32Array(n);
    let kept = 0;
    for (let i = 0; i < n; i++) {
      const code = sampleId.codes[rows[i]];
      const slot = code < 0 ? entries : canonical[code];
      if (seen[slot]) continue;
      seen[slot] = 1;
      out[kept++] = rows[i];
    }
    const first = out.slice(0, kept);
    release(seen, out, folded ? null : canonical);
    return first;
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
  const positions = positionsWhere(n, (i) => keep[i] === 1);
  const out = gather(Int32Array, rows, positions);
  release(order, keep, positions);
  return out;
}

/** The float32 design matrix of the frozen models: row-major, ±Inf/NaN → 0 (the onnxruntime cross-check's input). */
export function frozenDesignMatrix(feature: Frame, rows: Int32Array, featureOrder: string[]): Float32Array {
  const f = featureOrder.length;
  const x = new Float32Array(rows.length * f);
  featureOrder.forEach((name, j) => {
    const column = featureColumn(feature, name);
    designColumn(column, column.kind === 'string' ? numbersOfText(column.dictionary) : null, rows, 0, rows.length, x, f, j);
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

/** Rows per block of the head sums: a block of the float32 design matrix stays in the cache for every head. */
const SCORE_BLOCK_ROWS = 1024;

/**
 * Every head's scores of the rows `rows`: z[k][i] = Σ_j x[i, j]·W[k][j] by `dotRows` over the float32 design
 * matrix (j ascending, float64: the bits of the plain loop), then each head's activation, one block of rows at a
 * time. The design matrix and the sums exist for one block only (whole, they were ~50 MB of float64 sums and
 * hundreds of MB of matrix on a large run); only the float32 scores are kept.
 */
function scoreHeads(feature: Frame, rows: Int32Array, featureOrder: string[], weights: Float64Array[], heads: readonly ScoredHead[]): Float32Array[][] {
  const n = rows.length;
  const f = featureOrder.length;
  const columns = featureOrder.map((name) => featureColumn(feature, name));
  const parsed = columns.map((c) => (c.kind === 'string' ? numbersOfText(c.dictionary) : null));
  const sums = weights.map(() => new Float64Array(SCORE_BLOCK_ROWS));
  const outs = heads.map((h) => h.columns.map(() => new Float32Array(n)));
  const headSums = heads.map((h) => h.columns.map((k) => sums[k]));
  const x = new Float32Array(SCORE_BLOCK_ROWS * f);
  for (let from = 0; from < n; from += SCORE_BLOCK_ROWS) {
    const to = Math.min(n, from + SCORE_BLOCK_ROWS);
    const len = to - from;
    for (let j = 0; j < f; j++) designColumn(columns[j], parsed[j], rows, from, to, x, f, j);
    for (let k = 0; k < weights.length; k++) dotRows(x, len, f, weights[k], sums[k].subarray(0, len));
    heads.forEach((h, i) => scoreHead(headSums[i], len, h.b, h.kind, outs[i], from));
  }
  return outs;
}

/** A head to score: the columns of the sums it reads, its bias and its activation. */
interface ScoredHead {
  columns: number[];
  b: Float32Array;
  kind: HeadKind;
}

/** Head column k's weights W[:, k] as float64. */
function headWeights(w: Float32Array, f: number, width: number, k: number): Float64Array {
  const wk = new Float64Array(f);
  for (let j = 0; j < f; j++) wk[j] = w[j * width + k];
  return wk;
}

/** outs[k][offset + i] = activation(z[i, :] + B)[k] for the block's `len` rows, float32 results, from its sums. */
function scoreHead(sums: Float64Array[], len: number, b: Float32Array, kind: HeadKind, outs: Float32Array[], offset: number): void {
  const width = sums.length;
  const z = new Float64Array(width);
  for (let i = 0; i < len; i++) {
    for (let k = 0; k < width; k++) z[k] = Math.fround(Math.fround(sums[k][i]) + b[k]);
    const at = offset + i;
    if (kind === 'softmax') {
      let max = -Infinity;
      for (let k = 0; k < width; k++) max = Math.max(max, z[k]);
      let sum = 0;
      for (let k = 0; k < width; k++) {
        z[k] = Math.exp(z[k] - max);
        sum += z[k];
      }
      for (let k = 0; k < width; k++) outs[k][at] = z[k] / sum;
    } else if (kind === 'sigmoid') {
      for (let k = 0; k < width; k++) outs[k][at] = 1 / (1 + Math.exp(-Math.min(50, Math.max(-50, z[k]))));
    } else {
      for (let k = 0; k < width; k++) outs[k][at] = z[k];
    }
  }
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
  const d = head(direction, DIRECTION_FILE, DIRECTION_HEAD, f, 3);
  const entryHeads = ENTRY_HEADS.map((name) => head(entry, ENTRY_FILE, name, f, 1));
  // every head's sums in one pass over the features: the direction head's three columns, then one per entry head
  const weights = [0, 1, 2].map((k) => headWeights(d.w, f, 3, k)).concat(entryHeads.map((h) => headWeights(h.w, f, 1, 0)));
  const heads: ScoredHead[] = [{ columns: [0, 1, 2], b: d.b, kind: 'softmax' }, ...ENTRY_HEAD_KINDS.map((kind, h) => ({ columns: [3 + h], b: entryHeads[h].b, kind }))];
  const [[longProb, shortProb, neutralProb], ...entryScores] = scoreHeads(feature, sampleRows, featureOrder, weights, heads);
  const [longEntry, shortEntry, longEdge, shortEdge] = entryScores.map((s) => s[0]);
  return {
    sampleRows,
    frozen_long_prob: longProb,
    frozen_short_prob: shortProb,
    frozen_neutral_prob: neutralProb,
    frozen_long_entry_prob: longEntry,
    frozen_short_entry_prob: shortEntry,
    frozen_long_expected_net_edge_bps: longEdge,
    frozen_short_expected_net_edge_bps: shortEdge,
  };
}
