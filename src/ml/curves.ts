/**
 * Curves the report plots, computed as scikit-learn 1.2 computes them so that a researcher can redraw them in
 * Python and get the same points. DOM-free; typed arrays in, small plain arrays out (they are stored with the run).
 *
 * - `rocCurve`: `sklearn.metrics.roc_curve` (distinct thresholds in decreasing order, a first point at (0, 0)
 *   with threshold +Inf = sklearn's `thresholds[0] + 1`; `dropIntermediate` as sklearn's default).
 * - `calibrationCurve`: `sklearn.calibration.calibration_curve` (`uniform` or `quantile` bins, empty bins left out),
 *   with each kept bin's row count (sklearn does not return it; the plot needs it to show how much a point weighs).
 * - `binnedMeans`: predicted against realised edge, mean of each in quantile bins of the prediction.
 * - `thinCurve`: fewer points for the page, keeping the curve's shape (first, last, and evenly spaced bends).
 */
import { gather, typedCopy } from '../core/arrays.ts';

type Numbers = ArrayLike<number>;

export interface RocCurve {
  fpr: number[];
  tpr: number[];
  /** Score threshold of each point; the first is `max score + 1`, as scikit-learn 1.2 writes it. */
  thresholds: number[];
  /** Positives and negatives counted. */
  positives: number;
  negatives: number;
  /** Area under the points by the trapezoid rule (np.trapz); null when one class is absent. */
  auc: number | null;
}

/**
 * `roc_curve(y, score, drop_intermediate)`: y are 0/1 labels. Rows whose score is NaN are an error (scikit-learn
 * refuses them too). With one class only the curve still exists (sklearn warns and gives NaN rates): we return
 * the counts and an empty curve so that a plot can say why it is empty.
 */
export function rocCurve(y: Numbers, score: Numbers, options: { dropIntermediate?: boolean } = {}): RocCurve {
  const n = y.length;
  if (score.length !== n) throw new Error(`rocCurve: ${n} labels but ${score.length} scores`);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(score[i])) throw new Error(`rocCurve: score at row ${i} is NaN`);
    order[i] = i;
  }
  // Descending score, stable (sklearn uses a stable mergesort on -score).
  order.sort((a, b) => score[b] - score[a] || a - b);
  const tps: number[] = [];
  const fps: number[] = [];
  const thr: number[] = [];
  let tp = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k];
    if (y[i] === 1) tp++;
    else if (y[i] !== 0) throw new Error(`rocCurve: label ${y[i]} at row ${i} is not 0 or 1`);
    if (k === n - 1 || score[order[k + 1]] !== score[i]) {
      tps.push(tp);
      fps.push(k + 1 - tp);
      thr.push(score[i]);
    }
  }
  const positives = tp;
  const negatives = n - tp;
  if (positives === 0 || negatives === 0) return { fpr: [], tpr: [], thresholds: [], positives, negatives, auc: null };
  let keep = tps.map((_, k) => k);
  if (options.dropIntermediate ?? true) {
    // sklearn: np.where(np.r_[True, np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), True])
    const m = tps.length;
    keep = [];
    for (let k = 0; k < m; k++) {
      if (k === 0 || k === m - 1) keep.push(k);
      else {
        const d2f = fps[k + 1] - 2 * fps[k] + fps[k - 1];
        const d2t = tps[k + 1] - 2 * tps[k] + tps[k - 1];
        if (d2f !== 0 || d2t !== 0) keep.push(k);
      }
    }
  }
  const fpr = [0];
  const tpr = [0];
  const thresholds = [thr[0] + 1];
  for (const k of keep) {
    fpr.push(fps[k] / negatives);
    tpr.push(tps[k] / positives);
    thresholds.push(thr[k]);
  }
  return { fpr, tpr, thresholds, positives, negatives, auc: trapezoid(fpr, tpr) };
}

/** np.trapz(y, x). */
export function trapezoid(x: number[], y: number[]): number {
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return area;
}

export interface CalibrationCurve {
  /** Share of positives in each non-empty bin (sklearn's prob_true). */
  fractionPositive: number[];
  /** Mean predicted probability in each non-empty bin (sklearn's prob_pred). */
  meanPredicted: number[];
  /** Rows in each non-empty bin. */
  count: number[];
  /** The bin edges used (n_bins + 1 of them). */
  edges: number[];
}

/**
 * `calibration_curve(y, prob, n_bins, strategy)`. Uniform: edges `linspace(0, 1, n_bins + 1)`. Quantile: edges
 * `np.percentile(prob, linspace(0, 100, n_bins + 1))` (linear interpolation). A row goes to bin
 * `searchsorted(edges[1:-1], p, side='left')`, i.e. bins are closed on the right except the first.
 */
