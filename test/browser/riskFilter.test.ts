// The risk filter and its registry in the built page, driven as a user would (SPEC §4): import a ledger, train,
// promote with a reason (refused without one), lock (promotion and rollback refused with the message), unlock,
// roll back; the history survives a Chromium restart with the same profile. Then the headless risk-filter
// command on fixtures made by the reference (/opt/ref/swing_reference.py): its swing_result.json agrees.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureOnScreen, listedRuns, openWorkbench, REPO_ROOT, tempDir, type Workbench } from '../../scripts/headless/harness.ts';
import { clickAndWaitForRisk } from '../../scripts/headless/riskFilter.ts';

const FIXTURES = join(REPO_ROOT, 'test/fixtures/swing');
const expected = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name, 'swing_result.json'), 'utf8'));

async function registryMessage(page: Page): Promise<{ tone: string | null; text: string }> {
  const el = page.locator('#registry-message');
  await el.waitFor({ state: 'attached' });
  return { tone: await el.getAttribute('data-tone'), text: ((await el.textContent()) ?? '').trim() };
}

async function registryState(page: Page): Promise<{ active: string; locked: string | null }> {
  const el = page.locator('#registry-status');
  return { active: (await el.getAttribute('data-active')) ?? '', locked: await el.getAttribute('data-locked') };
}

async function history(page: Page): Promise<{ action: string | null; model: string | null; text: string }[]> {
  const items = page.locator('#registry-history li.history-entry');
  const out = [];
  for (let i = 0; i < (await items.count()); i++) {
    const item = items.nth(i);
    out.push({ action: await item.getAttribute('data-action'), model: await item.getAttribute('data-model'), text: ((await item.textContent()) ?? '').trim() });
  }
  return out.reverse(); // the page lists the newest first
}

/** Click and wait until the registry message changes (each command writes one). */
async function command(page: Page, selector: string): Promise<{ tone: string | null; text: string }> {
  const before = (await page.locator('#registry-message').count()) ? await page.locator('#registry-message').textContent() : null;
  await page.locator(selector).click();
  // polled from here: waitForFunction evaluates strings in the page, which its CSP forbids
  const deadline = Date.now() + 30_000;
  while ((await page.locator('#registry-message').count()) === 0 || (await page.locator('#registry-message').textContent()) === before) {
    if (Date.now() > deadline) throw new Error(`no registry message after clicking ${selector}`);
    await page.waitForTimeout(50);
  }
  return registryMessage(page);
}

