/**
 * The seed's metrics, computed the way scikit-learn 1.2 / numpy 1.24 compute them (same operations, numpy's
 * pairwise summation), so that they agree to the last bits rather than merely within tolerance.
 */
import { pairwiseSum } from './numpySum.ts';
import { release } from '../core/release.ts';
import { typedCopy } from '../core/arrays.ts';

type Numbers = ArrayLike<number>;

/** np.mean of a 1-D array (NaN for an empty one, as numpy). */
export function mean(a: Numbers): number {
  if (a.length === 0) return NaN;
  return (0 + pairwiseSum(a, 0, a.length, 1)) / a.length;
}

/** np.median: the middle value, or the mean of the two middle values; NaN if empty or any value is NaN. */
export function median(a: Numbers): number {
  const n = a.length;
  if (n === 0) return NaN;
  const sorted = typedCopy(Float64Array, a);
  let value = NaN;
  let hasNaN = false;
  for (let i = 0; i < n && !hasNaN; i++) hasNaN = sorted[i] !== sorted[i];
  if (!hasNaN) {
    sorted.sort();
    const h = n >> 1;
    value = n % 2 === 1 ? sorted[h] : (-0.0 + sorted[h - 1] + sorted[h]) / 2;
  }
  // the metrics' temporaries (a few MB each on L) are freed at once, not left to the collector (see release.ts)
  release(sorted);
  return value;
}

/** brier_score_loss(y, p): mean of (y − p)²; y are 0/1 labels. */
export function brierScore(y: Numbers, p: Numbers): number {
  checkLengths(y, p, 'brierScore');
  const sq = new Float64Array(y.length);
  for (let i = 0; i < sq.length; i++) {
    const e = y[i] - p[i];
    sq[i] = e * e;
  }
  const value = mean(sq);
  release(sq);
  return value;
}

/** mean_absolute_error(y, pred): mean of |pred − y|. */
export function meanAbsoluteError(y: Numbers, pred: Numbers): number {
  checkLengths(y, pred, 'meanAbsoluteError');
  const abs = new Float64Array(y.length);
  for (let i = 0; i < abs.length; i++) abs[i] = Math.abs(pred[i] - y[i]);
  const value = mean(abs);
  release(abs);
  return value;
}

/**
 * roc_auc_score(y, score) for 0/1 labels: tied scores get half credit. Returns null when only one class occurs
 * (sklearn raises; the seed then leaves `continue_auc` out). Follows `_binary_clf_curve` (distinct thresholds,
 * drop_intermediate) and `np.trapz`, O(n log n).
 */
export function rocAuc(y: Numbers, score: Numbers): number | null {
  checkLengths(y, score, 'rocAuc');
  const n = y.length;
  // Only the cumulative counts at each distinct score matter (ties share one point), so the scores of each class
  // are sorted on their own with the native numeric sort and merged from the top: no comparator sort of indexes.
  let positives = 0;
  for (let i = 0; i < n; i++) {
    if (y[i] === 1) positives++;
    else if (y[i] !== 0) throw new Error(`rocAuc: label ${y[i]} at row ${i} is not 0 or 1`);
    // sklearn rejects NaN scores too ("Input contains NaN"); here one would also stall the merge below
    if (score[i] !== score[i]) throw new Error(`rocAuc: score at row ${i} is NaN`);
  }
  const pos = new Float64Array(positives);
  const neg = new Float64Array(n - positives);
  for (let i = 0, a = 0, b = 0; i < n; i++) {
    if (y[i] === 1) pos[a++] = score[i];
    else neg[b++] = score[i];
  }
  pos.sort();
  neg.sort();
  // cumulative true/false positives at the last index of each distinct score, in descending score order (at most
  // one point per row: typed arrays, not JS arrays grown point by point)
  const tps = new Float64Array(n);
  const fps = new Float64Array(n);
  let m = 0;
  let tp = 0;
  let fp = 0;
  let a = pos.length - 1;
  let b = neg.length - 1;
  while (a >= 0 || b >= 0) {
    const top = a < 0 ? neg[b] : b < 0 ? pos[a] : Math.max(pos[a], neg[b]);
    while (a >= 0 && pos[a] === top) {
      tp++;
      a--;
    }
    while (b >= 0 && neg[b] === top) {
      fp++;
      b--;
    }
    tps[m] = tp;
    fps[m] = fp;
    m++;
  }
  release(pos, neg);
  const totalP = tp;
  const totalN = n - tp;
  if (totalP === 0 || totalN === 0) {
    release(tps, fps);
    return null;
  }
  // drop_intermediate: keep the first, the last and every point where the curve bends; then prepend (0, 0)
  const fx = new Float64Array(m + 1);
  const ty = new Float64Array(m + 1);
  let points = 1;
  for (let k = 0; k < m; k++) {
    let keep = k === 0 || k === m - 1;
    if (!keep) {
      const d2f = fps[k + 1] - 2 * fps[k] + fps[k - 1];
      const d2t = tps[k + 1] - 2 * tps[k] + tps[k - 1];
      keep = d2f !== 0 || d2t !== 0;
    }
    if (keep) {
      fx[points] = fps[k];
      ty[points] = tps[k];
      points++;
    }
  }
  const lastF = fx[points - 1];
  const lastT = ty[points - 1];
  const terms = new Float64Array(points - 1);
  let prevF = fx[0] / lastF;
  let prevT = ty[0] / lastT;
  for (let k = 1; k < points; k++) {
    const fpr = fx[k] / lastF;
    const tpr = ty[k] / lastT;
    terms[k - 1] = ((fpr - prevF) * (tpr + prevT)) / 2.0;
    prevF = fpr;
    prevT = tpr;
  }
  const auc = 0 + pairwiseSum(terms, 0, terms.length, 1);
  release(tps, fps, fx, ty, terms);
  return auc;
}

function checkLengths(a: Numbers, b: Numbers, who: string): void {
  if (a.length !== b.length) throw new Error(`${who}: ${a.length} labels but ${b.length} values`);
}
