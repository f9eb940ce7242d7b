// The risk filter, headless: the page driven in Chromium as a user would (pick the ledger, set the parameters,
// Import, Train, download swing_result.json). Same options as the reference, /opt/ref/swing_reference.py, so that
// the two results can be compared field by field:
//
//   npm run headless -- risk-filter --ledger FILE --out DIR [--mae-threshold 0.03] [--min-rows 20]
//       [--risk-threshold 0.5] [--profile-dir DIR] [--timeout-minutes 10]
//
// swing_result.json is saved into --out also when training is refused (the refusal is part of the result).
// With a fresh profile (the default) the page's stored dataset is this ledger alone, as in the reference; with
// --profile-dir it holds every ledger imported into that profile before (the dataset is append-only).
// Exit codes: 0 success (trained or refused), 2 input error (bad flags, a file the page cannot read), 1 otherwise.
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { EXIT_FAILURE, EXIT_INPUT_ERROR, EXIT_OK, UsageError, parseFlags, userPath } from './cli.ts';
import { ensureOnScreen, openWorkbench, saveDownload, setField, type Workbench } from './harness.ts';

const FLAGS = {
  ledger: 'string',
  out: 'string',
  'mae-threshold': 'number',
  'min-rows': 'integer',
  'risk-threshold': 'number',
  'profile-dir': 'string',
  'timeout-minutes': 'number',
} as const;

const USAGE = `usage: npm run headless -- risk-filter --ledger FILE --out DIR [--mae-threshold 0.03] [--min-rows 20]
    [--risk-threshold 0.5] [--profile-dir DIR] [--timeout-minutes 10]`;

const TERMINAL = ['done', 'failed', 'input-error'];

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Record every data-state #risk-status takes (a MutationObserver on the document: re-renders are covered). */
export async function watchRiskStatus(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    if (window.__riskStates) return;
    const states = [];
    window.__riskStates = states;
    let last = null;
    const look = () => {
      const el = document.querySelector('#risk-status');
      const state = el ? el.getAttribute('data-state') : null;
      const text = el ? (el.textContent || '').trim() : '';
      const key = state + '|' + text;
      if (state && key !== last) { last = key; states.push({ state, text }); }
    };
    new MutationObserver(look).observe(document.documentElement, { subtree: true, childList: true, attributes: true, characterData: true });
    look();
  })()`);
}

/** Click `selector` and wait until #risk-status reaches a terminal state after the click. */
export async function clickAndWaitForRisk(page: Page, selector: string, timeoutMs: number): Promise<{ state: string; text: string }> {
  await watchRiskStatus(page);
  const mark = (await page.evaluate('window.__riskStates.length')) as number;
  await page.locator(selector).first().click();
  // Polled from here: the page's CSP forbids the string evaluation waitForFunction would need.
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = (await page.evaluate(`window.__riskStates.slice(${mark})`)) as { state: string; text: string }[];
    const end = states.find((s) => TERMINAL.includes(s.state));
    if (end) return end;
    if (Date.now() > deadline) throw new Error(`#risk-status did not reach ${TERMINAL.join('|')} within ${timeoutMs / 1000} s (states seen: ${states.map((s) => s.state).join(', ') || 'none'})`);
    await page.waitForTimeout(100);
  }
}

export async function runRiskFilter(argv: string[]): Promise<number> {
  let flags: Record<string, string | number>;
  try {
    flags = parseFlags(argv, FLAGS);
    for (const required of ['ledger', 'out']) if (flags[required] === undefined) throw new UsageError(`--${required} is required`);
  } catch (error) {
    if (error instanceof UsageError) {
      log(`input error: ${error.message}\n${USAGE}`);
      return EXIT_INPUT_ERROR;
    }
    throw error;
  }
  const ledger = userPath(String(flags.ledger));
  if (!existsSync(ledger) || !statSync(ledger).isFile()) {
    log(`input error: --ledger ${ledger} is not a file`);
    return EXIT_INPUT_ERROR;
  }
  const outDir = userPath(String(flags.out));
  mkdirSync(outDir, { recursive: true });
  rmSync(join(outDir, 'swing_result.json'), { force: true }); // a previous run's result must not pass for this one's
  const timeoutMs = Number(flags['timeout-minutes'] ?? 10) * 60_000;

  let workbench: Workbench | undefined;
  try {
    workbench = await openWorkbench({ userDataDir: flags['profile-dir'] ? userPath(String(flags['profile-dir'])) : undefined, log });
    const { page } = workbench;
    await ensureOnScreen(page, '#ledger-input', 'riskfilter');
    await page.locator('#ledger-input').setInputFiles(ledger);
    if (flags['mae-threshold'] !== undefined) await setField(page, 'param-mae-threshold', flags['mae-threshold']);
    if (flags['min-rows'] !== undefined) await setField(page, 'param-min-rows', flags['min-rows']);
    if (flags['risk-threshold'] !== undefined) await setField(page, 'param-risk-threshold', flags['risk-threshold']);

    const imported = await clickAndWaitForRisk(page, '#ledger-import-button', timeoutMs);
    log(`import: ${imported.text}`);
    if (imported.state === 'input-error') {
      const problems = await page.locator('#risk-problems li').allTextContents();
      log(`input error: ${problems.join('\n') || imported.text}`);
      return EXIT_INPUT_ERROR;
    }
    if (imported.state !== 'done') return EXIT_FAILURE;

    const trained = await clickAndWaitForRisk(page, '#risk-train-button', timeoutMs);
    if (trained.state === 'input-error') {
      log(`input error: ${trained.text}`);
      return EXIT_INPUT_ERROR;
    }
    if (trained.state !== 'done') {
      log(`error: ${trained.text}`);
      return EXIT_FAILURE;
    }
    const link = page.locator('a.artifact-download[data-name="swing_result.json"]').first();
    const path = await saveDownload(page, link, outDir, 'swing_result.json');
    console.log(`${trained.text.replace(/^done\s*/, '')}\nswing_result.json: ${path}`);
    if (workbench.pageErrors.length) log(`page errors during the run:\n  ${workbench.pageErrors.join('\n  ')}`);
    return EXIT_OK;
  } catch (error) {
    log(`error: ${error instanceof Error ? error.message : String(error)}`);
    if (workbench?.pageErrors.length) log(`page errors:\n  ${workbench.pageErrors.join('\n  ')}`);
    return EXIT_FAILURE;
  } finally {
    await workbench?.close();
  }
}
