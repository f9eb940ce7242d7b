// (b) A baseline run dropped through the folder input runs in the page, and its downloaded artifacts agree with
// the oracle's outputs on the same fixture; (c) the run survives closing and relaunching Chromium with the same
// profile; (f) Cancel during a run stores it as cancelled and leaves the page usable.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clickAndWaitForRun,
  downloadAll,
  ensureOnScreen,
  fillStateContinueParams,
  settledRuns,
  openWorkbench,
  setBaselineFolder,
  tempDir,
  waitForIntake,
  waitForRunEnd,
  waitForRunState,
  waitForFollowUps,
  runStatusMark,
  type Workbench,
} from '../../scripts/headless/harness.ts';
import { STATE_CONTINUE_ARTIFACTS } from '../../scripts/headless.ts';
import {
  FIXTURE_BASELINE,
  FIXTURE_EXPECTED,
  checker,
  compareWithExpected,
  fixtureFlags,
  flagsToParams,
  readJson,
  requireFixture,
} from './support.ts';

const BASELINE_RUN_ID = 'baseline'; // the fixture folder's base name
const FAILED_OR_CANCELLED = ['failed', 'cancelled', 'input-error'];

async function startRun(workbench: Workbench): Promise<void> {
  const { page } = workbench;
  await ensureOnScreen(page, '#baseline-dir-input', 'intake');
  await setBaselineFolder(page, FIXTURE_BASELINE);
  const intake = await waitForIntake(page);
  expect(intake.problems).toEqual([]);
  expect(intake.state).toBe('valid');
  await ensureOnScreen(page, '#run-button', 'experiment');
  await fillStateContinueParams(page, flagsToParams(fixtureFlags()));
}

async function runsOnRunsScreen(workbench: Workbench) {
  await ensureOnScreen(workbench.page, '#runs-list', 'runs');
  return settledRuns(workbench.page);
}

