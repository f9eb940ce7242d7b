import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLedger, TradeDataset } from './ledger.ts';
import { US_EQUITIES } from './marketClock.ts';
import { runOfflineCycle } from './offlineCycle.ts';
import { EMPTY_REGISTRY, promoteCandidate, type RegisteredModel } from './registry.ts';
import { checkSignal, checkSignals, startSession } from './riskCheck.ts';
import { runSwingReference } from './swingResult.ts';
import { DEFAULT_RISK_PARAMS, predictRisk, type RiskModel } from './trainer.ts';

const FIXTURES = join(import.meta.dirname, '../../../test/fixtures/swing');
const model: RiskModel = {
  feature_names: ['atr_pct', 'vol_ratio'],
  scaler: { mean: [0.02, 1], scale: [0.01, 0.3] },
  coef: [1.2, 0.5],
  intercept: -0.4,
  iterations: 9,
  converged: true,
  mae_threshold: 0.03,
  risk_threshold: 0.5,
};
const registered = (id: string, m: RiskModel = model): RegisteredModel => ({ id, trained_at: '', model: m, metrics: {}, source: { file: '', sha256: '', rows: 0 } });
const at = new Date('2026-01-27T13:00:00Z');

describe('risk check', () => {
  const session = startSession(registered('20260126_220000'), at);

  it('BLOCKs when risk is strictly above the threshold, else ALLOWs', () => {
    const risky = checkSignal(session, { rule_features: { atr_pct: 0.04, vol_ratio: 1.6 } });
    expect(risky.decision).toBe('BLOCK');
    expect(risky.risk).toBeCloseTo(1 / (1 + Math.exp(-(1.2 * 2 + 0.5 * 2 - 0.4))), 12);
    const calm = checkSignal(session, { atr_pct: 0.01, vol_ratio: 0.8 }); // a flat signal works too
    expect(calm.decision).toBe('ALLOW');
    // exactly at the threshold is allowed (blocked means risk > threshold)
    const z0 = { rule_features: { atr_pct: 0.02 + (0.4 / 1.2) * 0.01, vol_ratio: 1 } };
    const edge = checkSignal(session, z0, predictRisk(model, new Float64Array([z0.rule_features.atr_pct, 1]), 1)[0]);
    expect(edge.decision).toBe('ALLOW');
  });

  it('falls back to RULES_ONLY with the reason, never an error', () => {
    expect(checkSignal(startSession(null, at), { atr_pct: 1 })).toMatchObject({ decision: 'RULES_ONLY', reason: 'no active model: trading with rules only' });
    const broken = startSession(registered('X', { ...model, coef: [1] }), at);
    expect(checkSignal(broken, { atr_pct: 1, vol_ratio: 1 })).toMatchObject({ decision: 'RULES_ONLY', reason: expect.stringMatching(/^model X failed to load: coef must hold 2/) });
    expect(checkSignal(startSession({ id: 'Y', loadError: 'not in the store' }, at), {})).toMatchObject({ decision: 'RULES_ONLY', reason: 'model Y failed to load: not in the store' });
    expect(checkSignal(session, { rule_features: { atr_pct: 0.03, vol_ratio: 'high' } })).toMatchObject({ decision: 'RULES_ONLY', reason: 'signal lacks model feature vol_ratio: trading with rules only' });
    expect(checkSignal(session, { rule_features: {} }).reason).toBe('signal lacks model features atr_pct, vol_ratio: trading with rules only');
  });

  it('a session keeps the model it started with when another is promoted', () => {
    let state = { ...EMPTY_REGISTRY, models: ['A', 'B'] };
    const models = { A: registered('A'), B: registered('B', { ...model, coef: [-5, -5] }) };
    const promoted = promoteCandidate(state, 'A', 'first', at);
    if (!promoted.ok) throw new Error(promoted.message);
    state = promoted.state;
    const live = startSession(models[state.active as 'A'], at);
    const next = promoteCandidate(state, 'B', 'better', at);
    expect(next.ok).toBe(true);
    models.A.model.coef[0] = 99; // even an edit of the stored object cannot reach the session
    const signal = { atr_pct: 0.04, vol_ratio: 1.6 };
    expect(checkSignal(live, signal)).toMatchObject({ decision: 'BLOCK', model_id: 'A' });
    const nextSession = startSession(models[(next.ok ? next.state.active : 'A') as 'B'], at);
    expect(checkSignal(nextSession, signal)).toMatchObject({ decision: 'ALLOW', model_id: 'B' });
  });

  it('checks a file of signals line by line', async () => {
    const text = ['{"trade_id":"S1","symbol":"AAPL","rule_features":{"atr_pct":0.04,"vol_ratio":1.6}}', 'oops', '{"trade_id":"S2","rule_features":{"atr_pct":0.01}}', '', '{"trade_id":"S3","atr_pct":0.01,"vol_ratio":0.9}'].join('\n');
    const source = await readLedger(new TextEncoder().encode(text), 'signals.jsonl');
    const rows = checkSignals(session, source.entries);
    expect(rows.map((r) => [r.line, r.trade_id, r.decision])).toEqual([
      [1, 'S1', 'BLOCK'],
      [2, null, 'RULES_ONLY'],
      [3, 'S2', 'RULES_ONLY'],
      [5, 'S3', 'ALLOW'],
    ]);
    expect(rows[0].symbol).toBe('AAPL');
    expect(rows[1].reason).toBe('unreadable signal: not valid JSON: Expecting value');
  });
});

