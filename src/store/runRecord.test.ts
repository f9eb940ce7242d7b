import { describe, expect, it } from 'vitest';
import { defaultParams } from '../experiments/stateContinue/inputs.ts';
import { parametersRecord, runRecord } from './runRecord.ts';
import { uniqueRunId } from './runs.ts';
import type { StoredRun } from './runTypes.ts';

describe('run record', () => {
  it('keeps the keys the headless runner reads (total_ms, stage_timings_ms, fits with their backend)', () => {
    const run: StoredRun = {
      id: 'r1',
      kind: 'state_continue',
      status: 'ok',
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:05.000Z',
      parameters: parametersRecord({ ...defaultParams(), regressorKind: 'ridge', ridgeAlpha: 3 }),
      inputs: [{ path: 'feature/feature_order.json', name: 'feature_order.json', size: 12, sha256: 'ab' }],
      stageTimingsMs: { intake: 10, load: 20, train_fits: 300 },
      stageSpans: { intake: [1_700_000_000_000, 1_700_000_000_010], load: [1_700_000_000_005, 1_700_000_000_025] },
      totalMs: 1234.5,
      fits: [{ key: 'long_market_only:classifier', model: 'logistic', backend: 'wasm', ms: 12, iterations: 9, converged: true }],
      verdict: { status: 'PASS_TO_FORMAL_CHAIN', reasons: [], passed_checks: ['x'] },
      metrics: null,
      log: ['a'],
      error: null,
      problems: [],
      artifacts: [],
    };
    const record = runRecord(run);
    expect(record).toMatchObject({
      run_id: 'r1',
      status: 'ok',
      total_ms: 1234.5,
      stage_timings_ms: { intake: 10, load: 20, train_fits: 300 },
      fits: [{ key: 'long_market_only:classifier', model: 'logistic', backend: 'wasm', ms: 12, iterations: 9, converged: true }],
      verdict: { status: 'PASS_TO_FORMAL_CHAIN' },
      log: ['a'],
    });
    expect(record.parameters).toEqual({
      run_id: 'state_continue_reference',
      ages_minutes: '5,15,30,60',
      regressor_kind: 'ridge',
      ridge_alpha: 3,
      huber_max_iter: 1000,
      regression_target_clip_bps: 0,
      max_rows_per_split: 0,
      continue_horizon_minutes: 30,
      min_continue_edge_bps: 5,
      backend: 'auto',
    });
    expect(Object.keys(record.stage_timings_ms as object)).toEqual(['intake', 'load', 'train_fits']);
    expect(record.stage_spans_epoch_ms).toEqual({ intake: [1_700_000_000_000, 1_700_000_000_010], load: [1_700_000_000_005, 1_700_000_000_025] });
  });

  it('run ids stay unique: the chosen id, then -2, -3, …', () => {
    const taken = new Set(['a', 'a-2']);
    expect(uniqueRunId('a', (id) => taken.has(id))).toBe('a-3');
    expect(uniqueRunId('b', (id) => taken.has(id))).toBe('b');
    expect(uniqueRunId('  ', () => false)).toBe('run');
  });
});
