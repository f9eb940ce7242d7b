// Issue 6, sharing: a verdict link made in one browser opens, read-only, in a fresh browser profile (nothing but
// the page's own files is requested: the verdict travels in the fragment); a run exported as one file imports
// into another profile with its report and plots; exporting everything and importing it again adds nothing.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  REPO_ROOT,
  clickAndWaitForRun,
  ensureOnScreen,
  openWorkbench,
  saveDownload,
  setField,
  setFiles,
  settledRuns,
  tempDir,
  waitForFollowUps,
  waitForIntake,
  type Workbench,
} from '../../scripts/headless/harness.ts';
import { decodeVerdictFragment } from '../../src/share/verdictLink.ts';

const SHOTS = join(REPO_ROOT, 'test-results', 'share');

describe('verdict link and run export (issue 6)', () => {
  let source: Workbench;
  let downloads: string;
  let link = '';
  let runFile = '';
  let allFile = '';
  let verdict = '';

  beforeAll(async () => {
    downloads = tempDir('workbench-share-');
    source = await openWorkbench({ build: false });
    const { page } = source;
    await ensureOnScreen(page, '#try-demo', 'intake');
    await page.locator('#try-demo').click();
    expect((await waitForIntake(page)).state).toBe('valid');
    await ensureOnScreen(page, '#run-button', 'experiment');
    await setField(page, 'param-run-id', 'shared_demo');
    const outcome = await clickAndWaitForRun(page, { isCrashed: source.crashed, timeoutMs: 10 * 60_000 });
    expect(outcome.state, outcome.message).toBe('done');
    verdict = ((await page.locator('#verdict-status').first().textContent()) ?? '').trim();
    // The plots and the cross-check are added to the stored run after the verdict: the exports below are of the
    // finished run (one exported before them would differ from the same run exported after).
    await waitForFollowUps(page);
  });
  afterAll(async () => {
    await source?.close();
    rmSync(downloads, { recursive: true, force: true });
  });

  it('copies a verdict link that carries the verdict, metrics and report in its fragment', async () => {
    const { page } = source;
    await ensureOnScreen(page, '#copy-verdict-link', 'report');
    await page.locator('#copy-verdict-link').click();
    link = (await page.locator('#verdict-link').inputValue()).trim();
    expect(link.startsWith(source.url)).toBe(true);
    const shared = decodeVerdictFragment(new URL(link).hash);
    expect(shared.run.id).toBe('shared_demo');
    expect(String(shared.verdict?.status)).toBe(verdict);
    expect(shared.report).toMatch(/state.continue/i);
    expect(Object.keys(shared.metrics ?? {})).toEqual(expect.arrayContaining(['long_market_only', 'short_market_plus_state']));
    // No data: the link is small next to the run's artifacts.
    expect(link.length).toBeLessThan(64_000);
  });

  it('saves the run as one file, and everything as one file', async () => {
    const { page } = source;
    await ensureOnScreen(page, 'button.export-run[data-run-id="shared_demo"]', 'runs');
    runFile = await saveDownload(page, page.locator('button.export-run[data-run-id="shared_demo"]').first(), downloads);
    expect(runFile).toMatch(/\.mlrun\.zip$/);
    await ensureOnScreen(page, '#export-all', 'settings');
    allFile = await saveDownload(page, page.locator('#export-all'), downloads);
    expect(readFileSync(allFile).subarray(0, 2).toString('latin1')).toBe('PK');
  });

  it('opens the link read-only in a fresh browser profile, fetching nothing but the page', async () => {
    const fresh = await openWorkbench({ build: false, server: source.server });
    try {
      // The harness opened the page itself in this profile, which set up the offline cache: take it down again
      // (after it finished, so no install request is still in flight), so the link loads as in a browser that
      // never saw the workbench.
      await fresh.page.locator('#offline-status[data-state="ready"]').waitFor({ state: 'attached', timeout: 120_000 });
      await fresh.page.evaluate(async () => {
        for (const registration of await navigator.serviceWorker.getRegistrations()) await registration.unregister();
        for (const key of await caches.keys()) await caches.delete(key);
      });
      await fresh.page.goto('about:blank');
      const requested: string[] = [];
      fresh.context.on('request', (request) => requested.push(request.url()));
      // A fresh load of the link (not a fragment change of the page already open).
      await fresh.page.goto(link);
      await fresh.page.locator('#shared-verdict[data-state="ok"]').waitFor({ timeout: 30_000 });
      expect(((await fresh.page.locator('#shared-verdict-status').textContent()) ?? '').trim()).toContain(verdict);
      expect(await fresh.page.locator('#shared-run-id').textContent()).toBe('shared_demo');
      expect(await fresh.page.locator('#shared-metrics tbody tr').count()).toBeGreaterThan(4);
      expect(await fresh.page.locator('#shared-report').textContent()).toMatch(/state.continue/i);
      await fresh.page.screenshot({ path: join(SHOTS, 'shared-verdict-light.png'), fullPage: true });
      await fresh.page.emulateMedia({ colorScheme: 'dark' });
      await fresh.page.screenshot({ path: join(SHOTS, 'shared-verdict-dark.png'), fullPage: true });
      await fresh.page.emulateMedia({ colorScheme: 'light' });
      // Nothing but the page's own static files (and no demo data, no parquet).
      const origin = new URL(source.url).origin;
      expect(requested.filter((url) => !url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:'))).toEqual([]);
      expect(requested.filter((url) => /\.(parquet|onnx)$/.test(url))).toEqual([]);
      // A cut link says what is wrong (loaded afresh too).
      await fresh.page.goto('about:blank');
      await fresh.page.goto(link.slice(0, link.length - 50));
      await fresh.page.locator('#shared-verdict[data-state="error"]').waitFor();
      expect(await fresh.page.locator('#shared-error').textContent()).toMatch(/cut|corrupt|decompress|length/);
      // Leaving the shared view opens the workbench, with nothing stored from the link.
      await fresh.page.locator('#close-shared').click();
      await ensureOnScreen(fresh.page, '#runs-list', 'runs');
      expect(await settledRuns(fresh.page)).toEqual([]);
      expect(fresh.pageErrors).toEqual([]);
    } finally {
      await fresh.close();
    }
  });

  it('imports the exported run into a fresh profile, with its report and plots', async () => {
    const fresh = await openWorkbench({ build: false, server: source.server });
    try {
      const { page } = fresh;
      await ensureOnScreen(page, '#import-file', 'settings');
      await setFiles(page, [runFile], '#import-file');
      await page.locator('#export-import-status[data-state="done"]').waitFor({ timeout: 60_000 });
      expect(await page.locator('#export-import-status').textContent()).toMatch(/1 run\(s\) imported: shared_demo/);
      await ensureOnScreen(page, '#runs-list', 'runs');
      const runs = await settledRuns(page);
      expect(runs.map((r) => r.runId)).toEqual(['shared_demo']);
      await page.getByRole('button', { name: 'Open run shared_demo' }).click();
      await page.locator('#run-plots').waitFor();
      for (const chart of ['roc', 'calibration', 'edge', 'rows', 'coefficients', 'drift']) {
        await page.locator(`[data-chart="${chart}"] canvas`).first().waitFor({ state: 'attached', timeout: 30_000 });
      }
      expect(((await page.locator('#verdict-status').first().textContent()) ?? '').trim()).toBe(verdict);
      expect(await page.locator('a.artifact-download').count()).toBe(9);

      // Everything from the first browser: the same run is recognised and skipped, nothing is duplicated.
      await ensureOnScreen(page, '#import-file', 'settings');
      await setFiles(page, [allFile], '#import-file');
      await page.locator('#export-import-status[data-state="done"]').waitFor({ timeout: 60_000 });
      expect(await page.locator('#export-import-status').textContent()).toMatch(/0 run\(s\) imported.*already here, skipped: shared_demo/);
      await ensureOnScreen(page, '#runs-list', 'runs');
      expect((await settledRuns(page)).map((r) => r.runId)).toEqual(['shared_demo']);
      // A file that is not an export is refused by name.
      await ensureOnScreen(page, '#import-file', 'settings');
      await setFiles(page, [join(REPO_ROOT, 'public', 'demo', 'manifest.json')], '#import-file');
      await page.locator('#export-import-status[data-state="failed"]').waitFor();
      expect(await page.locator('#export-import-status').textContent()).toMatch(/manifest\.json: .*not a zip/);
      expect(fresh.pageErrors).toEqual([]);
    } finally {
      await fresh.close();
    }
  });
});