describe('offline cycle', () => {
  const ledger = () => readLedger(new Uint8Array(readFileSync(join(FIXTURES, 'normal/ledger.jsonl'))), 'ledger.jsonl');
  const open = new Date('2026-01-27T15:00:00Z'); // 10:00 in New York, a Tuesday
  const closed = new Date('2026-01-27T22:00:00Z'); // 17:00

  it('is refused while the market is open, unless forced (and then says so)', async () => {
    const dataset = new TradeDataset();
    const refused = await runOfflineCycle({ dataset, ledger: await ledger(), params: DEFAULT_RISK_PARAMS, market: US_EQUITIES, now: open, force: false, registry: EMPTY_REGISTRY });
    expect(refused.status).toBe('refused');
    expect(dataset.size).toBe(0);
    expect(refused.log.at(-1)).toMatch(/REFUSED: the market is open/);
    const forced = await runOfflineCycle({ dataset, ledger: await ledger(), params: DEFAULT_RISK_PARAMS, market: US_EQUITIES, now: open, force: true, registry: EMPTY_REGISTRY });
    expect(forced.status).toBe('registered');
    expect(forced.log.some((l) => l.startsWith('FORCED: running while the market is open'))).toBe(true);
  });

  it('after the close: imports, trains, evaluates and registers a candidate, never promoting it', async () => {
    const dataset = new TradeDataset();
    const result = await runOfflineCycle({ dataset, ledger: await ledger(), params: DEFAULT_RISK_PARAMS, market: US_EQUITIES, now: closed, force: false, registry: EMPTY_REGISTRY });
    expect(result.status).toBe('registered');
    expect(result.candidate?.id).toBe('20260127_220000');
    expect(result.registry).toMatchObject({ models: ['20260127_220000'], active: null });
    expect(result.entry).toMatchObject({ action: 'register', model: '20260127_220000' });
    expect(result.log.some((l) => l.startsWith('FORCED'))).toBe(false);
    // the same model the reference path trains
    const reference = await runSwingReference(await ledger(), DEFAULT_RISK_PARAMS);
    expect(result.candidate!.model).toEqual(reference.training.status === 'trained' ? reference.training.model : null);
    // a second cycle the same second gets a suffixed id; nothing new to import
    const again = await runOfflineCycle({ dataset, ledger: await ledger(), params: DEFAULT_RISK_PARAMS, market: US_EQUITIES, now: closed, force: false, registry: result.registry });
    expect(again.candidate?.id).toBe('20260127_220000_2');
    expect(again.importReport?.closed_added).toBe(0);
  });

  it('skips training on a small dataset and registers nothing', async () => {
    const small = await readLedger(new Uint8Array(readFileSync(join(FIXTURES, 'too_small/ledger.jsonl'))), 'ledger.jsonl');
    const result = await runOfflineCycle({ dataset: new TradeDataset(), ledger: small, params: DEFAULT_RISK_PARAMS, market: US_EQUITIES, now: closed, force: false, registry: EMPTY_REGISTRY });
    expect(result.status).toBe('not_trained');
    expect(result.log).toContain('Training skipped: Dataset too small (14 rows). Need >= 20');
    expect(result.candidate).toBeNull();
  });
});

describe('evaluation series for the charts', () => {
  it('share the time axis: a blocked signal adds 0 to rules + ML, and the drawdown is that of the kept trades', async () => {
    const { evaluationSeries, curves, performanceTable } = await import('./evaluation.ts');
    const ledger = await readLedger(new Uint8Array(readFileSync(join(FIXTURES, 'normal/ledger.jsonl'))), 'ledger.jsonl');
    const run = await runSwingReference(ledger, DEFAULT_RISK_PARAMS);
    if (run.training.status !== 'trained') throw new Error('trains');
    const series = evaluationSeries(run.training, 0.5);
    expect(series.test.rulesMl.length).toBe(series.test.rulesOnly.length);
    const lowest = (xs: Float64Array) => Math.min(...xs);
    expect(lowest(curves(series.test.rulesMl).drawdown)).toBeCloseTo(run.evaluation!.test.rules_ml.max_drawdown, 12);
    const kept = run.training.ordered.filter((r) => r.test && !(r.risk > 0.5));
    expect(performanceTable(kept.map((r) => r.pnl), kept.map((r) => r.bad))).toEqual(run.evaluation!.test.rules_ml);
  });
});

describe('training refusals', () => {
  it('an empty train part is refused with a message, not a crash', async () => {
    const { trainRiskFilter } = await import('./trainer.ts');
    const ledger = await readLedger(new Uint8Array(readFileSync(join(FIXTURES, 'too_small/ledger.jsonl'))), 'ledger.jsonl');
    const dataset = new TradeDataset();
    const { importLedger } = await import('./ledger.ts');
    importLedger(ledger.entries.slice(0, 1), dataset);
    expect(await trainRiskFilter(dataset.rows, { ...DEFAULT_RISK_PARAMS, minRows: 1 })).toEqual({ status: 'refused', message: 'train part is empty (1 rows, 1 held out for the test)', n_train: 0, n_test: 1 });
  });
});
