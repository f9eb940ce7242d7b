// Acceptance comparison of a risk-filter run's swing_result.json with the reference's (/opt/ref/swing_reference.py):
//
//   node --import tsx scripts/acceptance/compareSwing.ts OURS.json SEED.json [--other-format | --csv]
//
// Exact: input (unless --other-format: ours read the CSV/parquet form of the ledger the reference read as JSON
// Lines; --csv also: the CSV's header is line 1, so the seed's line numbers are one less), params, import counts, duplicates, conflicts, bad lines (line and kind; the reason's wording is a
// warning), dataset, split, accuracies, confusion matrix, test trade ids, evaluation tables (to 1e-12: sums of
// floats). Within SPEC §6: coefficients and intercept 1e-3 of the largest coefficient, test AUC 5e-4, Brier 2e-4
// relative; predicted risks 5e-3 (the prediction tolerance of §6). Exit 0 agree, 1 differ, 2 usage.
import { readFileSync } from 'node:fs';
import { Checks } from './lib/check.ts';
import { diffJson, parseRawJson, plain, type NumberRule, type RawValue } from './lib/rawJson.ts';

const near = (a: number, b: number, t: number) => Math.abs(a - b) <= t * Math.max(1, Math.abs(b));

function ruleFor(): NumberRule {
  return (path, a, b) => {
    if (path === 'training.test_auc') return { ok: Math.abs(a - b) <= 5e-4, note: `|Δ| ${Math.abs(a - b).toExponential(2)} > 5e-4` };
    if (path === 'training.test_brier') return { ok: Math.abs(a - b) <= 2e-4 * Math.abs(b), note: 'relative 2e-4' };
    if (path === 'training.iterations') return { ok: a === b, severity: 'warn', note: 'L-BFGS iteration count' };
    if (path.startsWith('training.test_risk[')) return { ok: Math.abs(a - b) <= 5e-3, note: `|Δ| ${Math.abs(a - b).toExponential(2)} > 5e-3` };
    if (path.startsWith('training.scaler.')) return { ok: near(a, b, 1e-9), note: 'relative 1e-9' };
    if (path.startsWith('evaluation.') || /rate|accuracy/.test(path)) return { ok: near(a, b, 1e-12), note: 'exact (to 1e-12)' };
    return null;
  };
}

function without(v: RawValue, path: string[]): RawValue {
  if (v.t !== 'obj' || !path.length) return v;
  const [head, ...rest] = path;
  if (!v.map.has(head)) return v;
  const map = new Map(v.map);
  if (rest.length) map.set(head, without(v.map.get(head)!, rest));
  else map.delete(head);
  return { t: 'obj', keys: rest.length ? v.keys : v.keys.filter((k) => k !== head), map };
}

function get(v: RawValue | undefined, path: string[]): RawValue | undefined {
  for (const k of path) {
    if (!v || v.t !== 'obj') return undefined;
    v = v.map.get(k);
  }
  return v;
}

/** Adds `shift` to import.conflicts[*].line and import.bad_records[*].line (in place). */
function shiftLines(v: RawValue, shift: number): void {
  for (const list of ['conflicts', 'bad_records']) {
    const items = get(v, ['import', list]);
    if (items?.t !== 'arr') continue;
    for (const item of items.items) {
      const line = item.t === 'obj' ? item.map.get('line') : undefined;
      if (item.t === 'obj' && line?.t === 'num') item.map.set('line', { ...line, v: line.v + shift, raw: String(line.v + shift) });
    }
  }
}

export function compareSwing(oursText: string, seedText: string, options: { otherFormat?: boolean; lineShift?: number } = {}): Checks {
  const checks = new Checks();
  const A = 'swing_result.json';
  let ours = parseRawJson(oursText, 'ours');
  let seed = parseRawJson(seedText, 'seed');
  if (options.lineShift) shiftLines(seed, options.lineShift);
  if (options.otherFormat) {
    ours = without(ours, ['input']);
    seed = without(seed, ['input']);
  }
  // coefficients: by feature within 1e-3 of the largest, then their order (ties in magnitude may swap)
  const oc = get(ours, ['training', 'coefficients']);
  const sc = get(seed, ['training', 'coefficients']);
  const oi = get(ours, ['training', 'intercept']);
  const si = get(seed, ['training', 'intercept']);
  if (sc || oc) {
    const list = (v: RawValue | undefined) => (v ? (plain(v) as { feature: string; coefficient: number }[]) : []);
    const o = list(oc);
    const s = list(sc);
    const largest = Math.max(...s.map((c) => Math.abs(c.coefficient)), 1e-300);
    const tol = 1e-3 * largest;
    const byName = new Map(o.map((c) => [c.feature, c.coefficient]));
    checks.check(A, o.length === s.length, `${o.length} coefficients vs seed ${s.length}`);
    for (const c of s) {
      const x = byName.get(c.feature);
      checks.check(A, x !== undefined && Math.abs(x - c.coefficient) <= tol, `coefficient ${c.feature}: ${x} vs seed ${c.coefficient} (tolerance ${tol.toExponential(2)})`);
    }
    const on = o.map((c) => c.feature).join(',');
    const sn = s.map((c) => c.feature).join(',');
    if (on !== sn) {
      // a swap is acceptable only between coefficients whose magnitudes are within the tolerance
      let explained = true;
      for (let k = 0; k < s.length; k++)
        if (o[k] && o[k].feature !== s[k].feature && Math.abs(Math.abs(o[k].coefficient) - Math.abs(s[k].coefficient)) > 2 * tol) explained = false;
      if (explained) checks.warn(A, `coefficient order ${on} vs seed ${sn} (magnitudes within tolerance)`);
      else checks.fail(A, `coefficient order ${on} vs seed ${sn}`);
    }
    if (si && si.t === 'num') {
      const x = oi && oi.t === 'num' ? oi.v : NaN;
      checks.check(A, Math.abs(x - si.v) <= tol, `intercept ${x} vs seed ${si.v} (tolerance ${tol.toExponential(2)})`);
    }
    ours = without(without(ours, ['training', 'coefficients']), ['training', 'intercept']);
    seed = without(without(seed, ['training', 'coefficients']), ['training', 'intercept']);
  }
  const diffs = diffJson(ours, seed, ruleFor());
  if (!diffs.length) checks.pass(A);
  for (const d of diffs) {
    const line = `${d.path || '(top)'}: ${d.what}`;
    // the reason of a bad line is Python's wording (json's error text); line and kind are what must agree
    if (/^import\.bad_records\[\d+\]\.reason$/.test(d.path) || d.severity === 'warn') checks.warn(A, line);
    else checks.fail(A, d.severity === 'format' ? `[format] ${line}` : line);
  }
  return checks;
}

function main(argv: string[]): number {
  const positional = argv.filter((a) => !a.startsWith('--'));
  const flags = argv.filter((a) => a.startsWith('--'));
  if (positional.length !== 2 || flags.some((f) => f !== '--other-format' && f !== '--csv')) {
    process.stderr.write('usage: compareSwing.ts OURS.json SEED.json [--other-format | --csv]\n');
    return 2;
  }
  const csv = flags.includes('--csv');
  const checks = compareSwing(readFileSync(positional[0], 'utf8'), readFileSync(positional[1], 'utf8'), {
    otherFormat: csv || flags.includes('--other-format'),
    lineShift: csv ? 1 : 0,
  });
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(`compare ${positional[0]} (ours) with ${positional[1]} (reference)`);
  checks.print(out);
  out(checks.failed ? 'RESULT: FAIL' : 'RESULT: PASS');
  return checks.failed ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(main(process.argv.slice(2)));
