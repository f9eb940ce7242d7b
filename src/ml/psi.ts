/**
 * Population stability index (PSI) of one feature between a reference sample (the baseline's `fit_inner` rows) and
 * a later one (`latest_stress`). DOM-free, typed arrays in.
 *
 * The binning, fixed here so that the number means the same thing on every run:
 * - Edges: the deciles of the reference's finite values, `np.percentile(ref, [10, 20, …, 90])` (linear
 *   interpolation), with repeated edges removed (`np.unique`), so a feature with few distinct values gets fewer bins.
 *   A value v goes to bin `searchsorted(edges, v, side='left')`: bins are (-∞, e1], (e1, e2], …, (ek, +∞).
 *   Deciles of the reference give it about 10 % of its rows per bin, which keeps every reference share well away
 *   from zero.
 * - Missing: null, NaN and ±Inf count in a separate "missing" bin (the frozen models read them as 0, so a feature
 *   that goes missing is a shift worth seeing). The bin is left out when neither sample has a missing value.
 * - Shares are counts over all rows of the sample (missing included). An empty bin's share is raised to
 *   `PSI_EPSILON` = 1e-4 so that the logarithm stays finite; that caps one empty bin's term at about
 *   0.1 · ln(0.1 / 1e-4) ≈ 0.69.
 * - PSI = Σ (actual − reference) · ln(actual / reference) over the bins. It is 0 for identical shares and grows
 *   with the shift. The usual reading: < 0.1 stable, 0.1–0.25 a moderate shift, > 0.25 a major shift.
 * - A sample with no rows gives null (nothing to compare).
 */
import { release } from '../core/release.ts';
import { percentileSorted, searchsortedLeft } from './curves.ts';

type Numbers = ArrayLike<number>;

export const PSI_EPSILON = 1e-4;
export const PSI_QUANTILES = [10, 20, 30, 40, 50, 60, 70, 80, 90] as const;
/** The usual reading of a PSI value. */
export const PSI_MODERATE = 0.1;
export const PSI_MAJOR = 0.25;

export interface PsiResult {
  /** null when either sample is empty. */
  psi: number | null;
  /** Inner bin edges (ascending, distinct); bins are (-∞, e1], …, (ek, +∞). */
  edges: number[];
  /** Share of each bin in the reference and in the later sample, before the epsilon floor; the missing bin last
   *  when present. */
  referenceShare: number[];
  actualShare: number[];
  hasMissingBin: boolean;
  referenceCount: number;
  actualCount: number;
  referenceMissing: number;
  actualMissing: number;
}

export type PsiLevel = 'stable' | 'moderate' | 'major';

export function psiLevel(psi: number): PsiLevel {
  return psi > PSI_MAJOR ? 'major' : psi >= PSI_MODERATE ? 'moderate' : 'stable';
}

/** Decile edges of the reference's finite values, deduplicated (see the module comment). */
export function psiEdges(reference: Numbers): number[] {
  // the finite values, sorted in place in an array of their own (freed once the edges are read off it)
  const finite = new Float64Array(reference.length);
  let m = 0;
  for (let i = 0; i < reference.length; i++) if (Number.isFinite(reference[i])) finite[m++] = reference[i];
  if (m === 0) return [];
  const sorted = finite.subarray(0, m).sort();
  const edges: number[] = [];
  for (const q of PSI_QUANTILES) {
    const e = percentileSorted(sorted, q);
    if (edges.length === 0 || e !== edges[edges.length - 1]) edges.push(e);
  }
  release(finite);
  return edges;
}

function binCounts(values: Numbers, edges: number[]): { counts: Float64Array; missing: number } {
  const counts = new Float64Array(edges.length + 1);
  let missing = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) missing++;
    else counts[searchsortedLeft(edges, v)]++;
  }
  return { counts, missing };
}

export function populationStabilityIndex(reference: Numbers, actual: Numbers): PsiResult {
  const edges = psiEdges(reference);
  const ref = binCounts(reference, edges);
  const act = binCounts(actual, edges);
  const hasMissingBin = ref.missing > 0 || act.missing > 0;
  const refCounts = hasMissingBin ? [...ref.counts, ref.missing] : [...ref.counts];
  const actCounts = hasMissingBin ? [...act.counts, act.missing] : [...act.counts];
  const nRef = reference.length;
  const nAct = actual.length;
  const referenceShare = refCounts.map((c) => (nRef > 0 ? c / nRef : 0));
  const actualShare = actCounts.map((c) => (nAct > 0 ? c / nAct : 0));
  let psi: number | null = null;
  if (nRef > 0 && nAct > 0) {
    psi = 0;
    for (let b = 0; b < refCounts.length; b++) {
      const e = Math.max(referenceShare[b], PSI_EPSILON);
      const a = Math.max(actualShare[b], PSI_EPSILON);
      psi += (a - e) * Math.log(a / e);
    }
  }
  return {
    psi,
    edges,
    referenceShare,
    actualShare,
    hasMissingBin,
    referenceCount: nRef,
    actualCount: nAct,
    referenceMissing: ref.missing,
    actualMissing: act.missing,
  };
}
