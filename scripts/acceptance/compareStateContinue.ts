// Acceptance comparison of one state-continue run against the seed's Python on the same baseline run:
//
//   node --import tsx scripts/acceptance/compareStateContinue.ts OUR_DIR SEED_DIR [--capped] [--quiet]
//
// Checks the nine artifacts within SPEC §6 (exact where §6 says exact or says nothing), the way a client's checker
// would: the parquet files are read with DuckDB (the seed's own bridge), the JSON files with a reader that keeps
// int-vs-float spelling and key order, the report line by line. Written without any code from src/.
// --capped: the run used --max-rows-per-split; rows with equal event_time may come in another order there (the
// seed sorts with an unstable quicksort), which is then a warning instead of a failure.
// Exit 0 when everything agrees, 1 when something does not, 2 on a usage error.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Checks, closeAbs, fmt } from './lib/check.ts';
import { readParquetDuck, toNumber, type DuckFrame } from './lib/duckParquet.ts';
import { diffJson, parseRawJson, type NumberRule, type RawValue } from './lib/rawJson.ts';
import { compareLine, reasonTolFor, type Tol } from './lib/textNumbers.ts';

export const ARTIFACTS = [
  'state_continue_train.parquet',
  'experiment_manifest.json',
  'position_state_feature_schema.json',
  'position_state_feature_order.json',
  'position_state_source_manifest.json',
  'state_continue_predictions.parquet',
  'state_continue_result.json',
  'state_continue_verdict.json',
  'state_continue_experiment_report.md',
] as const;

/** SPEC §6 per column of the state frame: state features and targets 1e-3 bps, probabilities 1e-6, frozen scores 5e-5. */
const COLUMN_TOL: Record<string, number> = {
  unrealized_pnl_bps: 1e-3,
  mfe_since_entry_bps: 1e-3,
  mae_since_entry_bps: 1e-3,
  distance_to_stop_bps: 1e-3,
  distance_to_target_bps: 1e-3,
  expected_continue_edge_bps: 1e-3,
  entry_predicted_edge_bps: 5e-5,
  entry_direction_prob: 1e-6,
};

interface ColumnReport {
  bad: number;
  maxAbs: number;
  first?: string;
}

function keyOf(frame: DuckFrame, names: string[]): string[] {
  const cols = names.map((n) => frame.col(n)?.values ?? []);
  const out: string[] = new Array(frame.rowCount);
  for (let r = 0; r < frame.rowCount; r++) out[r] = cols.map((c) => String(c[r] ?? '∅')).join('|');
  return out;
}

/**
 * Rows of ours aligned to the seed's: identity when the keys agree row for row; else matched by key (a failure,
 * or a warning with --capped when the only difference is the order inside equal event_times).
 */
function alignRows(checks: Checks, artifact: string, ours: DuckFrame, seed: DuckFrame, keyNames: string[], capped: boolean): Int32Array | null {
  const ko = keyOf(ours, keyNames);
  const ks = keyOf(seed, keyNames);
  const idx = new Int32Array(seed.rowCount);
  let firstMismatch = -1;
  const n = Math.min(ko.length, ks.length);
  for (let r = 0; r < n; r++) {
    idx[r] = r;
    if (firstMismatch < 0 && ko[r] !== ks[r]) firstMismatch = r;
  }
  if (ko.length === ks.length && firstMismatch < 0) {
    checks.pass(artifact);
    return idx;
  }
  // Match by key.
  const where = new Map<string, number[]>();
  ko.forEach((k, r) => {
    const list = where.get(k);
    if (list) list.push(r);
    else where.set(k, [r]);
  });
  let missing = 0;
  let firstMissing = '';
  for (let r = 0; r < ks.length; r++) {
    const list = where.get(ks[r]);
    if (list && list.length) idx[r] = list.shift()!;
    else {
      idx[r] = -1;
      if (!missing) firstMissing = ks[r];
      missing++;
    }
  }
  const extra = [...where.values()].reduce((s, l) => s + l.length, 0);
  if (missing || extra) {
    checks.fail(artifact, `row sets differ: ${missing} seed rows have no row in ours (first: ${firstMissing}), ${extra} rows of ours are not in the seed's (keys ${keyNames.join(', ')})`);
    return idx;
  }
  // Same rows, other order: only inside equal event_time?
  const et = seed.col('event_time')?.values ?? [];
  const etOurs = ours.col('event_time')?.values ?? [];
  let outsideTime = 0;
  for (let r = 0; r < ks.length; r++) if (etOurs[r] !== et[r]) outsideTime++;
  const msg = `same rows in another order from row ${firstMismatch} (ours ${ko[firstMismatch]} / seed ${ks[firstMismatch]})`;
  if (outsideTime === 0 && capped) checks.warn(artifact, `${msg}; only inside equal event_times (the seed's unstable sort under the cap)`);
  else checks.fail(artifact, `${msg}; ${outsideTime === 0 ? 'only inside equal event_times' : `${outsideTime} rows at another event_time`}`);
  return idx;
}

