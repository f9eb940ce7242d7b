import { describe, expect, it } from 'vitest';
import { buildVerdict, verdictToPy } from './verdict.ts';
import { buildReport, type ReportManifest } from './report.ts';
import { fitConstants, modelResultToPy, splitMetrics, type ModelResult, type Results, type SplitMetrics } from './metrics.ts';
import { parsePyJson } from './pyJsonParse.ts';
import { pyJsonDumps, writeJsonText } from '../../core/pyjson.ts';

function split(auc: number | undefined, maeRatio: number | null, rows = 100): SplitMetrics {
  const m: SplitMetrics = {
    row_count: rows,
    positive_rate: 0.4,
    brier: 0.2,
    constant_brier: 0.24,
    edge_mae: 10,
    edge_constant_mae: 12,
    brier_vs_constant_ratio: 0.2 / 0.24,
    edge_mae_vs_constant_ratio: maeRatio,
  };
  if (auc !== undefined) m.continue_auc = auc;
  return m;
}

function model(splits: ModelResult['splits'], converged = true): ModelResult {
  return {
    splits,
    row_count: 400,
    feature_count: 8,
    feature_hash: 'h',
    regressor_kind: 'huber',
    ridge_alpha: null,
    regressor_iterations: converged ? 40 : 1000,
    regressor_max_iter: 1000,
    regressor_converged: converged,
    regression_target_clip_bps: null,
  };
}

function results(): Results {
  return {
    long_market_only: model({ tune: split(0.7, 0.9), validation_locked: split(0.65, 0.9), latest_stress: split(0.6, 0.95) }),
    long_market_plus_state: model(
      { tune: split(0.8, 0.8), validation_locked: split(0.6123, 0.98), latest_stress: split(undefined, null) },
      false,
    ),
    short_market_only: model({ validation_locked: split(0.61, 0.9), latest_stress: split(0.6, 0.9) }),
    short_market_plus_state: model({ validation_locked: split(0.7, 0.9), latest_stress: split(1.0, 0.8) }),
  };
}

describe('verdict (the seed’s _verdict, word for word)', () => {
  it('reasons print numbers as Python does, None for missing values', () => {
    const v = buildVerdict(results());
    expect(v.status).toBe('NOT_READY_FOR_FORMAL_CHAIN');
    expect(v.reasons).toEqual([
      'long market_plus_state regressor did not converge',
      'long validation_locked continue_auc not better than market_only: 0.6123 <= 0.65',
      'long validation_locked edge_mae_vs_constant_ratio above 0.97: 0.98',
      'long latest_stress continue_auc below 0.60: None',
      'long latest_stress edge_mae_vs_constant_ratio above 0.97: None',
      'short validation_locked edge_mae_vs_constant_ratio not better than market_only: 0.9 >= 0.9',
    ]);
    expect(v.passed_checks).toEqual(['short validation_locked continue_auc', 'short latest_stress continue_auc', 'short latest_stress edge_mae_vs_constant_ratio']);
    expect(writeJsonText(verdictToPy(v))).toContain('"validation_and_latest_auc_min": 0.6,');
  });

  it('passes when every check passes', () => {
    const r = results();
    r.long_market_plus_state = model({ validation_locked: split(0.7, 0.8), latest_stress: split(0.7, 0.8) });
    r.short_market_plus_state = model({ validation_locked: split(0.7, 0.8), latest_stress: split(0.7, 0.8) });
    const v = buildVerdict(r);
    expect(v.status).toBe('PASS_TO_FORMAL_CHAIN');
    expect(v.reasons).toEqual([]);
    expect(v.passed_checks).toHaveLength(8);
  });
});

