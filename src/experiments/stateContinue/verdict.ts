/** The seed's `_verdict`, word for word: reasons print numbers as Python does (`0.6123`, `None`). */
import { LATEST_STRESS_SPLIT, VALIDATION_LOCKED_SPLIT, VERDICT_AUC_MIN, VERDICT_EDGE_MAE_RATIO_MAX } from '../../core/constants.ts';
import { pyFloat, pyRepr } from '../../core/pyjson.ts';
import type { Results } from './metrics.ts';

export interface Verdict {
  status: 'PASS_TO_FORMAL_CHAIN' | 'NOT_READY_FOR_FORMAL_CHAIN';
  acceptance_rule: {
    validation_and_latest_auc_min: number;
    validation_and_latest_edge_mae_vs_constant_max: number;
    must_beat_market_only: boolean;
    regressor_must_converge: boolean;
  };
  passed_checks: string[];
  reasons: string[];
}

/** A metric as the seed's f-string shows it: float repr, or None when absent (str(nan) is 'nan', not JSON's NaN). */
export function showPyFloat(value: number | null | undefined): string {
  if (value === null || value === undefined) return 'None';
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  return pyRepr(pyFloat(value));
}
const show = showPyFloat;

export function buildVerdict(results: Results): Verdict {
  const reasons: string[] = [];
  const passed: string[] = [];
  for (const side of ['long', 'short']) {
    const plus = results[`${side}_market_plus_state`];
    const base = results[`${side}_market_only`];
    if (!plus || !base) throw new Error(`verdict: results lack ${side}_market_plus_state or ${side}_market_only`);
    if (!plus.regressor_converged) reasons.push(`${side} market_plus_state regressor did not converge`);
    for (const split of [VALIDATION_LOCKED_SPLIT, LATEST_STRESS_SPLIT] as const) {
      const plusAuc = plus.splits[split]?.continue_auc ?? null;
      const baseAuc = base.splits[split]?.continue_auc ?? null;
      const plusMae = plus.splits[split]?.edge_mae_vs_constant_ratio ?? null;
      const baseMae = base.splits[split]?.edge_mae_vs_constant_ratio ?? null;
      // Comparisons with NaN are false, as in Python.
      if (plusAuc === null || plusAuc < VERDICT_AUC_MIN) reasons.push(`${side} ${split} continue_auc below 0.60: ${show(plusAuc)}`);
      else if (baseAuc !== null && plusAuc <= baseAuc)
        reasons.push(`${side} ${split} continue_auc not better than market_only: ${show(plusAuc)} <= ${show(baseAuc)}`);
      else passed.push(`${side} ${split} continue_auc`);
      if (plusMae === null || plusMae > VERDICT_EDGE_MAE_RATIO_MAX)
        reasons.push(`${side} ${split} edge_mae_vs_constant_ratio above 0.97: ${show(plusMae)}`);
      else if (baseMae !== null && plusMae >= baseMae)
        reasons.push(`${side} ${split} edge_mae_vs_constant_ratio not better than market_only: ${show(plusMae)} >= ${show(baseMae)}`);
      else passed.push(`${side} ${split} edge_mae_vs_constant_ratio`);
    }
  }
  return {
    status: reasons.length ? 'NOT_READY_FOR_FORMAL_CHAIN' : 'PASS_TO_FORMAL_CHAIN',
    acceptance_rule: {
      validation_and_latest_auc_min: VERDICT_AUC_MIN,
      validation_and_latest_edge_mae_vs_constant_max: VERDICT_EDGE_MAE_RATIO_MAX,
      must_beat_market_only: true,
      regressor_must_converge: true,
    },
    passed_checks: passed,
    reasons,
  };
}

/** The verdict JSON with Python's types (0.60 and 0.97 are floats). */
export function verdictToPy(v: Verdict): Record<string, unknown> {
  return {
    status: v.status,
    acceptance_rule: {
      validation_and_latest_auc_min: pyFloat(v.acceptance_rule.validation_and_latest_auc_min),
      validation_and_latest_edge_mae_vs_constant_max: pyFloat(v.acceptance_rule.validation_and_latest_edge_mae_vs_constant_max),
      must_beat_market_only: v.acceptance_rule.must_beat_market_only,
      regressor_must_converge: v.acceptance_rule.regressor_must_converge,
    },
    passed_checks: v.passed_checks,
    reasons: v.reasons,
  };
}