function compareSchema(checks: Checks, artifact: string, ours: DuckFrame, seed: DuckFrame): void {
  const on = ours.columns.map((c) => c.name);
  const sn = seed.columns.map((c) => c.name);
  checks.check(artifact, on.join(',') === sn.join(','), `columns differ:\n      ours: ${on.join(', ')}\n      seed: ${sn.join(', ')}`);
  for (const sc of seed.columns) {
    const oc = ours.col(sc.name);
    if (!oc) continue;
    checks.check(artifact, oc.sourceType === sc.sourceType, `column ${sc.name}: type ${oc.sourceType} vs seed ${sc.sourceType}`);
  }
  checks.check(artifact, ours.rowCount === seed.rowCount, `row count ${ours.rowCount} vs seed ${seed.rowCount}`);
}

function compareCounts(checks: Checks, artifact: string, ours: DuckFrame, seed: DuckFrame, column: string): void {
  const count = (f: DuckFrame) => {
    const m = new Map<string, number>();
    for (const v of f.col(column)?.values ?? []) m.set(String(v), (m.get(String(v)) ?? 0) + 1);
    return [...m.entries()].sort().map(([k, v]) => `${k}=${v}`).join(' ');
  };
  const a = count(ours);
  const b = count(seed);
  checks.check(artifact, a === b, `${column} counts: ours ${a} | seed ${b}`);
}

function compareColumns(
  checks: Checks,
  artifact: string,
  ours: DuckFrame,
  seed: DuckFrame,
  idx: Int32Array,
  special: Record<string, (o: number, s: number) => boolean>,
  skip: Set<string>,
): Map<string, ColumnReport> {
  const reports = new Map<string, ColumnReport>();
  for (const sc of seed.columns) {
    if (skip.has(sc.name)) continue;
    const oc = ours.col(sc.name);
    if (!oc) continue;
    const rep: ColumnReport = { bad: 0, maxAbs: 0 };
    const numeric = sc.type.startsWith('float');
    const f32 = sc.type === 'float32' || oc.type === 'float32';
    const tol = COLUMN_TOL[sc.name];
    const fn = special[sc.name];
    for (let r = 0; r < seed.rowCount; r++) {
      const j = idx[r];
      if (j < 0) continue;
      const sv = sc.values[r];
      const ov = oc.values[j];
      let ok: boolean;
      if (numeric) {
        let a = toNumber(ov);
        let b = toNumber(sv);
        if (f32) {
          a = Math.fround(a);
          b = Math.fround(b);
        }
        const d = Math.abs(a - b);
        if (Number.isFinite(d) && d > rep.maxAbs) rep.maxAbs = d;
        ok = fn ? fn(a, b) : tol !== undefined ? closeAbs(a, b, tol) : a === b || (Number.isNaN(a) && Number.isNaN(b));
        if (ok && (ov === null) !== (sv === null) && fn === undefined) ok = false; // null vs NaN
      } else {
        ok = ov === sv;
      }
      if (!ok) {
        if (!rep.bad) rep.first = `seed row ${r}: ours ${ov} vs seed ${sv}`;
        rep.bad++;
      }
    }
    reports.set(sc.name, rep);
    if (!fn) {
      const tolText = tol !== undefined ? `within ${tol}` : 'exact';
      checks.check(artifact, rep.bad === 0, `column ${sc.name} (${tolText}): ${rep.bad} of ${seed.rowCount} rows differ, max |Δ| ${fmt(rep.maxAbs)}; ${rep.first}`);
    }
  }
  return reports;
}

