// Issue 6, offline and kept: after a first visit the production build (served under /wb/) reloads with the network
// off and the server gone, runs the demo to a verdict offline, and its stored runs survive a browser restart.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  REPO_ROOT,
  clickAndWaitForRun,
  ensureOnScreen,
  openWorkbench,
  setField,
  settledRuns,
  tempDir,
  waitForIntake,
  type Workbench,
} from '../../scripts/headless/harness.ts';

const SHOTS = join(REPO_ROOT, 'test-results', 'offline');

describe('offline (issue 6)', () => {
  const profile = tempDir('workbench-offline-');
  let workbench: Workbench | null = null;
  afterAll(async () => {
    await workbench?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  it('caches every file on the first visit, then reloads and runs the demo with the network off', async () => {
    workbench = await openWorkbench({ build: false, userDataDir: profile });
    const { page, context } = workbench;
    await page.locator('#offline-status[data-state="ready"]').waitFor({ state: 'attached', timeout: 120_000 });
    // The service worker controls the page once it has claimed it (reload if it installed after load).
    const controlled = await page.evaluate(() => navigator.serviceWorker.controller !== null);
    if (!controlled) await page.reload();
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 30_000 }).toBe(true);
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.scope ?? '');
    expect(scope).toBe(workbench.url);

    // The network off, and the server closed too: only the cache can answer now.
    await context.setOffline(true);
    await workbench.server.close();
    await page.reload({ waitUntil: 'load' });
    await page.locator('[data-nav="intake"]').first().waitFor();
    await ensureOnScreen(page, '#try-demo', 'intake');
    await page.locator('#try-demo').click();
    expect((await waitForIntake(page)).state).toBe('valid');
    await ensureOnScreen(page, '#run-button', 'experiment');
    await setField(page, 'param-run-id', 'offline_demo');
    const outcome = await clickAndWaitForRun(page, { isCrashed: workbench.crashed, timeoutMs: 10 * 60_000 });
    expect(outcome.state, outcome.message).toBe('done');
    expect(((await page.locator('#verdict-status').first().textContent()) ?? '').trim()).toMatch(/PASS_TO_FORMAL_CHAIN|NOT_READY_FOR_FORMAL_CHAIN/);
    await ensureOnScreen(page, '#run-plots', 'report');
    await page.screenshot({ path: join(SHOTS, 'offline-report.png'), fullPage: false });
    expect(workbench.pageErrors).toEqual([]);
    await workbench.close();
    workbench = null;
  });

  it('keeps its runs after a browser restart with the same profile', async () => {
    workbench = await openWorkbench({ build: false, userDataDir: profile });
    await ensureOnScreen(workbench.page, '#runs-list', 'runs');
    const runs = await settledRuns(workbench.page);
    expect(runs.map((r) => r.runId)).toContain('offline_demo');
    expect(runs.find((r) => r.runId === 'offline_demo')?.status).toBe('ok');
  });
});
