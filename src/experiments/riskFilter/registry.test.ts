import { describe, expect, it } from 'vitest';
import {
  candidateId,
  candidates,
  EMPTY_REGISTRY,
  exportModel,
  exportRegistry,
  lockRegistry,
  modelIdBase,
  parseModelExport,
  parseRegistryExport,
  promoteCandidate,
  registerCandidate,
  rollback,
  unlockRegistry,
  type RegisteredModel,
  type RegistryOutcome,
  type RegistryState,
} from './registry.ts';

const at = new Date('2026-01-27T15:30:00.450Z');
const ok = (o: RegistryOutcome): RegistryState => {
  if (!o.ok) throw new Error(o.message);
  return o.state;
};

describe('model ids', () => {
  it('are the UTC training time, suffixed to stay unique', () => {
    expect(modelIdBase(at)).toBe('20260127_153000');
    expect(candidateId(at, [])).toBe('20260127_153000');
    expect(candidateId(at, ['20260127_153000'])).toBe('20260127_153000_2');
    expect(candidateId(at, ['20260127_153000', '20260127_153000_2'])).toBe('20260127_153000_3');
    // a New York evening is already the next UTC day
    expect(modelIdBase(new Date('2026-03-08T23:15:09-05:00'))).toBe('20260309_041509');
  });
});

describe('registry rules', () => {
  const two = () => ok(registerCandidate(ok(registerCandidate(EMPTY_REGISTRY, 'A', at)), 'B', at));

  it('a registered model is a candidate; promotion needs a reason and keeps the previous active', () => {
    let s = two();
    expect(s.active).toBeNull();
    expect(candidates(s)).toEqual(['A', 'B']);
    const refused = promoteCandidate(s, 'A', '   ', at);
    expect(refused).toEqual({ ok: false, message: expect.stringMatching(/needs a reason/) });
    const first = promoteCandidate(s, 'A', 'best test AUC', at);
    expect(first.ok && first.entry).toMatchObject({ action: 'promote', model: 'A', from: null, reason: 'best test AUC', at: at.toISOString() });
    s = ok(first);
    s = ok(promoteCandidate(s, 'B', 'lower drawdown', at));
    expect([s.active, s.previous]).toEqual(['B', 'A']);
    expect(candidates(s)).toEqual(['A']);
    expect(promoteCandidate(s, 'B', 'again', at)).toMatchObject({ ok: false, message: expect.stringMatching(/already the active/) });
    expect(promoteCandidate(s, 'Z', 'x', at)).toMatchObject({ ok: false, message: expect.stringMatching(/No registered model/) });
  });

  it('rollback returns to the previous active model once', () => {
    let s = ok(promoteCandidate(ok(promoteCandidate(two(), 'A', 'r1', at)), 'B', 'r2', at));
    const back = rollback(s, 'B blocks too many good trades', at);
    expect(back.ok && back.entry).toMatchObject({ action: 'rollback', model: 'A', from: 'B', reason: 'B blocks too many good trades' });
    s = ok(back);
    expect([s.active, s.previous]).toEqual(['A', null]);
    expect(rollback(s, '', at)).toMatchObject({ ok: false, message: expect.stringMatching(/no previous active model/) });
  });

  it('while locked for a session, promotion and rollback are refused with a clear message', () => {
    let s = ok(promoteCandidate(ok(promoteCandidate(two(), 'A', 'r1', at)), 'B', 'r2', at));
    const locked = lockRegistry(s, 'session 2026-01-28', at);
    expect(locked.ok && locked.entry).toMatchObject({ action: 'lock', reason: 'session 2026-01-28' });
    s = ok(locked);
    const p = promoteCandidate(s, 'A', 'reason', at);
    const r = rollback(s, 'reason', at);
    expect(p).toEqual({ ok: false, message: 'The registry is locked for a trading session (session 2026-01-28): promotion is refused until it is unlocked after the session.' });
    expect(r).toEqual({ ok: false, message: 'The registry is locked for a trading session (session 2026-01-28): rollback is refused until it is unlocked after the session.' });
    expect(lockRegistry(s, '', at).ok).toBe(false);
    // a new candidate may still be registered during the session (training results are not trading)
    expect(registerCandidate(s, 'C', at).ok).toBe(true);
    s = ok(unlockRegistry(s, 'session over', at));
    expect(rollback(s, 'r', at).ok).toBe(true);
    expect(unlockRegistry(s, '', at).ok).toBe(false);
  });
});

describe('export and import', () => {
  const model: RegisteredModel = {
    id: '20260127_153000',
    trained_at: at.toISOString(),
    model: { feature_names: ['a', 'b'], scaler: { mean: [1, 2], scale: [1, 0.5] }, coef: [0.3, -0.2], intercept: -1, iterations: 7, converged: true, mae_threshold: 0.03, risk_threshold: 0.5 },
    metrics: { test_auc: 0.7 },
    source: { file: 'l.jsonl', sha256: 'ab', rows: 40 },
  };
  it('round-trips through JSON and rejects broken files with what is wrong', () => {
    const state = ok(promoteCandidate(ok(registerCandidate(EMPTY_REGISTRY, model.id, at)), model.id, 'first', at));
    const file = JSON.parse(JSON.stringify(exportRegistry(state, [model], [])));
    expect(parseRegistryExport(file, 'r.json')).toEqual({ ok: true, value: file });
    expect(parseModelExport(JSON.parse(JSON.stringify(exportModel(model))), 'm.json').ok).toBe(true);
    const broken = JSON.parse(JSON.stringify(exportModel({ ...model, model: { ...model.model, coef: [1] } })));
    expect(parseModelExport(broken, 'm.json')).toEqual({ ok: false, problems: ['m.json: model (20260127_153000): coef must hold 2 finite numbers'] });
    expect(parseRegistryExport({ kind: 'x' }, 'r.json')).toMatchObject({ ok: false, problems: [expect.stringMatching(/r\.json: expected a registry export/)] });
    const dangling = { ...file, models: [] };
    const result = parseRegistryExport(dangling, 'r.json');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.every((p) => /r\.json: state names model 20260127_153000/.test(p)) && result.problems.length > 0).toBe(true);
  });
});
