// Compare two lines of text that carry numbers (the seed's verdict reasons and report lines): the words must be
// identical, each number within the tolerance its context calls for, and a number the seed spelled as a Python
// float (0.6, 1.0) must not come out as an int (1) or in another notation.

const NUMBER = /(?<![\w.])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w])/g;

export type Tol = { abs?: number; rel?: number } | 'exact';

export interface TextDiff {
  ok: boolean;
  what?: string;
}

export function splitNumbers(line: string): { skeleton: string; numbers: string[] } {
  const numbers: string[] = [];
  const skeleton = line.replace(NUMBER, (m) => {
    numbers.push(m);
    return '#';
  });
  return { skeleton, numbers };
}

const isFloatSpelling = (s: string) => /[.eE]/.test(s);

/** tolFor(k, seedNumbers) gives the tolerance of the k-th number of the line. */
export function compareLine(ours: string, seed: string, tolFor: (k: number, seedNumbers: string[]) => Tol): TextDiff {
  if (ours === seed) return { ok: true };
  const a = splitNumbers(ours);
  const b = splitNumbers(seed);
  if (a.skeleton !== b.skeleton || a.numbers.length !== b.numbers.length) return { ok: false, what: `text differs:\n      ours: ${ours}\n      seed: ${seed}` };
  const problems: string[] = [];
  for (let k = 0; k < b.numbers.length; k++) {
    const x = a.numbers[k];
    const y = b.numbers[k];
    if (x === y) continue;
    const tol = tolFor(k, b.numbers);
    if (tol === 'exact') {
      problems.push(`${x} vs seed ${y} (exact expected)`);
      continue;
    }
    if (isFloatSpelling(x) !== isFloatSpelling(y)) problems.push(`${x} spelled unlike the seed's ${y}`);
    const xv = Number(x);
    const yv = Number(y);
    const d = Math.abs(xv - yv);
    const limit = (tol.abs ?? 0) + (tol.rel ?? 0) * Math.abs(yv);
    if (!(d <= limit)) problems.push(`${x} vs seed ${y}: |Δ| ${d.toExponential(2)} > ${limit.toExponential(2)}`);
  }
  return problems.length ? { ok: false, what: `${problems.join('; ')}\n      ours: ${ours}\n      seed: ${seed}` } : { ok: true };
}

/** The metric a number in a verdict reason is, by the words around it. */
export function reasonTolerance(line: string): Tol {
  if (line.includes('continue_auc')) return { abs: 5e-4 };
  if (line.includes('edge_mae_vs_constant_ratio')) return { rel: 5e-3 };
  return 'exact';
}

/** In a reason, the threshold constants (0.60, 0.97) are exact; the measured values carry the metric's tolerance. */
export function reasonTolFor(line: string): (k: number, nums: string[]) => Tol {
  const tol = reasonTolerance(line);
  return (_k, nums) => {
    const v = nums[_k];
    if (v === '0.60' || v === '0.97') return 'exact';
    return tol;
  };
}