describe.sequential('risk filter in the page', () => {
  let profile: string;
  let workbench: Workbench | undefined;
  const candidates: string[] = [];

  beforeAll(async () => {
    profile = tempDir('workbench-risk-profile-');
    workbench = await openWorkbench({ build: false, userDataDir: profile });
  });
  afterAll(async () => {
    await workbench?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  it('imports a ledger and reports counts, conflicts and bad lines as the reference does', async () => {
    const { page } = workbench!;
    await ensureOnScreen(page, '#ledger-input', 'riskfilter');
    await page.locator('#ledger-input').setInputFiles(join(FIXTURES, 'normal/ledger.jsonl'));
    const end = await clickAndWaitForRisk(page, '#ledger-import-button', 60_000);
    expect(end.state).toBe('done');
    const want = expected('normal').import;
    const count = async (key: string) => Number(await page.locator(`#ledger-import-report [data-count="${key}"]`).textContent());
    expect(await count('records')).toBe(want.records);
    expect(await count('closed_added')).toBe(want.closed_added);
    expect(await count('identical_duplicates')).toBe(want.identical_duplicates);
    expect(await count('conflicts')).toBe(want.conflicts.length);
    expect(await count('open_skipped')).toBe(want.open_skipped);
    expect(await count('reimport_added')).toBe(0);
    const bad = await page.locator('#ledger-bad-records li').allTextContents();
    expect(bad).toEqual(want.bad_records.map((b: { line: number; kind: string; reason: string }) => `line ${b.line} (${b.kind}): ${b.reason}`));
    expect(await page.locator('#ledger-conflicts li').count()).toBe(want.conflicts.length);
  });

  it('trains, shows metrics, the evaluation and both curves, and registers a candidate', async () => {
    const { page } = workbench!;
    const errorsBefore = workbench!.pageErrors.length;
    for (let round = 0; round < 2; round++) {
      const end = await clickAndWaitForRisk(page, '#risk-train-button', 120_000);
      expect(end.state).toBe('done');
      expect(await page.locator('#risk-status').getAttribute('data-training')).toBe('trained');
      candidates.push(((await page.locator('#risk-candidate-id').textContent()) ?? '').trim());
    }
    expect(candidates[0]).toMatch(/^\d{8}_\d{6}(_\d+)?$/);
    expect(candidates[1]).not.toBe(candidates[0]);
    const want = expected('normal').training.confusion_matrix;
    for (const cell of ['tn', 'fp', 'fn', 'tp']) expect(Number(await page.locator(`#risk-confusion [data-cell="${cell}"]`).textContent())).toBe(want[cell]);
    expect(await page.locator('#risk-coefficients tbody tr').count()).toBe(5);
    expect(await page.locator('.curve-chart canvas').count()).toBe(2);
    expect(await page.locator('a.artifact-download[data-name="swing_result.json"]').count()).toBe(1);
    // the exported ONNX model (scaler + logistic in one graph), re-scored by onnxruntime-web in this page
    const check = page.locator('#onnx-export-check');
    expect(Number(await check.getAttribute('data-rows'))).toBeGreaterThan(100);
    expect(Number(await check.getAttribute('data-max-abs-diff'))).toBeLessThan(1e-6);
    expect(await check.textContent()).toMatch(/same risk/);
    expect(workbench!.pageErrors.slice(errorsBefore)).toEqual([]);
    // each training is kept as a run (SPEC §5)
    await ensureOnScreen(page, '#runs-list', 'runs');
    await page.locator('#runs-list li.run-item').nth(1).waitFor();
    const runs = await listedRuns(page);
    expect(runs.filter((r) => r.text.includes('risk filter') && r.status === 'ok')).toHaveLength(2);
    await ensureOnScreen(page, '#ledger-input', 'riskfilter');
  });

  it('promotes only with a reason, refuses promotion and rollback while locked, then rolls back', async () => {
    const { page } = workbench!;
    await ensureOnScreen(page, '#promote-button', 'registry');
    await page.locator('#registry-models tr.registry-model').first().waitFor();
    expect(await page.locator('#registry-models tr.registry-model').count()).toBe(2);

    await page.locator('#promote-model').selectOption(candidates[0]);
    await page.locator('#promote-reason').fill('   ');
    let message = await command(page, '#promote-button');
    expect(message.tone).toBe('error');
    expect(message.text).toMatch(/A promotion needs a reason/);
    expect((await registryState(page)).active).toBe('');

    await page.locator('#promote-model').selectOption(candidates[0]);
    await page.locator('#promote-reason').fill('first model: AUC 0.68 on the test trades');
    message = await command(page, '#promote-button');
    expect(message.tone).toBe('ok');
    expect((await registryState(page)).active).toBe(candidates[0]);

    await page.locator('#promote-model').selectOption(candidates[1]);
    await page.locator('#promote-reason').fill('retrained on the same ledger');
    await command(page, '#promote-button');
    expect((await registryState(page)).active).toBe(candidates[1]);
    expect(await page.locator('#registry-previous').textContent()).toBe(candidates[0]);

    await page.locator('#lock-reason').fill('session 2026-01-28');
    message = await command(page, '#lock-button');
    expect((await registryState(page)).locked).toBe('true');
    await page.locator('#promote-model').selectOption(candidates[0]);
    await page.locator('#promote-reason').fill('should be refused');
    message = await command(page, '#promote-button');
    expect(message).toEqual({ tone: 'error', text: 'The registry is locked for a trading session (session 2026-01-28): promotion is refused until it is unlocked after the session.' });
    await page.locator('#rollback-reason').fill('should be refused too');
    // same text as the promotion refusal would not change the message: the rollback one differs in its action word
    message = await command(page, '#rollback-button');
    expect(message).toEqual({ tone: 'error', text: 'The registry is locked for a trading session (session 2026-01-28): rollback is refused until it is unlocked after the session.' });
    expect((await registryState(page)).active).toBe(candidates[1]);

    await page.locator('#lock-reason').fill('session over');
    await command(page, '#unlock-button');
    expect((await registryState(page)).locked).toBe('false');
    await page.locator('#rollback-reason').fill('second model blocks too many good trades');
    message = await command(page, '#rollback-button');
    expect(message.tone).toBe('ok');
    expect((await registryState(page)).active).toBe(candidates[0]);

    const entries = await history(page);
    expect(entries.map((e) => [e.action, e.model])).toEqual([
      ['register', candidates[0]],
      ['register', candidates[1]],
      ['promote', candidates[0]],
      ['promote', candidates[1]],
      ['lock', candidates[1]],
      ['unlock', candidates[1]],
      ['rollback', candidates[0]],
    ]);
    expect(entries[2].text).toContain('first model: AUC 0.68 on the test trades');
    expect(entries[6].text).toContain('second model blocks too many good trades');
  });

  it('keeps the registry and its history after Chromium restarts with the same profile', async () => {
    const before = await history(workbench!.page);
    await workbench!.close();
    workbench = await openWorkbench({ build: false, userDataDir: profile });
    const { page } = workbench;
    await ensureOnScreen(page, '#promote-button', 'registry');
    await page.locator('#registry-history li.history-entry').first().waitFor();
    expect(await history(page)).toEqual(before);
    expect((await registryState(page)).active).toBe(candidates[0]);
    // the dataset survived too: the same ledger imported again adds nothing
    await ensureOnScreen(page, '#ledger-input', 'riskfilter');
    await page.locator('#ledger-input').setInputFiles(join(FIXTURES, 'normal/ledger.jsonl'));
    expect((await clickAndWaitForRisk(page, '#ledger-import-button', 60_000)).state).toBe('done');
    expect(Number(await page.locator('#ledger-import-report [data-count="closed_added"]').textContent())).toBe(0);
    expect(Number(await page.locator('#dataset-metadata [data-count="row_count"]').textContent())).toBe(expected('normal').dataset.row_count);
  });

  it('a session freezes the active model; a promotion during it waits for the next; a check answers ALLOW or BLOCK', async () => {
    const { page } = workbench!;
    await ensureOnScreen(page, '#session-start', 'registry');
    await page.locator('#session-lock').uncheck();
    await page.locator('#session-start').click();
    await page.locator(`#session-status[data-model="${candidates[0]}"]`).waitFor();
    // promoted during the session (not locked): the session keeps its model
    await page.locator('#promote-model').selectOption(candidates[1]);
    await page.locator('#promote-reason').fill('promoted mid-session');
    await command(page, '#promote-button');
    expect((await registryState(page)).active).toBe(candidates[1]);
    expect(await page.locator('#session-status').getAttribute('data-model')).toBe(candidates[0]);
    const fill = async (values: Record<string, number>) => {
      for (const [name, v] of Object.entries(values)) await page.locator(`input[data-feature="${name}"]`).fill(String(v));
      await page.locator('#risk-check-button').click();
      await page.locator('#risk-check-result').waitFor();
    };
    await fill({ close: 180, sma_20: 178, dist_200sma: 0.2, vol_ratio: 0.7, atr_pct: 0.012 });
    expect(await page.locator('#risk-check-result').getAttribute('data-decision')).toBe('ALLOW');
    await fill({ close: 180, sma_20: 178, dist_200sma: -0.25, vol_ratio: 2.2, atr_pct: 0.07 });
    await page.locator('#risk-check-result[data-decision="BLOCK"]').waitFor();
    expect(await page.locator('#risk-check-result').textContent()).toBeTruthy();
    await page.locator('#session-end').click();
    await page.locator('#session-status[data-model=""]').waitFor();
    // the next session trades with the model promoted meanwhile
    await page.locator('#session-start').click();
    await page.locator(`#session-status[data-model="${candidates[1]}"]`).waitFor();
    await page.locator('#session-end').click();
  });
});

describe.sequential('risk filter: bad files, batch checks, offline cycle, registry files', () => {
  let workbench: Workbench | undefined;
  let scratch: string;

  beforeAll(async () => {
    scratch = tempDir('workbench-risk-files-');
    workbench = await openWorkbench({ build: false });
  });
  afterAll(async () => {
    await workbench?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('a file that is no ledger is an input error naming it; nothing is stored', async () => {
    const { page } = workbench!;
    const bad = join(scratch, 'notes.txt');
    writeFileSync(bad, 'hello');
    await ensureOnScreen(page, '#ledger-input', 'riskfilter');
    await page.locator('#ledger-input').setInputFiles(bad);
    const end = await clickAndWaitForRisk(page, '#ledger-import-button', 60_000);
    expect(end.state).toBe('input-error');
    expect(end.text).toContain('notes.txt');
    const truncated = join(scratch, 'broken.parquet');
    writeFileSync(truncated, readFileSync(join(FIXTURES, 'parquet/ledger.parquet')).subarray(0, 2000));
    await page.locator('#ledger-input').setInputFiles(truncated);
    const end2 = await clickAndWaitForRisk(page, '#ledger-import-button', 60_000);
    expect(end2.state).toBe('input-error');
    expect(end2.text).toContain('broken.parquet');
    expect(await page.locator('#dataset-metadata').count()).toBe(0);
  });

  it('the offline cycle is refused while the market is open, and a forced run says so in its log', async () => {
    const { page } = workbench!;
    // a market that is always open: the refusal does not depend on when the test runs
    await ensureOnScreen(page, '#market-save', 'registry');
    await page.locator('#market-name').fill('Always open');
    await page.locator('#market-timezone').fill('UTC');
    await page.locator('#market-open').fill('00:00');
    await page.locator('#market-close').fill('24:00');
    await page.locator('#market-days').fill('1,2,3,4,5,6,7');
    await page.locator('#market-save').click();
    await page.locator('#market-status[data-open="true"]').waitFor();

    await ensureOnScreen(page, '#offline-cycle-button', 'riskfilter');
    await page.locator('#ledger-input').setInputFiles(join(FIXTURES, 'csv/ledger.csv'));
    await page.locator('#offline-cycle-button').click();
    await page.locator('#offline-cycle-log[data-state="refused"]').waitFor();
    expect(await page.locator('#offline-cycle-log').textContent()).toMatch(/REFUSED: the market is open/);
    await page.locator('#offline-cycle-force').check();
    await page.locator('#offline-cycle-button').click();
    await page.locator('#offline-cycle-log[data-state="registered"]').waitFor({ timeout: 60_000 });
    const log = (await page.locator('#offline-cycle-log').textContent()) ?? '';
    expect(log).toMatch(/FORCED: running while the market is open/);
    expect(log).toMatch(/Status: registered \(awaiting manual promotion\)/);
    const closedAdded = expected('csv').import.closed_added;
    expect(log).toContain(`Closed trades added: ${closedAdded};`);
    await ensureOnScreen(page, '#registry-status', 'registry');
    await page.locator('#registry-models tr.registry-model[data-role="candidate"]').first().waitFor();
    expect(await page.locator('#registry-status').getAttribute('data-active')).toBe('');
  });

  it('checks a file of signals with the active model, RULES_ONLY without one', async () => {
    const { page } = workbench!;
    const signals = join(scratch, 'signals.jsonl');
    writeFileSync(
      signals,
      [
        '{"trade_id":"S1","symbol":"AAPL","rule_features":{"close":180,"sma_20":178,"dist_200sma":0.2,"vol_ratio":0.7,"atr_pct":0.012}}',
        '{"trade_id":"S2","symbol":"NVDA","rule_features":{"close":180,"sma_20":178,"dist_200sma":-0.25,"vol_ratio":2.2,"atr_pct":0.07}}',
        '{"trade_id":"S3","symbol":"MSFT","rule_features":{"close":180}}',
      ].join('\n'),
    );
    await ensureOnScreen(page, '#risk-batch-input', 'registry');
    await page.locator('#risk-batch-input').setInputFiles(signals);
    await page.locator('#risk-batch-results tbody tr').first().waitFor();
    expect(await page.locator('#risk-batch-results tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-decision')))).toEqual(['RULES_ONLY', 'RULES_ONLY', 'RULES_ONLY']);
    expect(await page.locator('#risk-batch-results tbody tr').first().textContent()).toContain('no active model');

    const id = await page.locator('#registry-models tr.registry-model').first().getAttribute('data-model-id');
    await page.locator('#promote-model').selectOption(id!);
    await page.locator('#promote-reason').fill('to check signals');
    await command(page, '#promote-button');
    await page.locator('#risk-batch-input').setInputFiles(signals);
    await page.locator('#risk-batch-results tbody tr[data-decision="ALLOW"]').first().waitFor();
    expect(await page.locator('#risk-batch-results tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-decision')))).toEqual(['ALLOW', 'BLOCK', 'RULES_ONLY']);
    expect(await page.locator('#risk-batch-results tbody tr').nth(2).textContent()).toContain('signal lacks model features sma_20, dist_200sma, vol_ratio, atr_pct');
  });

  it('exports the registry and imports it back (a broken file is refused by name)', async () => {
    const { page } = workbench!;
    await page.locator('#registry-export').click();
    const link = page.locator('#registry-export-link');
    await link.waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const path = join(scratch, 'risk_registry.json');
    await download.saveAs(path);
    const file = JSON.parse(readFileSync(path, 'utf8'));
    expect(file.kind).toBe('ml-workbench.risk-registry');
    expect(file.models).toHaveLength(1);
    const before = await history(page);

    const broken = join(scratch, 'broken_registry.json');
    writeFileSync(broken, JSON.stringify({ ...file, models: [] }));
    await page.locator('#registry-import-input').setInputFiles(broken);
    await page.locator('#registry-message[data-tone="error"]').waitFor();
    expect(await page.locator('#registry-message').textContent()).toContain('broken_registry.json: state names model');

    await page.locator('#registry-import-input').setInputFiles(path);
    await page.locator('#registry-message[data-tone="ok"]').waitFor();
    const after = await history(page);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.at(-1)?.text).toContain('registry imported from risk_registry.json');
    expect(await page.locator('#registry-status').getAttribute('data-active')).toBe(file.state.active);

    // one model: exported as JSON, imported again into a registry that holds it already: refused by name
    const row = page.locator('#registry-models tr.registry-model').first();
    const modelId = await row.getAttribute('data-model-id');
    const [modelDownload] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: 'JSON' }).click()]);
    const modelPath = join(scratch, modelDownload.suggestedFilename());
    await modelDownload.saveAs(modelPath);
    expect(JSON.parse(readFileSync(modelPath, 'utf8'))).toMatchObject({ kind: 'ml-workbench.risk-model', model: { id: modelId } });
    await page.locator('#registry-import-input').setInputFiles(modelPath);
    await page.locator('#registry-message[data-tone="error"]').waitFor();
    expect(await page.locator('#registry-message').textContent()).toBe(`risk_model_${modelId}.json: A model with id ${modelId} is already registered.`);
  });
});

