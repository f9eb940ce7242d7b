// Shared pieces of the browser tests: fixture paths, parquet reading in Node (parquet-wasm's node build, not the
// project's own reader, so the check is independent of the code under test), and the bad-run makers.
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC, tableToIPC, type Table } from 'apache-arrow';
import * as parquetWasm from 'parquet-wasm';
import { REPO_ROOT } from '../../scripts/headless/harness.ts';

/** A state-continue fixture case: a baseline run, the oracle's outputs on it and how they were made (case.json). */
export function fixtureCase(name: string): { dir: string; baseline: string; expected: string } {
  const dir = join(REPO_ROOT, 'test', 'fixtures', 'state-continue', name);
  return { dir, baseline: join(dir, 'baseline'), expected: join(dir, 'expected') };
}

/** The default fixture (made by scripts/fixtures/ with the seed's Python). */
export const FIXTURE_DIR = fixtureCase('default').dir;
export const FIXTURE_BASELINE = fixtureCase('default').baseline;
export const FIXTURE_EXPECTED = fixtureCase('default').expected;

export function requireFixture(name = 'default'): void {
  const { dir, baseline, expected } = fixtureCase(name);
  for (const path of [join(baseline, 'feature', 'feature_order.json'), join(expected, 'state_continue_verdict.json'), join(dir, 'case.json')]) {
    if (!existsSync(path)) {
      throw new Error(`fixture missing: ${path} (made by scripts/fixtures/; see test/fixtures/)`);
    }
  }
}

/** The oracle's own flags (not the experiment's parameters): the runner has no such flags. */
const ORACLE_ONLY_FLAGS = new Set(['--state-source', '--baseline-run-id', '--run-id', '--keep-work']);

/**
 * The parameters the oracle ran the fixture with (case.json `reference_args`), as runner flags. `--state-source
 * time` is SPEC's position state, which the page always uses; it is dropped with the other oracle-only flags.
 */
export function fixtureFlags(name = 'default'): string[] {
  const info = readJson<{ reference_args?: string[] }>(join(fixtureCase(name).dir, 'case.json'));
  const args = info.reference_args ?? [];
  const flags: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const flag = args[index];
    const takesValue = index + 1 < args.length && !args[index + 1].startsWith('--');
    const value = takesValue ? args[index + 1] : undefined;
    if (takesValue) index += 1;
    if (ORACLE_ONLY_FLAGS.has(flag)) continue;
    flags.push(flag, ...(value === undefined ? [] : [value]));
  }
  return flags;
}

/** Runner flags → the page's parameter fields (`--ages-minutes` → agesMinutes). */
export function flagsToParams(flags: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (let index = 0; index < flags.length; index += 2) {
    const name = flags[index].replace(/^--/, '');
    params[name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase())] = flags[index + 1];
  }
  return params;
}

export function readJson<T = unknown>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export function readParquetTable(path: string): Table {
  const wasmTable = parquetWasm.readParquet(new Uint8Array(readFileSync(path)));
  return tableFromIPC(wasmTable.intoIPCStream());
}

export function writeParquetTable(path: string, table: Table): void {
  const wasmTable = parquetWasm.Table.fromIPCStream(tableToIPC(table, 'stream'));
  writeFileSync(path, parquetWasm.writeParquet(wasmTable));
}

/** A copy of the fixture's baseline run in `parent/<name>` (the folder's base name is the baseline run id). */
export function copyBaseline(parent: string, name: string, from = FIXTURE_BASELINE): string {
  const dir = join(parent, name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(from, dir, { recursive: true });
  return dir;
}

/** The bad baseline runs of SPEC section 1, each with the word its message must name. */
export interface BadRun {
  label: string;
  dir: string;
  /** The page's message must match this (the file, column or parameter at fault). */
  mentions: RegExp;
  /** Parameter changes (bad ages) instead of file changes. */
  params?: Record<string, string>;
}

export function makeBadRuns(parent: string): BadRun[] {
  const runs: BadRun[] = [];

  const missingFile = copyBaseline(parent, 'missing_file');
  rmSync(join(missingFile, 'label', 'price_plan_context.json'));
  runs.push({ label: 'a missing file', dir: missingFile, mentions: /price_plan_context\.json/ });

  const missingColumn = copyBaseline(parent, 'missing_column');
  const framePath = join(missingColumn, 'feature', 'feature_frame.parquet');
  const frame = readParquetTable(framePath);
  const keep = frame.schema.fields.map((field) => field.name).filter((name) => name !== 'data_quality_flag');
  writeParquetTable(framePath, frame.select(keep));
  runs.push({ label: 'a missing column', dir: missingColumn, mentions: /data_quality_flag/ });

  // F = len(feature_order.json) no longer equals the rows of the frozen heads' _W.
  const wrongF = copyBaseline(parent, 'wrong_feature_count');
  const orderPath = join(wrongF, 'feature', 'feature_order.json');
  const order = readJson<string[]>(orderPath);
  writeFileSync(orderPath, JSON.stringify(order.slice(0, -1)));
  runs.push({ label: 'F not matching the ONNX heads', dir: wrongF, mentions: /(direction|entry)\.onnx|_W/ });

  const truncated = copyBaseline(parent, 'truncated_parquet');
  const labelsPath = join(truncated, 'label', 'entry_labels.parquet');
  truncateSync(labelsPath, Math.floor(statSync(labelsPath).size / 2));
  runs.push({ label: 'a truncated parquet', dir: truncated, mentions: /entry_labels\.parquet/ });

  const badAges = copyBaseline(parent, 'bad_ages');
  runs.push({ label: 'bad ages 0,-5', dir: badAges, mentions: /age/i, params: { agesMinutes: '0,-5' } });
  return runs;
}

export function listFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

/** |a − b| ≤ tol·max(|a|, |b|, tiny): SPEC section 6's relative tolerances. */
export function relativeClose(a: number, b: number, tol: number): boolean {
  return Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b), 1e-12);
}