describe('split metrics', () => {
  it('constants come from the fit split (positive rate, numpy median of the unclipped target)', () => {
    const constants = fitConstants([1, 0, 0, 1], [1, 10, 2, 3]);
    expect(constants).toEqual({ positiveRate: 0.5, medianTarget: 2.5 });
    const m = splitMetrics(constants, [1, 0, 1, 0], [10, -5, 3, 0], [0.9, 0.2, 0.6, 0.4], [8, -5, 0, 1]);
    expect(m.continue_auc).toBe(1);
    expect(m.brier).toBeCloseTo(0.0925, 15);
    expect(m.constant_brier).toBe(0.25);
    expect(m.edge_mae).toBe(1.5);
    expect(m.edge_constant_mae).toBe(4.5);
    expect(m.edge_mae_vs_constant_ratio).toBeCloseTo(1 / 3, 15);
    // one class only: no continue_auc key at all
    const single = splitMetrics(constants, [1, 1], [1, 2], [0.5, 0.6], [1, 2]);
    expect('continue_auc' in single).toBe(false);
    // Python's types: 1.0 stays a float, row_count an int, key order as the seed builds the dict
    expect(pyJsonDumps(modelResultToPy(model({ tune: m })))).toMatch(
      /^\{"tune": \{"row_count": 4, "positive_rate": 0\.5, "brier": 0\.0925\d*, "constant_brier": 0\.25, "edge_mae": 1\.5, "edge_constant_mae": 4\.5, "continue_auc": 1\.0, /,
    );
  });
});

describe('report', () => {
  const manifest: ReportManifest = {
    row_count: 7528,
    ages_minutes: [5, 15, 30, 60],
    regressor_kind: 'ridge',
    huber_max_iter: null,
    regression_target_clip_bps: 40,
    continue_horizon_minutes: 30,
    min_continue_edge_bps: 5,
  };

  it('prints values as the seed’s f-strings do and keeps the baseline section when the manifest is there', () => {
    const r = results();
    const v = buildVerdict(r);
    const trainManifest = parsePyJson(
      '{"CONTINUE": {"metrics": {"long_continue_prob": {"auc": 1.0}, "short_continue_prob": {}, "long_expected_continue_edge_bps": {"mae_vs_constant_ratio": 0.95}, "short_expected_continue_edge_bps": {"mae_vs_constant_ratio": 1}}}}',
      'model/model_train_manifest.json',
    );
    const text = buildReport('run1', 'base1', manifest, r, v, trainManifest);
    const lines = text.split('\n');
    expect(lines.slice(0, 12)).toEqual([
      '# State Continue Experiment Report',
      '',
      '- run_id: `run1`',
      '- baseline_run_id: `base1`',
      '- row_count: `7528`',
      '- ages_minutes: `[5, 15, 30, 60]`',
      '- regressor_kind: `ridge`',
      '- huber_max_iter: `None`',
      '- regression_target_clip_bps: `40.0`',
      '- continue_horizon_minutes: `30`',
      '- min_continue_edge_bps: `5.0`',
      '',
    ]);
    expect(lines).toContain('| long_continue_prob | 1.0 | |');
    expect(lines).toContain('| short_continue_prob | None | |');
    expect(lines).toContain('| short_expected_continue_edge_bps | | 1 |');
    expect(lines).toContain('| LONG | market_plus_state | latest_stress | 100 | None | 0.8333333333333334 | None |');
    expect(lines).toContain('| SHORT | market_only | tune | None | None | None | None |');
    expect(lines).toContain('- long latest_stress continue_auc below 0.60: None');
    expect(text.endsWith('- short latest_stress edge_mae_vs_constant_ratio')).toBe(true);
  });

  it('leaves out the baseline section (heading, blank, table, blank) without model_train_manifest.json', () => {
    const r = results();
    const v = buildVerdict(r);
    const withIt = buildReport('run1', 'base1', manifest, r, v, { CONTINUE: { metrics: { long_continue_prob: {}, short_continue_prob: {}, long_expected_continue_edge_bps: {}, short_expected_continue_edge_bps: {} } } });
    const without = buildReport('run1', 'base1', manifest, r, v, null);
    const a = withIt.split('\n');
    const start = a.indexOf('## Baseline run-10 Continue');
    const end = a.indexOf('## Diagnostic Result');
    expect(end - start).toBe(9);
    expect(without).toBe([...a.slice(0, start), ...a.slice(end)].join('\n'));
  });

  it('refuses a model_train_manifest.json without CONTINUE.metrics', () => {
    const v = buildVerdict(results());
    expect(() => buildReport('r', 'b', manifest, results(), v, { CONTINUE: {} })).toThrow(/model\/model_train_manifest.json: expected an object at CONTINUE.metrics/);
  });
});