describe('headless risk-filter command', () => {
  const run = (ledger: string, out: string, extra: string[] = []) =>
    execFileSync('node', ['--import', 'tsx', 'scripts/headless.ts', 'risk-filter', '--ledger', ledger, '--out', out, ...extra], {
      cwd: REPO_ROOT,
      env: { ...process.env, WORKBENCH_NO_BUILD: '1' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  for (const name of ['normal', 'params', 'parquet', 'csv', 'too_small']) {
    it(`writes the reference's swing_result.json for ${name}`, () => {
      const args = JSON.parse(readFileSync(join(FIXTURES, name, 'args.json'), 'utf8'));
      const out = tempDir(`workbench-risk-${name}-`);
      try {
        run(join(FIXTURES, name, args.ledger), out, ['--mae-threshold', String(args.maeThreshold), '--min-rows', String(args.minRows), '--risk-threshold', String(args.riskThreshold)]);
        const got = JSON.parse(readFileSync(join(out, 'swing_result.json'), 'utf8'));
        const want = expected(name);
        // the table variants are read from their own files; a CSV's header is its line 1
        const shift = name === 'csv' ? 1 : 0;
        if (name !== 'parquet' && name !== 'csv') expect(got.input).toEqual(want.input);
        else expect(got.input.lines).toBe(want.input.lines + shift);
        expect(got.params).toEqual(want.params);
        const moved = (items: { line: number }[]) => items.map((item) => ({ ...item, line: item.line + shift }));
        expect(got.import).toEqual({ ...want.import, conflicts: moved(want.import.conflicts), bad_records: moved(want.import.bad_records) });
        expect(got.reimport_added).toBe(want.reimport_added);
        expect(got.dataset).toEqual(want.dataset);
        expect(got.training.status).toBe(want.training.status);
        if (want.training.status === 'refused') {
          expect(got.training).toEqual(want.training);
          return;
        }
        for (const key of ['n_train', 'n_test', 'train_range', 'test_range', 'confusion_matrix', 'test_trade_ids', 'train_accuracy', 'test_accuracy']) expect(got.training[key], key).toEqual(want.training[key]);
        expect(Math.abs(got.training.test_auc - want.training.test_auc)).toBeLessThanOrEqual(5e-4);
        const largest = Math.max(...want.training.coefficients.map((c: { coefficient: number }) => Math.abs(c.coefficient)));
        got.training.coefficients.forEach((c: { feature: string; coefficient: number }, j: number) => {
          expect(c.feature).toBe(want.training.coefficients[j].feature);
          expect(Math.abs(c.coefficient - want.training.coefficients[j].coefficient)).toBeLessThanOrEqual(1e-3 * largest);
        });
        for (const part of ['test', 'all']) {
          const a = got.evaluation[part];
          const b = want.evaluation[part];
          expect([a.bad_trades_avoided, a.good_trades_blocked, a.rules_only.trade_count, a.rules_ml.trade_count, a.rules_only.bad_trades, a.rules_ml.bad_trades]).toEqual([
            b.bad_trades_avoided,
            b.good_trades_blocked,
            b.rules_only.trade_count,
            b.rules_ml.trade_count,
            b.rules_only.bad_trades,
            b.rules_ml.bad_trades,
          ]);
          for (const key of ['win_rate', 'expectancy', 'max_drawdown']) {
            expect(Math.abs(a.rules_only[key] - b.rules_only[key])).toBeLessThanOrEqual(1e-12);
            expect(Math.abs(a.rules_ml[key] - b.rules_ml[key])).toBeLessThanOrEqual(1e-12);
          }
        }
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    });
  }
});
