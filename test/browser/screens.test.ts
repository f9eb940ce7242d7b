// Issue 6, the screens: the production build under /wb/ boots with no failed request and never contacts another
// origin; the demo runs to a verdict; the report draws every plot (ROC, calibration, predicted against realised
// edge, rows per split and age, coefficients, drift naming the features that moved most); a second run with
// changed parameters; compare, runs, settings; keyboard and labels. Screenshots of every screen, light and dark,
// go to test-results/screens/ for review.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  REPO_ROOT,
  clickAndWaitForRun,
  ensureOnScreen,
  openWorkbench,
  setField,
  settledRuns,
  waitForIntake,
  type Workbench,
} from '../../scripts/headless/harness.ts';

const SHOTS = join(REPO_ROOT, 'test-results', 'screens');
const CHARTS = ['roc', 'calibration', 'edge', 'rows', 'coefficients', 'drift'];

/** Pixels a canvas has drawn (alpha > 0): a chart that failed to render draws none. */
async function inkedPixels(page: Page, chart: string): Promise<number> {
  return page.locator(`[data-chart="${chart}"] canvas`).first().evaluate((canvas: HTMLCanvasElement) => {
    const ctx = canvas.getContext('2d');
    if (!ctx || canvas.width === 0 || canvas.height === 0) return 0;
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
    return n;
  });
}

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    // Charts redraw on the scheme change; give them a frame.
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(SHOTS, `${name}-${scheme}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** Leaves out the test's own probe of the Content-Security-Policy (a fetch to example.invalid, refused). */
const own = (lines: string[]) => lines.filter((line) => !line.includes('example.invalid'));

/** Every request the page (and its workers) made to an origin other than the page's own. */
function watchOrigins(workbench: Workbench): string[] {
  const origin = new URL(workbench.url).origin;
  const foreign: string[] = [];
  workbench.context.on('request', (request) => {
    const url = request.url();
    if (url.startsWith('data:') || url.startsWith('blob:')) return;
    if (new URL(url).origin !== origin) foreign.push(url);
  });
  return foreign;
}

describe('screens (issue 6)', () => {
  let workbench: Workbench;
  let foreign: string[];
  beforeAll(async () => {
    workbench = await openWorkbench({ build: false });
    foreign = watchOrigins(workbench);
  });
  afterAll(async () => {
    await workbench?.close();
  });

  it('boots under /wb/ with no failed request, with the Content-Security-Policy in force', async () => {
    const { page } = workbench;
    await page.waitForLoadState('networkidle');
    const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).toMatch(/connect-src 'self'/);
    // The policy is enforced: a fetch to another origin is refused by the browser before it leaves.
    const blocked = await page.evaluate(() =>
      fetch('https://example.invalid/x').then(
        () => 'sent',
        (error: Error) => error.message,
      ),
    );
    expect(blocked).not.toBe('sent');
    // The capability notice tells what this headless browser lacks (no WebGPU without flags) and what runs instead.
    await page.locator('#capabilities').waitFor({ state: 'attached' });
    await expect.poll(() => page.locator('#capabilities').textContent(), { timeout: 15_000 }).toMatch(/WebGPU/);
    await page.getByRole('button', { name: 'What this means' }).click();
    expect(await page.locator('[data-capability="webgpu"]').textContent()).toMatch(/float64 CPU path instead/);
    expect(own(workbench.failedRequests)).toEqual([]);
    expect(own(workbench.consoleErrors)).toEqual([]);
  });

  it('runs the demo to a verdict and draws every plot of the report', async () => {
    const { page } = workbench;
    await ensureOnScreen(page, '#try-demo', 'intake');
    await page.locator('#try-demo').click();
    expect((await waitForIntake(page)).state).toBe('valid');
    await shoot(page, 'intake');
    await ensureOnScreen(page, '#run-button', 'experiment');
    await setField(page, 'param-run-id', 'demo_huber');
    const outcome = await clickAndWaitForRun(page, { isCrashed: workbench.crashed, timeoutMs: 10 * 60_000 });
    expect(outcome.state, outcome.message).toBe('done');
    // A finished run opens its report; the experiment screen keeps the stages and fits of the run.
    await page.locator('[data-nav="experiment"]').first().click();
    await shoot(page, 'experiment');
    await ensureOnScreen(page, '#run-plots', 'report');
    for (const chart of CHARTS) {
      await page.locator(`[data-chart="${chart}"] canvas`).first().waitFor({ state: 'attached', timeout: 30_000 });
      await page.locator(`[data-chart="${chart}"]`).first().scrollIntoViewIfNeeded();
      await expect.poll(() => inkedPixels(page, chart), { message: `${chart} chart draws` }).toBeGreaterThan(500);
    }
    // Drift names the features that moved most, in words (PSI and its reading).
    expect(await page.locator('#drift-summary').textContent()).toMatch(/Moved most: \w+ \(PSI \d\.\d{3}, (stable|moderate|major)\)/);
    // Every chart has its numbers in a table, and the canvas a label.
    for (const chart of CHARTS) {
      const label = await page.locator(`[data-chart="${chart}"] [role="img"]`).first().getAttribute('aria-label');
      expect(label?.length ?? 0, `${chart} label`).toBeGreaterThan(10);
      expect(await page.locator(`[data-chart="${chart}"] details table`).count(), `${chart} table`).toBe(1);
    }
    // Another model and another fit redraw.
    await page.locator('#plot-model').selectOption('short_market_plus_state');
    await page.locator('#plot-fit').selectOption('short_market_plus_state:regressor');
    await expect.poll(() => inkedPixels(page, 'roc')).toBeGreaterThan(500);
    await shoot(page, 'report');
    // The plots alone, at full size, for review.
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForTimeout(300);
      await page.locator('#run-plots').screenshot({ path: join(SHOTS, `report-plots-${scheme}.png`) });
    }
    await page.emulateMedia({ colorScheme: 'light' });
    expect(workbench.pageErrors).toEqual([]);
  });

  it('runs again with changed parameters and compares the two runs side by side', async () => {
    const { page } = workbench;
    // "Run again…" on the stored run: its parameters come back in the form under a new id.
    await ensureOnScreen(page, 'button.rerun[data-run-id="demo_huber"]', 'runs');
    await page.locator('button.rerun[data-run-id="demo_huber"]').click();
    await page.locator('#run-button').waitFor();
    expect(await page.locator('#param-run-id').inputValue()).toBe('demo_huber-again');
    expect(await page.locator('#param-regressor-kind').inputValue()).toBe('huber');
    expect(await page.locator('#param-ages-minutes').inputValue()).toBe('5,15,30,60');
    // The demo is still on the page: the same baseline the run read.
    expect(await page.locator('.notice').textContent()).toMatch(/change what you want/);
    await setField(page, 'param-regressor-kind', 'ridge');
    const outcome = await clickAndWaitForRun(page, { isCrashed: workbench.crashed, timeoutMs: 10 * 60_000 });
    expect(outcome.state, outcome.message).toBe('done');

    await ensureOnScreen(page, '#runs-list', 'runs');
    const runs = await settledRuns(page);
    expect(runs.map((r) => r.runId)).toEqual(expect.arrayContaining(['demo_huber', 'demo_huber-again']));
    await shoot(page, 'runs');

    await ensureOnScreen(page, '#compare-a', 'compare');
    await page.locator('#compare-a').selectOption('demo_huber');
    await page.locator('#compare-b').selectOption('demo_huber-again');
    // Same demo files: no input warning; the regressor differs; metrics carry B − A.
    await page.locator('#compare-inputs-same').waitFor();
    expect(await page.locator('#compare-inputs-warning').count()).toBe(0);
    const regressor = page.locator('#compare-parameters tr', { hasText: 'regressor_kind' });
    expect(await regressor.textContent()).toMatch(/huber.*ridge.*differs/);
    const edgeRows = page.locator('#compare-metrics tbody tr', { hasText: 'edge_mae_vs_constant_ratio' });
    expect(await edgeRows.count()).toBeGreaterThan(0);
    const changed = await page.locator('#compare-metrics tbody tr[data-change="better"], #compare-metrics tbody tr[data-change="worse"]').count();
    expect(changed, 'ridge and huber give different edge metrics').toBeGreaterThan(0);
    await shoot(page, 'compare');
  });

  it('shows settings: backend, storage, export and import', async () => {
    const { page } = workbench;
    await ensureOnScreen(page, '#export-all', 'settings');
    expect(await page.locator('#storage-usage').textContent()).toMatch(/B|KB|MB|GB/);
    expect(await page.locator('#request-persistence').count()).toBe(1);
    expect(await page.locator('#import-file').count()).toBe(1);
    await shoot(page, 'settings');
    for (const screen of ['riskfilter', 'registry']) {
      await page.locator(`[data-nav="${screen}"]`).first().click();
      await page.waitForTimeout(300);
      await shoot(page, screen);
    }
  });

  it('is usable by keyboard, with a label for every control', async () => {
    const { page } = workbench;
    for (const screen of ['intake', 'experiment', 'report', 'runs', 'compare', 'settings']) {
      await page.locator(`[data-nav="${screen}"]`).first().click();
      await page.waitForTimeout(200);
      // Every form control has an accessible name (label, aria-label or aria-labelledby).
      const unnamed = await page.evaluate(() =>
        [...document.querySelectorAll('main input, main select, main textarea, main button')]
          .filter((el) => {
            const e = el as HTMLInputElement;
            if (e.type === 'hidden') return false;
            const labelled = e.labels && e.labels.length > 0;
            const aria = e.getAttribute('aria-label') || e.getAttribute('aria-labelledby');
            const text = el.tagName === 'BUTTON' && (el.textContent ?? '').trim().length > 0;
            return !labelled && !aria && !text;
          })
          .map((el) => el.outerHTML.slice(0, 120)),
      );
      expect(unnamed, `${screen}: controls without a name`).toEqual([]);
      expect(await page.locator('main h2').count(), `${screen} has a heading`).toBeGreaterThan(0);
    }
    // Navigation by keyboard alone: focus a nav button with Tab and open a screen with Enter.
    await page.locator('[data-nav="intake"]').first().focus();
    let reached = false;
    for (let i = 0; i < 12 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.getAttribute('data-nav') === 'runs');
    }
    expect(reached, 'Tab reaches the Runs button').toBe(true);
    await page.keyboard.press('Enter');
    await page.locator('#runs-list').waitFor();
    expect(own(foreign), 'requests to another origin').toEqual([]);
    expect(own(workbench.failedRequests)).toEqual([]);
    expect(own(workbench.consoleErrors)).toEqual([]);
    expect(workbench.pageErrors).toEqual([]);
  });
});
