// (e) `npm run headless -- state-continue` end to end: exit 0 with the nine artifacts, timings.json and the
// verdict printed; exit 2 with the page's message on bad input, and nothing written.
import { spawn } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from '../../scripts/headless/harness.ts';
import { STATE_CONTINUE_ARTIFACTS } from '../../scripts/headless.ts';
import { generateBaseline, writeRun } from '../../scripts/generateBaseline.ts';
import { REMOTE_DECODE_MIN_BYTES } from '../../src/data/intake.ts';
import { loadBaselineDir } from '../../src/experiments/stateContinue/loadBaselineDir.ts';
import { runStateContinue } from '../../src/experiments/stateContinue/pipeline.ts';
import { defaultParams } from '../../src/experiments/stateContinue/inputs.ts';
import {
  FIXTURE_BASELINE,
  FIXTURE_EXPECTED,
  checker,
  compareWithExpected,
  copyBaseline,
  fixtureCase,
  fixtureFlags,
  listFiles,
  readJson,
  requireFixture,
} from './support.ts';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The same command a user types (`npm run headless -- …` runs exactly this), without npm's banner. */
function runner(args: string[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'headless.ts'), ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      // globalSetup built dist/ once; the runner must not rebuild it under the other tests.
      env: { ...process.env, WORKBENCH_NO_BUILD: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.sequential('npm run headless -- state-continue', () => {
  let scratch: string;
  beforeAll(() => {
    requireFixture();
    scratch = tempDir('workbench-runner-');
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('exits 0, writes the nine artifacts and timings.json, and prints the verdict', async () => {
    const out = join(scratch, 'ok');
    const startedAt = Date.now();
    const result = await runner(['state-continue', '--baseline-dir', FIXTURE_BASELINE, '--out', out, '--backend', 'cpu', ...fixtureFlags()]);
    const endedAt = Date.now();
    expect(result.code, result.stderr).toBe(0);
    const files = listFiles(out);
    for (const name of [...STATE_CONTINUE_ARTIFACTS, 'timings.json', 'run_record.json', 'state_continue_artifacts.zip']) {
      expect(files).toContain(name);
    }
    const verdict = readJson<{ status: string }>(join(out, 'state_continue_verdict.json'));
    expect(result.stdout).toContain(`verdict: ${verdict.status}`);

    const timings = readJson<{ total_ms: number; stages_ms: Record<string, number>; stage_spans_epoch_ms: Record<string, [number, number]>; fits: { key: string; backend: string }[] }>(
      join(out, 'timings.json'),
    );
    expect(timings.total_ms).toBeGreaterThan(0);
    expect(timings.stages_ms).toBeTruthy();
    // when each stage ran, on this machine's clock (the bench takes each stage's memory over it): every stage,
    // the follow-ups after the verdict included, inside the runner's own run
    expect(Object.keys(timings.stage_spans_epoch_ms).sort()).toEqual(Object.keys(timings.stages_ms).sort());
    for (const [stage, [start, end]] of Object.entries(timings.stage_spans_epoch_ms)) {
      expect(start, stage).toBeGreaterThanOrEqual(startedAt);
      expect(end, stage).toBeLessThanOrEqual(endedAt);
      expect(end - start, stage).toBeGreaterThanOrEqual(0);
    }
    expect(timings.stage_spans_epoch_ms.artifacts[0]).toBeGreaterThanOrEqual(timings.stage_spans_epoch_ms.verdict[1] - 1);
    expect(timings.fits).toHaveLength(8);
    // --backend cpu: every fit says it trained on the CPU path.
    expect(new Set(timings.fits.map((fit) => fit.backend))).toEqual(new Set(['cpu']));

    const { check, failures } = checker();
    compareWithExpected(out, FIXTURE_EXPECTED, check);
    expect(failures).toEqual([]);
  });

  it('sets non-default parameters in the page (ridge, alpha 3, clip 25 bps) and agrees with the oracle', async () => {
    requireFixture('ridge_clip');
    const fixture = fixtureCase('ridge_clip');
    const flags = fixtureFlags('ridge_clip');
    expect(flags).toContain('--regressor-kind');
    const out = join(scratch, 'ridge_clip');
    const result = await runner(['state-continue', '--baseline-dir', fixture.baseline, '--out', out, ...flags]);
    expect(result.code, result.stderr).toBe(0);
    const manifest = readJson<Record<string, unknown>>(join(out, 'experiment_manifest.json'));
    expect(manifest.regressor_kind).toBe('ridge');
    expect(manifest.ridge_alpha).toBe(3);
    expect(manifest.regression_target_clip_bps).toBe(25);
    const { check, failures } = checker();
    compareWithExpected(out, fixture.expected, check);
    expect(failures).toEqual([]);
  });

  it('--backend webgpu starts Chromium with WebGPU and records the backend of each fit', async () => {
    // SwiftShader's WebGPU (BROWSER.md): slow, so the small ridge_clip fixture (ridge is solved directly; the four
    // logistic fits go through WebGPU).
    requireFixture('ridge_clip');
    const fixture = fixtureCase('ridge_clip');
    const out = join(scratch, 'webgpu');
    const result = await runner(['state-continue', '--baseline-dir', fixture.baseline, '--out', out, '--backend', 'webgpu', ...fixtureFlags('ridge_clip')]);
    expect(result.code, result.stderr).toBe(0);
    const timings = readJson<{ fits: { model: string; backend: string }[] }>(join(out, 'timings.json'));
    const logistic = timings.fits.filter((fit) => fit.model === 'logistic');
    expect(logistic).toHaveLength(4);
    expect(new Set(logistic.map((fit) => fit.backend))).toEqual(new Set(['webgpu']));
    const { check, failures } = checker();
    compareWithExpected(out, fixture.expected, check);
    expect(failures).toEqual([]);
  });

  it('decodes a run of over 32 MB of parquet in two decode workers, with the same dataset as in Node', async () => {
    // Uncompressed parquet makes a small run large on disk: the page's decode workers take over from 32 MB.
    const dir = join(scratch, 'large_uncompressed');
    writeRun(dir, await generateBaseline({ symbols: 6, days: 15, features: 32, seed: 21, codec: 'none' }));
    const bytes = ['feature/feature_frame.parquet', 'label/entry_labels.parquet', 'replay/replay_1m.parquet'].reduce((sum, path) => sum + statSync(join(dir, path)).size, 0);
    expect(bytes).toBeGreaterThanOrEqual(REMOTE_DECODE_MIN_BYTES);
    const out = join(scratch, 'large_out');
    const result = await runner(['state-continue', '--baseline-dir', dir, '--out', out, '--backend', 'cpu']);
    expect(result.code, result.stderr).toBe(0);
    const record = readJson<{ log: string[] }>(join(out, 'run_record.json'));
    expect(record.log.filter((line) => /^inputs: [\d.]+ MB of parquet decoded by two decode workers side by side$/.test(line))).toHaveLength(1);
    // The same state frame, bit for bit, as the inputs decoded in place in Node: the manifest hashes its parquet.
    const inline = await runStateContinue(loadBaselineDir(dir), { ...defaultParams(), backend: 'cpu' });
    const manifest = readJson<{ dataset_hash_sha256: string; row_count: number }>(join(out, 'experiment_manifest.json'));
    expect(manifest.row_count).toBe(inline.stateFrame.length);
    expect(manifest.dataset_hash_sha256).toBe(inline.manifest.dataset_hash_sha256);
    expect(readJson<{ status: string }>(join(out, 'state_continue_verdict.json')).status).toBe(inline.verdict.status);
  });

  it('exits 2 with the page message for a baseline run missing a file, and writes no artifact', async () => {
    const bad = copyBaseline(scratch, 'missing_file');
    rmSync(join(bad, 'label', 'price_plan_context.json'));
    const out = join(scratch, 'missing');
    const result = await runner(['state-continue', '--baseline-dir', bad, '--out', out]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/input error/);
    expect(result.stderr).toMatch(/price_plan_context\.json/);
    expect(listFiles(out).filter((name) => (STATE_CONTINUE_ARTIFACTS as readonly string[]).includes(name))).toEqual([]);
  });

  it('exits 2 with the page message for bad ages', async () => {
    const out = join(scratch, 'ages');
    const result = await runner(['state-continue', '--baseline-dir', FIXTURE_BASELINE, '--out', out, '--ages-minutes', '0,-5']);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/input error: .*age/is);
    expect(existsSync(join(out, 'state_continue_verdict.json'))).toBe(false);
  });

  it('exits 2 on a missing baseline folder or an unknown flag, before starting Chromium', async () => {
    const missing = await runner(['state-continue', '--baseline-dir', join(scratch, 'nope'), '--out', join(scratch, 'x')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/not a directory/);
    const unknown = await runner(['state-continue', '--baseline-dir', FIXTURE_BASELINE, '--out', join(scratch, 'x'), '--bogus', '1']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown flag --bogus/);
  });
});
