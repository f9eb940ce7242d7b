// A list of checks with their outcome, printed the way an acceptance log reads: one line per failed check, a
// summary per artifact. Deliberately independent of src/: the acceptance tools must not share the code they test.

export type Outcome = 'pass' | 'fail' | 'warn';

export interface CheckLine {
  artifact: string;
  outcome: Outcome;
  what: string;
}

export class Checks {
  readonly lines: CheckLine[] = [];
  private readonly counts = new Map<string, { pass: number; fail: number; warn: number }>();

  private add(artifact: string, outcome: Outcome, what: string): void {
    const c = this.counts.get(artifact) ?? { pass: 0, fail: 0, warn: 0 };
    c[outcome] += 1;
    this.counts.set(artifact, c);
    if (outcome !== 'pass') this.lines.push({ artifact, outcome, what });
  }

  pass(artifact: string): void {
    this.add(artifact, 'pass', '');
  }
  fail(artifact: string, what: string): void {
    this.add(artifact, 'fail', what);
  }
  /** Differences SPEC §6 does not bound (iteration counts, message wording of a library): shown, not failed. */
  warn(artifact: string, what: string): void {
    this.add(artifact, 'warn', what);
  }
  check(artifact: string, ok: boolean, what: string): boolean {
    if (ok) this.pass(artifact);
    else this.fail(artifact, what);
    return ok;
  }

  get failed(): boolean {
    return this.lines.some((l) => l.outcome === 'fail');
  }

  /** Printed report; at most `limit` lines per artifact and outcome so a broken column does not flood the log. */
  print(out: (s: string) => void, limit = 25): void {
    const shown = new Map<string, number>();
    for (const line of this.lines) {
      const key = `${line.artifact}|${line.outcome}`;
      const n = (shown.get(key) ?? 0) + 1;
      shown.set(key, n);
      if (n <= limit) out(`  ${line.outcome.toUpperCase()} ${line.artifact}: ${line.what}`);
      else if (n === limit + 1) out(`  ${line.outcome.toUpperCase()} ${line.artifact}: … (more lines of this kind left out)`);
    }
    for (const [artifact, c] of this.counts) {
      const status = c.fail ? 'FAIL' : 'ok';
      out(`${status.padEnd(4)} ${artifact}  (${c.pass} checks passed, ${c.fail} failed, ${c.warn} warnings)`);
    }
  }
}

/** |a − b| ≤ tol, with NaN equal to NaN and ±Inf equal to itself. */
export function closeAbs(a: number, b: number, tol: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  return Math.abs(a - b) <= tol;
}

/** |a − b| ≤ tol·|b| (b the seed's value), with a tiny absolute floor for values at 0. */
export function closeRel(a: number, b: number, tol: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  return Math.abs(a - b) <= tol * Math.abs(b) + 1e-15;
}

export function fmt(x: unknown): string {
  if (typeof x === 'number') return Number.isInteger(x) ? String(x) : x.toPrecision(10);
  return JSON.stringify(x);
}