function compareTrain(checks: Checks, ours: DuckFrame, seed: DuckFrame, capped: boolean): void {
  const A = 'state_continue_train.parquet';
  compareSchema(checks, A, ours, seed);
  compareCounts(checks, A, ours, seed, 'split_id');
  compareCounts(checks, A, ours, seed, 'position_side');
  const idx = alignRows(checks, A, ours, seed, ['sample_id', 'position_side', 'time_in_position_minutes', 'event_time'], capped);
  if (idx) compareColumns(checks, A, ours, seed, idx, {}, new Set());
}

function comparePredictions(checks: Checks, ours: DuckFrame, seed: DuckFrame, capped: boolean): void {
  const A = 'state_continue_predictions.parquet';
  compareSchema(checks, A, ours, seed);
  compareCounts(checks, A, ours, seed, 'feature_set');
  const idx = alignRows(checks, A, ours, seed, ['side', 'feature_set', 'split_id', 'sample_id', 'position_side', 'time_in_position_minutes', 'event_time'], capped);
  if (!idx) return;
  const reps = compareColumns(
    checks,
    A,
    ours,
    seed,
    idx,
    {
      continue_prob: (a, b) => closeAbs(a, b, 5e-3),
      predicted_continue_edge_bps: (a, b) => Math.abs(a - b) <= 1 + 0.01 * Math.abs(b),
    },
    new Set(),
  );
  const prob = reps.get('continue_prob');
  if (prob)
    checks.check(A, prob.bad === 0, `continue_prob: ${prob.bad} of ${seed.rowCount} rows off by more than 5e-3, max |Δ| ${fmt(prob.maxAbs)}; ${prob.first}`);
  const edge = reps.get('predicted_continue_edge_bps');
  if (edge) {
    const share = seed.rowCount ? edge.bad / seed.rowCount : 0;
    const line = `predicted_continue_edge_bps: ${edge.bad} of ${seed.rowCount} rows (${(share * 100).toFixed(3)} %) beyond 1 bps + 1 %, max |Δ| ${fmt(edge.maxAbs)} bps${edge.first ? `; ${edge.first}` : ''}`;
    if (share > 0.001) checks.fail(A, line);
    else if (edge.bad) checks.warn(A, `${line} (within the 99.9 % allowance)`);
    else checks.pass(A);
  }
}

// ---------------------------------------------------------------------------------------------------------------

const RESULT_RULE: NumberRule = (path, a, b) => {
  const key = path.split('.').pop() ?? '';
  const rel = (t: number) => ({ ok: Math.abs(a - b) <= t * Math.abs(b) + 1e-15, note: `rel ${(Math.abs(a - b) / Math.abs(b || 1)).toExponential(2)} > ${t}` });
  switch (key) {
    case 'continue_auc':
      return { ok: Math.abs(a - b) <= 5e-4, note: `|Δ| ${Math.abs(a - b).toExponential(2)} > 5e-4` };
    case 'brier':
    case 'constant_brier':
    case 'brier_vs_constant_ratio':
      return rel(2e-4);
    case 'edge_mae':
    case 'edge_constant_mae':
    case 'edge_mae_vs_constant_ratio':
      return rel(5e-3);
    case 'positive_rate':
      return rel(1e-12);
    case 'regressor_iterations':
      // SPEC §6 bounds the model's quality, not how many L-BFGS steps scipy took; converged is compared exactly.
      return { ok: a === b, severity: 'warn', note: `iterations differ by ${(((a - b) / (b || 1)) * 100).toFixed(1)} %` };
    default:
      return null;
  }
};

function readText(dir: string, name: string): string {
  return readFileSync(join(dir, name), 'utf8');
}

function raw(dir: string, name: string): RawValue {
  return parseRawJson(readText(dir, name), join(dir, name));
}

function reportJsonDiffs(checks: Checks, artifact: string, diffs: ReturnType<typeof diffJson>): void {
  if (!diffs.length) checks.pass(artifact);
  for (const d of diffs) {
    const line = `${d.path || '(top)'}: ${d.what}`;
    if (d.severity === 'warn') checks.warn(artifact, line);
    else checks.fail(artifact, d.severity === 'format' ? `[format] ${line}` : line);
  }
}