describe.sequential('state-continue in the page', () => {
  let profile: string;
  let scratch: string;
  let workbench: Workbench | undefined;
  let firstRunId = '';

  beforeAll(() => {
    requireFixture();
    profile = tempDir('workbench-profile-');
    scratch = tempDir('workbench-downloads-');
  });
  afterAll(async () => {
    await workbench?.close();
    rmSync(profile, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  it('(b) runs a baseline folder and offers artifacts that agree with the oracle', async () => {
    workbench = await openWorkbench({ build: false, userDataDir: profile });
    const { page } = workbench;
    await startRun(workbench);
    // The stages the progress list showed while the run went (the page shows the workers' progress every 100 ms,
    // not as each message comes; the list leaves the page with the run's end, when the report replaces it).
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { __stagesSeen: string[] }).__stagesSeen = seen;
      new MutationObserver(() => {
        for (const li of document.querySelectorAll('li.stage[data-stage]')) {
          const name = li.getAttribute('data-stage') ?? '';
          if (!seen.includes(name)) seen.push(name);
        }
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    const outcome = await clickAndWaitForRun(page, { isCrashed: workbench.crashed, timeoutMs: 15 * 60_000 });
    expect(outcome.state, outcome.message).toBe('done');
    expect(outcome.states).toContain('running');
    const stagesSeen = await page.evaluate(() => (window as unknown as { __stagesSeen: string[] }).__stagesSeen);
    expect(stagesSeen).toEqual(expect.arrayContaining(['path_stats', 'state_frame', 'train_fits']));

    await ensureOnScreen(page, 'a.artifact-download', 'report');
    const out = join(scratch, 'b');
    mkdirSync(out);
    const saved = await downloadAll(page, out);
    expect([...saved.artifacts].sort()).toEqual([...STATE_CONTINUE_ARTIFACTS].sort());
    expect(saved.zip).toBe('state_continue_artifacts.zip');
    expect(saved.runRecord).toBe('run_record.json');

    // The zip holds the same nine files, byte for byte.
    const zipped = unzipSync(new Uint8Array(readFileSync(join(out, 'state_continue_artifacts.zip'))));
    const zippedNames = Object.keys(zipped).map((path) => path.split('/').pop() ?? path);
    expect(zippedNames.sort()).toEqual([...STATE_CONTINUE_ARTIFACTS].sort());
    for (const [path, bytes] of Object.entries(zipped)) {
      const name = path.split('/').pop() ?? path;
      expect(Buffer.from(bytes).equals(readFileSync(join(out, name))), `${name} in the zip`).toBe(true);
    }

    const { check, failures } = checker();
    compareWithExpected(out, FIXTURE_EXPECTED, check);
    expect(failures).toEqual([]);

    const verdict = readJson<{ status: string }>(join(out, 'state_continue_verdict.json'));
    expect(((await page.locator('#verdict-status').first().textContent()) ?? '').trim()).toContain(verdict.status);

    // The run record: stage timings, total time, and the backend of each of the eight fits.
    const record = readJson<{ total_ms: number; stage_timings_ms: Record<string, number>; fits: { key: string; backend: string; ms: number }[]; log: string[] }>(
      join(out, 'run_record.json'),
    );
    expect(record.total_ms).toBeGreaterThan(0);
    // The verdict ended total_ms; the parquet files were written after it, and the run stored with them.
    expect(Object.keys(record.stage_timings_ms)).toEqual(expect.arrayContaining(['metrics', 'verdict', 'artifacts', 'insights', 'onnx_cross_check']));
    const written = record.log.findIndex((line) => line.startsWith('trader.training.state_continue_dataset_written'));
    const trained = record.log.map((line, i) => (line.startsWith('trader.training.state_continue_model_trained') ? i : -1));
    expect(written).toBeGreaterThan(Math.max(...trained));
    // the ONNX graphs were run by onnxruntime-web in the pipeline worker after the verdict and agree with their initializers
    expect(record.log.filter((line) => line.startsWith('frozen scores: onnxruntime agrees'))).toHaveLength(5);
    expect(record.fits).toHaveLength(8);
    for (const fit of record.fits) expect(['cpu', 'wasm', 'webgpu']).toContain(fit.backend);

    const runs = await runsOnRunsScreen(workbench);
    expect(runs).toHaveLength(1);
    firstRunId = runs[0].runId;
    expect(firstRunId).not.toBe('');
    expect(FAILED_OR_CANCELLED).not.toContain(runs[0].status);
    expect(runs[0].text).toContain(verdict.status);
    expect(workbench.pageErrors).toEqual([]);
    expect(workbench.consoleErrors).toEqual([]);
    expect(workbench.failedRequests).toEqual([]);
  });

  it('(c) lists the run after Chromium is closed and relaunched with the same profile', async () => {
    expect(firstRunId, 'needs the run of (b)').not.toBe('');
    await workbench?.close();
    workbench = await openWorkbench({ build: false, userDataDir: profile });
    const runs = await runsOnRunsScreen(workbench);
    expect(runs.map((run) => run.runId)).toEqual([firstRunId]);
    expect(FAILED_OR_CANCELLED).not.toContain(runs[0].status);
    expect(runs[0].text).toContain(readJson<{ status: string }>(join(FIXTURE_EXPECTED, 'state_continue_verdict.json')).status);
    // Opened from the store, the run offers the same files: the parquet ones come back from IndexedDB as Blobs,
    // the zip is packed from them.
    await workbench.page.getByRole('button', { name: `Open run ${firstRunId}` }).click();
    await ensureOnScreen(workbench.page, 'a.artifact-download', 'report');
    const again = join(scratch, 'c');
    mkdirSync(again);
    const saved = await downloadAll(workbench.page, again);
    expect([...saved.artifacts].sort()).toEqual([...STATE_CONTINUE_ARTIFACTS].sort());
    for (const name of STATE_CONTINUE_ARTIFACTS) {
      expect(readFileSync(join(again, name)).equals(readFileSync(join(scratch, 'b', name))), name).toBe(true);
    }
    const zipped = unzipSync(new Uint8Array(readFileSync(join(again, 'state_continue_artifacts.zip'))));
    for (const name of STATE_CONTINUE_ARTIFACTS) expect(Buffer.from(zipped[name]).equals(readFileSync(join(scratch, 'b', name))), `${name} in the zip`).toBe(true);
  });

  it('(f) Cancel during a run stores it as cancelled and leaves the page usable', async () => {
    if (!workbench) workbench = await openWorkbench({ build: false, userDataDir: profile });
    const { page } = workbench;
    const before = await runsOnRunsScreen(workbench);
    await startRun(workbench);
    const mark = await runStatusMark(page);
    await page.locator('#run-button').click();
    await waitForRunState(page, 'running');
    await page.locator('#cancel-button').click();
    const outcome = await waitForRunEnd(page, mark, { isCrashed: workbench.crashed, timeoutMs: 120_000 });
    expect(outcome.state, outcome.message).toBe('cancelled');

    const after = await runsOnRunsScreen(workbench);
    expect(after).toHaveLength(before.length + 1);
    const cancelled = after.filter((run) => !before.some((old) => old.runId === run.runId));
    expect(cancelled.map((run) => run.status)).toEqual(['cancelled']);

    // Usable: the same baseline runs to the end right after.
    await startRun(workbench);
    const again = await clickAndWaitForRun(page, { isCrashed: workbench.crashed, timeoutMs: 15 * 60_000 });
    expect(again.state, again.message).toBe('done');
    // Run pressed again at once, while the last run's parquet files may still be written: that run is stored
    // first (nothing lost), then the new one runs.
    await ensureOnScreen(page, '#run-button', 'experiment');
    const markAgain = await runStatusMark(page);
    await page.locator('#run-button').click();
    const third = await waitForRunEnd(page, markAgain, { isCrashed: workbench.crashed, timeoutMs: 15 * 60_000 });
    expect(third.state, third.message).toBe('done');
    await waitForFollowUps(page);
    const final = await runsOnRunsScreen(workbench);
    expect(final).toHaveLength(before.length + 3);
    expect(final.find((run) => run.runId === cancelled[0].runId)?.status).toBe('cancelled');
    expect(workbench.pageErrors).toEqual([]);
  });
});
