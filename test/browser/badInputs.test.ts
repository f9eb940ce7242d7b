// (d) Bad baseline runs (SPEC section 1): a missing file, a missing column, F not matching the ONNX heads, bad
// ages and a truncated parquet each show a message naming what is wrong, in #input-problems (checked before any
// work starts) or #run-status (input-error), and nothing is stored.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clickAndWaitForRun,
  ensureOnScreen,
  fillStateContinueParams,
  settledRuns,
  openWorkbench,
  setBaselineFolder,
  tempDir,
  waitForIntake,
  type Workbench,
} from '../../scripts/headless/harness.ts';
import { makeBadRuns, requireFixture, type BadRun } from './support.ts';

describe.sequential('bad inputs', () => {
  let scratch: string;
  let workbench: Workbench;
  let badRuns: BadRun[] = [];

  beforeAll(async () => {
    requireFixture();
    scratch = tempDir('workbench-bad-runs-');
    badRuns = makeBadRuns(scratch);
    workbench = await openWorkbench({ build: false });
  });
  afterAll(async () => {
    await workbench?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  const labels = ['a missing file', 'a missing column', 'F not matching the ONNX heads', 'a truncated parquet', 'bad ages 0,-5'];
  for (const label of labels) {
    it(`reports ${label} by name and stores nothing`, async () => {
      const bad = badRuns.find((run) => run.label === label);
      expect(bad, `bad run "${label}"`).toBeDefined();
      if (!bad) return;
      const { page } = workbench;
      // A fresh page load for each case: no state carried over from the previous bad run.
      await page.goto(workbench.url, { waitUntil: 'load' });
      await ensureOnScreen(page, '#baseline-dir-input', 'intake');
      await setBaselineFolder(page, bad.dir);
      const intake = await waitForIntake(page);

      let message: string;
      await ensureOnScreen(page, '#run-button', 'experiment');
      if (bad.params) await fillStateContinueParams(page, bad.params);
      const runButton = page.locator('#run-button');
      if (intake.state === 'invalid') {
        expect(intake.problems.length).toBeGreaterThan(0);
        message = intake.problems.join('\n');
        // Pressing Run anyway must not start anything: either it is disabled or it reports the input error.
        if (await runButton.isEnabled()) {
          const outcome = await clickAndWaitForRun(page, { isCrashed: workbench.crashed, timeoutMs: 120_000 });
          expect(outcome.state, outcome.message).toBe('input-error');
          expect(outcome.message).toMatch(bad.mentions);
        }
      } else {
        const outcome = await clickAndWaitForRun(page, { isCrashed: workbench.crashed, timeoutMs: 120_000 });
        expect(outcome.state, outcome.message).toBe('input-error');
        message = outcome.message;
      }
      expect(message).toMatch(bad.mentions);

      await ensureOnScreen(page, '#runs-list', 'runs');
      expect(await settledRuns(page)).toEqual([]);
      expect(workbench.pageErrors).toEqual([]);
      expect(workbench.crashed()).toBe(false);
    });
  }
});
