/**
 * How far a float32 run (wasm, WebGPU) lands from the exact float64 path on the same inputs. The float32 paths
 * must reach the same verdict; the run reports the largest metric difference so a reader can judge the rest.
 *
 * The experiment (or its runner) fits once on its chosen backend and once on `cpu`, then calls
 * `compareToFloat64({ results, verdict }, { results, verdict })` with the seed-shaped `state_continue_result.json`
 * content (`results[`${side}_${featureSet}`][split][metric]`) and `state_continue_verdict.json` content. The
 * shapes are walked generically, so the risk filter's training block can be compared the same way.
 */

export interface MetricDifference {
  /** Dotted path of the leaf, e.g. `long_market_plus_state.validation_locked.continue_auc`. */
  path: string;
  device: number;
  float64: number;
  absolute: number;
  /** absolute / |float64| (Infinity when float64 is 0 and they differ). */
  relative: number;
}

export interface Float64Comparison {
  /** Verdict status, passed checks and reasons agree (numbers in reasons within the tolerance below). */
  sameVerdict: boolean;
  /** What differs in the verdict, in words. */
  verdictDifferences: string[];
  /** Numeric leaves that both runs have, largest absolute difference first. */
  differences: MetricDifference[];
  /** `differences[0]`, or null when there is no numeric leaf. */
  largest: MetricDifference | null;
  /** The leaf with the largest relative difference (|float64| > 0), or null. */
  largestRelative: MetricDifference | null;
  /** Leaves whose kind differs or that one run lacks (`path: device vs float64`), and differing non-numbers. */
  mismatches: string[];
}

export interface CompareOptions {
  /** Leaf keys left out of `differences` (they are not metrics: an optimiser may take another number of steps). */
  ignoreKeys?: readonly string[];
  /** A number inside a verdict reason agrees when |a − b| ≤ absolute + relative·|b| (SPEC §6: AUC 5e-4, MAE 5e-3). */
  reasonNumberTolerance?: { absolute: number; relative: number };
}

export const DEFAULT_IGNORED_KEYS: readonly string[] = ['regressor_iterations', 'n_iter', 'iterations'];

export function compareToFloat64(
  device: { results: unknown; verdict?: unknown },
  float64: { results: unknown; verdict?: unknown },
  options: CompareOptions = {},
): Float64Comparison {
  const ignore = new Set(options.ignoreKeys ?? DEFAULT_IGNORED_KEYS);
  const differences: MetricDifference[] = [];
  const mismatches: string[] = [];
  walk(device.results, float64.results, '', ignore, differences, mismatches);
  differences.sort((a, b) => b.absolute - a.absolute || a.path.localeCompare(b.path));
  const verdictDifferences =
    device.verdict === undefined && float64.verdict === undefined
      ? []
      : compareVerdicts(device.verdict, float64.verdict, options.reasonNumberTolerance ?? { absolute: 5e-4, relative: 5e-3 });
  return {
    sameVerdict: verdictDifferences.length === 0,
    verdictDifferences,
    differences,
    largest: differences[0] ?? null,
    largestRelative: differences.reduce<MetricDifference | null>(
      (best, d) => (Number.isFinite(d.relative) && (!best || d.relative > best.relative) ? d : best),
      null,
    ),
    mismatches,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function walk(
  a: unknown,
  b: unknown,
  path: string,
  ignore: Set<string>,
  differences: MetricDifference[],
  mismatches: string[],
): void {
  const key = path.slice(path.lastIndexOf('.') + 1);
  if (ignore.has(key)) return;
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) && Number.isNaN(b)) return;
    const absolute = a === b ? 0 : Math.abs(a - b);
    const relative = absolute === 0 ? 0 : b === 0 ? Infinity : absolute / Math.abs(b);
    differences.push({ path, device: a, float64: b, absolute: Number.isNaN(absolute) ? Infinity : absolute, relative });
    return;
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) walk(a[k], b[k], path ? `${path}.${k}` : k, ignore, differences, mismatches);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((item, i) => walk(item, b[i], `${path}[${i}]`, ignore, differences, mismatches));
    return;
  }
  if (kind(a) !== kind(b)) {
    mismatches.push(`${path}: ${describe(a)} vs ${describe(b)}`);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) mismatches.push(`${path}: ${a.length} items vs ${b.length}`);
  else if (a !== b) mismatches.push(`${path}: ${describe(a)} vs ${describe(b)}`);
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (isRecord(value) || Array.isArray(value)) return kind(value);
  return String(value);
}

const NUMBER = /-?\d+(?:\.\d+)?(?:e[+-]?\d+)?/gi;

function compareVerdicts(a: unknown, b: unknown, tolerance: { absolute: number; relative: number }): string[] {
  if (!isRecord(a) || !isRecord(b)) return [`verdict: ${describe(a)} vs ${describe(b)}`];
  const out: string[] = [];
  if (a.status !== b.status) out.push(`status: ${describe(a.status)} vs ${describe(b.status)}`);
  const checksA = Array.isArray(a.passed_checks) ? a.passed_checks : [];
  const checksB = Array.isArray(b.passed_checks) ? b.passed_checks : [];
  if (JSON.stringify(checksA) !== JSON.stringify(checksB)) {
    out.push(`passed_checks: ${JSON.stringify(checksA)} vs ${JSON.stringify(checksB)}`);
  }
  const reasonsA = Array.isArray(a.reasons) ? a.reasons.map(String) : [];
  const reasonsB = Array.isArray(b.reasons) ? b.reasons.map(String) : [];
  const n = Math.max(reasonsA.length, reasonsB.length);
  for (let i = 0; i < n; i++) {
    const ra = reasonsA[i];
    const rb = reasonsB[i];
    if (ra === rb) continue;
    if (ra === undefined || rb === undefined || !sameUpToNumbers(ra, rb, tolerance)) {
      out.push(`reason ${i + 1}: ${describe(ra)} vs ${describe(rb)}`);
    }
  }
  return out;
}

/** Same words, and every number within tolerance (the reasons quote metrics). */
function sameUpToNumbers(a: string, b: string, tolerance: { absolute: number; relative: number }): boolean {
  if (a.replace(NUMBER, '#') !== b.replace(NUMBER, '#')) return false;
  const na = a.match(NUMBER) ?? [];
  const nb = b.match(NUMBER) ?? [];
  return na.every((s, i) => {
    const x = Number(s);
    const y = Number(nb[i]);
    return Math.abs(x - y) <= tolerance.absolute + tolerance.relative * Math.abs(y);
  });
}

/** Largest |a[i] − b[i]| of two prediction columns (NaN on both sides agrees); throws when the lengths differ. */
export function largestColumnDifference(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
): { index: number; device: number; float64: number; absolute: number } | null {
  if (a.length !== b.length) throw new Error(`largestColumnDifference: ${a.length} values vs ${b.length}`);
  let best: { index: number; device: number; float64: number; absolute: number } | null = null;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) && Number.isNaN(b[i])) continue;
    const d = Math.abs(a[i] - b[i]);
    const absolute = Number.isNaN(d) ? Infinity : d;
    if (!best || absolute > best.absolute) best = { index: i, device: a[i], float64: b[i], absolute };
  }
  return best;
}
