import { describe, expect, it } from 'vitest';
import { compareToFloat64, largestColumnDifference } from './compareToFloat64';

/** The seed's result shape: per model key, top-level facts and per-split metrics. */
function results(auc: number, mae: number, iterations: number) {
  return {
    long_market_plus_state: {
      row_count: 1200,
      feature_hash: 'abc',
      regressor_iterations: iterations,
      regressor_converged: true,
      ridge_alpha: null,
      validation_locked: { row_count: 300, continue_auc: auc, brier: 0.2, edge_mae_vs_constant_ratio: mae },
      latest_stress: { row_count: 300, continue_auc: 0.7, brier: 0.21, edge_mae_vs_constant_ratio: 0.9 },
    },
  };
}

function verdict(auc: number, status = 'NOT_READY_FOR_FORMAL_CHAIN') {
  return {
    status,
    acceptance_rule: { validation_and_latest_auc_min: 0.6 },
    passed_checks: ['long latest_stress continue_auc'],
    reasons: [`long validation_locked continue_auc below 0.60: ${auc}`],
  };
}

describe('compareToFloat64', () => {
  it('reports the largest metric difference and ignores optimiser step counts', () => {
    const c = compareToFloat64(
      { results: results(0.58312, 0.95001, 31), verdict: verdict(0.58312) },
      { results: results(0.58301, 0.95, 29), verdict: verdict(0.58301) },
    );
    expect(c.sameVerdict).toBe(true);
    expect(c.largest?.path).toBe('long_market_plus_state.validation_locked.continue_auc');
    expect(c.largest?.absolute).toBeCloseTo(0.00011, 12);
    expect(c.largest?.relative).toBeCloseTo(0.00011 / 0.58301, 12);
    expect(c.largestRelative?.path).toBe('long_market_plus_state.validation_locked.continue_auc'); // 1.9e-4 > 1.05e-5 of the MAE ratio
    expect(c.differences.map((d) => d.path)).not.toContain('long_market_plus_state.regressor_iterations');
    expect(c.differences.find((d) => d.path.endsWith('latest_stress.brier'))?.absolute).toBe(0);
    expect(c.mismatches).toEqual([]);
  });

  it('a different status, check list or reason wording is a different verdict', () => {
    const c = compareToFloat64(
      { results: results(0.61, 0.95, 1), verdict: { ...verdict(0.61, 'PASS_TO_FORMAL_CHAIN'), reasons: [], passed_checks: ['x'] } },
      { results: results(0.59, 0.95, 1), verdict: verdict(0.59) },
    );
    expect(c.sameVerdict).toBe(false);
    expect(c.verdictDifferences).toEqual([
      'status: "PASS_TO_FORMAL_CHAIN" vs "NOT_READY_FOR_FORMAL_CHAIN"',
      'passed_checks: ["x"] vs ["long latest_stress continue_auc"]',
      'reason 1: missing vs "long validation_locked continue_auc below 0.60: 0.59"',
    ]);
  });

  it('numbers quoted in reasons must agree within the metric tolerance', () => {
    const far = compareToFloat64({ results: {}, verdict: verdict(0.583) }, { results: {}, verdict: verdict(0.59) });
    expect(far.sameVerdict).toBe(false);
    const near = compareToFloat64({ results: {}, verdict: verdict(0.5902) }, { results: {}, verdict: verdict(0.59) });
    expect(near.sameVerdict).toBe(true);
  });

  it('lists leaves that only one run has or whose kind differs (an AUC that one run could not compute)', () => {
    const a = results(0.7, 0.9, 1);
    const b = results(0.7, 0.9, 1);
    delete (b.long_market_plus_state.validation_locked as { continue_auc?: number }).continue_auc;
    (a.long_market_plus_state as { ridge_alpha: unknown }).ridge_alpha = 10;
    (a.long_market_plus_state as { feature_hash: string }).feature_hash = 'abd';
    const c = compareToFloat64({ results: a }, { results: b });
    expect(c.mismatches).toEqual([
      'long_market_plus_state.feature_hash: "abd" vs "abc"',
      'long_market_plus_state.ridge_alpha: 10 vs null',
      'long_market_plus_state.validation_locked.continue_auc: 0.7 vs missing',
    ]);
    expect(c.sameVerdict).toBe(true); // no verdicts given
  });
});

describe('largestColumnDifference', () => {
  it('finds the row with the largest difference; NaN on both sides agrees, on one side does not', () => {
    expect(largestColumnDifference(new Float32Array([0.5, NaN, 0.25]), new Float64Array([0.5, NaN, 0.2]))).toEqual({
      index: 2,
      device: 0.25,
      float64: 0.2,
      absolute: 0.25 - 0.2,
    });
    expect(largestColumnDifference([1, NaN], [1, 2])?.absolute).toBe(Infinity);
    expect(() => largestColumnDifference([1], [1, 2])).toThrow(/1 values vs 2/);
  });
});