export function calibrationCurve(y: Numbers, prob: Numbers, nBins = 10, strategy: 'uniform' | 'quantile' = 'uniform'): CalibrationCurve {
  const n = y.length;
  if (prob.length !== n) throw new Error(`calibrationCurve: ${n} labels but ${prob.length} probabilities`);
  if (!(nBins >= 1)) throw new Error(`calibrationCurve: nBins must be at least 1, got ${nBins}`);
  for (let i = 0; i < n; i++) {
    if (!(prob[i] >= 0 && prob[i] <= 1)) throw new Error(`calibrationCurve: probability ${prob[i]} at row ${i} is outside [0, 1]`);
  }
  let edges: number[];
  if (strategy === 'quantile') {
    const sorted = typedCopy(Float64Array, prob).sort();
    // sklearn: np.percentile(y_prob, np.linspace(0, 1, n_bins + 1) * 100)
    edges = linspace(0, 1, nBins + 1).map((q) => percentileSorted(sorted, q * 100));
  } else {
    edges = linspace(0, 1, nBins + 1);
  }
  const inner = edges.slice(1, -1);
  const sums = new Float64Array(nBins);
  const trues = new Float64Array(nBins);
  const totals = new Float64Array(nBins);
  for (let i = 0; i < n; i++) {
    const b = searchsortedLeft(inner, prob[i]);
    sums[b] += prob[i];
    trues[b] += y[i];
    totals[b] += 1;
  }
  const out: CalibrationCurve = { fractionPositive: [], meanPredicted: [], count: [], edges };
  for (let b = 0; b < nBins; b++) {
    if (totals[b] === 0) continue;
    out.fractionPositive.push(trues[b] / totals[b]);
    out.meanPredicted.push(sums[b] / totals[b]);
    out.count.push(totals[b]);
  }
  return out;
}

export interface BinnedMeans {
  /** Mean of x in each non-empty bin. */
  meanX: number[];
  /** Mean of y in each non-empty bin. */
  meanY: number[];
  count: number[];
  edges: number[];
}

/**
 * Mean of x and of y in `nBins` quantile bins of x (edges as calibrationCurve's quantile strategy; repeated edges
 * give empty bins, which are left out). Used for predicted against realised continue edge: a well-ranked regressor
 * gives points that rise along the diagonal. Rows where x or y is not finite are skipped.
 */
export function binnedMeans(x: Numbers, y: Numbers, nBins = 10): BinnedMeans {
  const n = x.length;
  if (y.length !== n) throw new Error(`binnedMeans: ${n} x values but ${y.length} y values`);
  const finite: number[] = [];
  for (let i = 0; i < n; i++) if (Number.isFinite(x[i]) && Number.isFinite(y[i])) finite.push(i);
  if (finite.length === 0) return { meanX: [], meanY: [], count: [], edges: [] };
  const sorted = gather(Float64Array, x, finite).sort();
  const // sklearn: np.percentile(y_prob, np.linspace(0, 1, n_bins + 1) * 100)
    edges = linspace(0, 1, nBins + 1).map((q) => percentileSorted(sorted, q * 100));
  const inner = edges.slice(1, -1);
  const sx = new Float64Array(nBins);
  const sy = new Float64Array(nBins);
  const c = new Float64Array(nBins);
  for (const i of finite) {
    const b = searchsortedLeft(inner, x[i]);
    sx[b] += x[i];
    sy[b] += y[i];
    c[b] += 1;
  }
  const out: BinnedMeans = { meanX: [], meanY: [], count: [], edges };
  for (let b = 0; b < nBins; b++) {
    if (c[b] === 0) continue;
    out.meanX.push(sx[b] / c[b]);
    out.meanY.push(sy[b] / c[b]);
    out.count.push(c[b]);
  }
  return out;
}

/** np.percentile(a, q) with linear interpolation, on an ascending array (NaN for an empty one). */
export function percentileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  // numpy 1.24 'linear': virtual index (n - 1) * (q / 100).
  const pos = (n - 1) * (q / 100);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  const frac = pos - lo;
  // numpy's _lerp: a + (b - a) * t, switched to b - (b - a) * (1 - t) for t >= 0.5 (exact at the ends).
  const a = sorted[lo];
  const b = sorted[hi];
  const diff = b - a;
  return frac >= 0.5 ? b - diff * (1 - frac) : a + diff * frac;
}

/** np.searchsorted(edges, v, side='left'): the number of edges strictly below v. */
export function searchsortedLeft(edges: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** np.linspace(a, b, n) as numpy computes it (step multiplied, last value exact). */
export function linspace(a: number, b: number, n: number): number[] {
  if (n === 1) return [a];
  const step = (b - a) / (n - 1);
  const out = Array.from({ length: n }, (_, i) => a + i * step);
  out[n - 1] = b;
  return out;
}

/**
 * At most `maxPoints` points of a monotone curve (ROC), for drawing: the first and last are kept and the rest
 * chosen evenly by index. The area of the thinned curve is not the model's AUC: always report `RocCurve.auc`.
 */
export function thinCurve(x: number[], y: number[], maxPoints: number): { x: number[]; y: number[] } {
  const n = x.length;
  if (n <= maxPoints || maxPoints < 2) return { x: [...x], y: [...y] };
  const ox: number[] = [];
  const oy: number[] = [];
  for (let k = 0; k < maxPoints; k++) {
    const i = Math.round((k * (n - 1)) / (maxPoints - 1));
    ox.push(x[i]);
    oy.push(y[i]);
  }
  return { x: ox, y: oy };
}