function dropKeys(v: RawValue, keys: string[]): RawValue {
  if (v.t !== 'obj') return v;
  const map = new Map(v.map);
  for (const k of keys) map.delete(k);
  return { t: 'obj', keys: v.keys.filter((k) => !keys.includes(k)), map };
}

function compareExactJson(checks: Checks, ourDir: string, seedDir: string, name: string): void {
  const diffs = diffJson(raw(ourDir, name), raw(seedDir, name), () => null);
  reportJsonDiffs(checks, name, diffs);
  if (!diffs.length && readText(ourDir, name) !== readText(seedDir, name)) checks.warn(name, 'same content, bytes differ (indentation/whitespace/escaping)');
}

function compareManifest(checks: Checks, ourDir: string, seedDir: string): void {
  const A = 'experiment_manifest.json';
  const ours = raw(ourDir, A);
  const seed = raw(seedDir, A);
  reportJsonDiffs(checks, A, diffJson(dropKeys(ours, ['baseline_root', 'dataset_hash_sha256']), dropKeys(seed, ['baseline_root', 'dataset_hash_sha256']), () => null));
  if (ours.t !== 'obj' || seed.t !== 'obj') return;
  for (const k of ['baseline_root', 'dataset_hash_sha256']) checks.check(A, ours.map.has(k) === seed.map.has(k), `key ${k} present in ours ${ours.map.has(k)}, in the seed's ${seed.map.has(k)}`);
  const hash = ours.map.get('dataset_hash_sha256');
  const bytes = readFileSync(join(ourDir, 'state_continue_train.parquet'));
  const actual = createHash('sha256').update(bytes).digest('hex');
  checks.check(A, hash?.t === 'str' && hash.v === actual, `dataset_hash_sha256 ${hash?.t === 'str' ? hash.v : '?'} is not the SHA-256 of our state_continue_train.parquet (${actual})`);
  const root = ours.map.get('baseline_root');
  const runId = seed.map.get('baseline_run_id');
  if (root?.t === 'str' && runId?.t === 'str' && !root.v.endsWith(`/trader-v4/runs/${runId.v}`) && !root.v.endsWith(runId.v))
    checks.warn(A, `baseline_root ${JSON.stringify(root.v)} does not end in the baseline run id ${runId.v} (the seed: ${JSON.stringify((seed.map.get('baseline_root') as { v: string }).v)})`);
}

function compareVerdict(checks: Checks, ourDir: string, seedDir: string): void {
  const A = 'state_continue_verdict.json';
  const ours = raw(ourDir, A);
  const seed = raw(seedDir, A);
  reportJsonDiffs(checks, A, diffJson(dropKeys(ours, ['reasons']), dropKeys(seed, ['reasons']), () => null));
  const or = ours.t === 'obj' ? ours.map.get('reasons') : undefined;
  const sr = seed.t === 'obj' ? seed.map.get('reasons') : undefined;
  if (or?.t !== 'arr' || sr?.t !== 'arr') {
    checks.fail(A, 'reasons is not a list in one of the two');
    return;
  }
  checks.check(A, or.items.length === sr.items.length, `${or.items.length} reasons vs seed ${sr.items.length}`);
  for (let k = 0; k < Math.min(or.items.length, sr.items.length); k++) {
    const a = or.items[k];
    const b = sr.items[k];
    if (a.t !== 'str' || b.t !== 'str') {
      checks.fail(A, `reasons[${k}] is not a string`);
      continue;
    }
    const d = compareLine(a.v, b.v, reasonTolFor(b.v));
    checks.check(A, d.ok, `reasons[${k}]: ${d.what}`);
  }
}

function reportTolFor(line: string, section: string): (k: number, nums: string[]) => Tol {
  if (section === 'Diagnostic Result' && line.startsWith('| ')) {
    // | side | feature_set | split | rows | auc | brier_ratio | mae_ratio |: the numbers, from the end
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    const numericCells = cells.slice(3);
    const tols: Tol[] = [];
    // rows exact; auc abs; brier ratio rel; mae ratio rel; a cell "None" holds no number
    const perCell: Tol[] = ['exact', { abs: 5e-4 }, { rel: 2e-4 }, { rel: 5e-3 }];
    numericCells.forEach((c, j) => {
      if (c !== 'None' && /^-?\d/.test(c)) tols.push(perCell[j]);
    });
    return (k) => tols[k] ?? 'exact';
  }
  if (section === 'Verdict' && line.startsWith('- ') && !line.startsWith('- status') && !line.startsWith('- reasons')) return reasonTolFor(line);
  return () => 'exact';
}