type SplitMetrics = Record<string, number | null | undefined>;
type ModelResult = Record<string, unknown>;
const SPLITS = ['fit_inner', 'tune', 'validation_locked', 'latest_stress'];

/**
 * Compare the page's artifacts in `outDir` with the oracle's in `expectedDir`: counts exactly, a few metrics
 * within SPEC section 6's tolerances, the verdict exactly. (Full row-by-row parity is the Node parity tests' job.)
 */
export function compareWithExpected(outDir: string, expectedDir: string, check: (ok: boolean, what: string) => void): void {
  const verdict = readJson<{ status: string; passed_checks: string[]; reasons: string[] }>(join(outDir, 'state_continue_verdict.json'));
  const expectedVerdict = readJson<typeof verdict>(join(expectedDir, 'state_continue_verdict.json'));
  check(verdict.status === expectedVerdict.status, `verdict status ${verdict.status} = ${expectedVerdict.status}`);
  check(
    JSON.stringify(verdict.passed_checks) === JSON.stringify(expectedVerdict.passed_checks),
    `passed checks ${JSON.stringify(verdict.passed_checks)} = ${JSON.stringify(expectedVerdict.passed_checks)}`,
  );
  // Reasons carry numbers (within the metrics' tolerance); the words before the number are exact.
  const reasonWords = (reasons: string[]) => reasons.map((reason) => reason.split(':')[0]);
  check(
    JSON.stringify(reasonWords(verdict.reasons)) === JSON.stringify(reasonWords(expectedVerdict.reasons)),
    `verdict reasons ${JSON.stringify(verdict.reasons)} ~ ${JSON.stringify(expectedVerdict.reasons)}`,
  );

  const manifest = readJson<Record<string, unknown>>(join(outDir, 'experiment_manifest.json'));
  const expectedManifest = readJson<Record<string, unknown>>(join(expectedDir, 'experiment_manifest.json'));
  for (const key of ['row_count', 'split_counts', 'side_counts', 'ages_minutes', 'regressor_kind', 'feature_inputs']) {
    const sorted = (value: unknown) =>
      value && typeof value === 'object' && !Array.isArray(value)
        ? JSON.stringify(Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b))))
        : JSON.stringify(value);
    check(sorted(manifest[key]) === sorted(expectedManifest[key]), `experiment_manifest ${key}: ${sorted(manifest[key])} = ${sorted(expectedManifest[key])}`);
  }

  for (const name of ['state_continue_train.parquet', 'state_continue_predictions.parquet']) {
    const rows = readParquetTable(join(outDir, name)).numRows;
    const expectedRows = readParquetTable(join(expectedDir, name)).numRows;
    check(rows === expectedRows, `${name}: ${rows} rows = ${expectedRows}`);
  }

  const result = readJson<Record<string, ModelResult>>(join(outDir, 'state_continue_result.json'));
  const expectedResult = readJson<Record<string, ModelResult>>(join(expectedDir, 'state_continue_result.json'));
  check(
    JSON.stringify(Object.keys(result).sort()) === JSON.stringify(Object.keys(expectedResult).sort()),
    `result keys ${Object.keys(result).join(',')} = ${Object.keys(expectedResult).join(',')}`,
  );
  for (const [key, expectedModel] of Object.entries(expectedResult)) {
    const model = result[key] ?? {};
    for (const field of ['row_count', 'feature_count', 'feature_hash', 'regressor_kind', 'regressor_converged']) {
      check(model[field] === expectedModel[field], `${key}.${field}: ${String(model[field])} = ${String(expectedModel[field])}`);
    }
    for (const split of SPLITS) {
      const want = expectedModel[split] as SplitMetrics | undefined;
      const got = model[split] as SplitMetrics | undefined;
      if (!want) {
        check(got === undefined, `${key}.${split} absent like the oracle's`);
        continue;
      }
      if (!got) {
        check(false, `${key}.${split} missing`);
        continue;
      }
      check(got.row_count === want.row_count, `${key}.${split}.row_count ${got.row_count} = ${want.row_count}`);
      check(Math.abs(Number(got.positive_rate) - Number(want.positive_rate)) <= 1e-12, `${key}.${split}.positive_rate`);
      if (want.continue_auc === undefined) check(got.continue_auc === undefined, `${key}.${split}.continue_auc absent`);
      else {
        check(
          Math.abs(Number(got.continue_auc) - Number(want.continue_auc)) <= 5e-4,
          `${key}.${split}.continue_auc ${got.continue_auc} ≈ ${want.continue_auc} (5e-4)`,
        );
      }
      check(relativeClose(Number(got.brier), Number(want.brier), 2e-4), `${key}.${split}.brier ${got.brier} ≈ ${want.brier} (2e-4 rel)`);
      if (want.edge_mae_vs_constant_ratio !== null && want.edge_mae_vs_constant_ratio !== undefined) {
        check(
          relativeClose(Number(got.edge_mae_vs_constant_ratio), Number(want.edge_mae_vs_constant_ratio), 5e-3),
          `${key}.${split}.edge_mae_vs_constant_ratio ${got.edge_mae_vs_constant_ratio} ≈ ${want.edge_mae_vs_constant_ratio} (5e-3 rel)`,
        );
      }
    }
  }
}

/** Collects failed checks so a test reports all mismatches at once. */
export function checker(): { check: (ok: boolean, what: string) => void; failures: string[] } {
  const failures: string[] = [];
  return { failures, check: (ok, what) => void (ok ? undefined : failures.push(what)) };
}