function compareReport(checks: Checks, ourDir: string, seedDir: string): void {
  const A = 'state_continue_experiment_report.md';
  const ours = readText(ourDir, A).split('\n');
  const seed = readText(seedDir, A).split('\n');
  checks.check(A, ours.length === seed.length, `${ours.length} lines vs seed ${seed.length}`);
  let section = '';
  for (let k = 0; k < Math.min(ours.length, seed.length); k++) {
    if (seed[k].startsWith('## ')) section = seed[k].slice(3);
    const d = compareLine(ours[k], seed[k], reportTolFor(seed[k], section));
    checks.check(A, d.ok, `line ${k + 1}: ${d.what}`);
  }
}

export interface CompareOptions {
  capped?: boolean;
}

export function compareStateContinue(ourDir: string, seedDir: string, options: CompareOptions = {}): Checks {
  const checks = new Checks();
  const present = (dir: string, name: string) => existsSync(join(dir, name));
  const missing = ARTIFACTS.filter((a) => !present(ourDir, a));
  const missingSeed = ARTIFACTS.filter((a) => !present(seedDir, a));
  checks.check('artifacts', missing.length === 0, `missing in ours: ${missing.join(', ')}`);
  checks.check('artifacts', missingSeed.length === 0, `missing in the seed's: ${missingSeed.join(', ')}`);
  const both = (a: string) => present(ourDir, a) && present(seedDir, a);
  const guarded = (artifact: string, fn: () => void) => {
    if (!both(artifact)) return;
    try {
      fn();
    } catch (error) {
      checks.fail(artifact, error instanceof Error ? error.message : String(error));
    }
  };
  guarded('state_continue_train.parquet', () =>
    compareTrain(checks, readParquetDuck(join(ourDir, 'state_continue_train.parquet')), readParquetDuck(join(seedDir, 'state_continue_train.parquet')), !!options.capped),
  );
  guarded('state_continue_predictions.parquet', () =>
    comparePredictions(
      checks,
      readParquetDuck(join(ourDir, 'state_continue_predictions.parquet')),
      readParquetDuck(join(seedDir, 'state_continue_predictions.parquet')),
      !!options.capped,
    ),
  );
  guarded('experiment_manifest.json', () => compareManifest(checks, ourDir, seedDir));
  for (const name of ['position_state_feature_schema.json', 'position_state_feature_order.json', 'position_state_source_manifest.json'])
    guarded(name, () => compareExactJson(checks, ourDir, seedDir, name));
  guarded('state_continue_result.json', () => {
    const diffs = diffJson(raw(ourDir, 'state_continue_result.json'), raw(seedDir, 'state_continue_result.json'), RESULT_RULE);
    reportJsonDiffs(checks, 'state_continue_result.json', diffs);
  });
  guarded('state_continue_verdict.json', () => compareVerdict(checks, ourDir, seedDir));
  guarded('state_continue_experiment_report.md', () => compareReport(checks, ourDir, seedDir));
  return checks;
}

function main(argv: string[]): number {
  const positional = argv.filter((a) => !a.startsWith('--'));
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  const unknown = [...flags].filter((f) => !['--capped', '--quiet'].includes(f));
  if (positional.length !== 2 || unknown.length) {
    process.stderr.write('usage: compareStateContinue.ts OUR_DIR SEED_DIR [--capped] [--quiet]\n');
    return 2;
  }
  const [ourDir, seedDir] = positional;
  const checks = compareStateContinue(ourDir, seedDir, { capped: flags.has('--capped') });
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(`compare ${ourDir} (ours) with ${seedDir} (seed)`);
  checks.print(out, flags.has('--quiet') ? 5 : 25);
  out(checks.failed ? 'RESULT: FAIL' : 'RESULT: PASS');
  return checks.failed ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(main(process.argv.slice(2)));
