/** Numbers that matter, in one place, as SPEC.md gives them. */

export const FIT_SPLIT = 'fit_inner';
export const TUNE_SPLIT = 'tune';
export const VALIDATION_LOCKED_SPLIT = 'validation_locked';
export const LATEST_STRESS_SPLIT = 'latest_stress';
export const EVAL_SPLITS = [TUNE_SPLIT, VALIDATION_LOCKED_SPLIT, LATEST_STRESS_SPLIT] as const;
export const ALL_SPLITS = [FIT_SPLIT, TUNE_SPLIT, VALIDATION_LOCKED_SPLIT, LATEST_STRESS_SPLIT] as const;

export const STATE_FEATURES = [
  'position_side_sign',
  'time_in_position_minutes',
  'unrealized_pnl_bps',
  'mfe_since_entry_bps',
  'mae_since_entry_bps',
  'distance_to_stop_bps',
  'distance_to_target_bps',
  'entry_predicted_edge_bps',
  'entry_direction_prob',
  'add_count',
  'minutes_since_last_add',
] as const;

/** The seed's nine artifacts (SPEC §3), in the order the seed writes them. */
export const STATE_CONTINUE_ARTIFACTS = [
  'state_continue_train.parquet',
  'experiment_manifest.json',
  'position_state_feature_schema.json',
  'position_state_feature_order.json',
  'position_state_source_manifest.json',
  'state_continue_predictions.parquet',
  'state_continue_result.json',
  'state_continue_verdict.json',
  'state_continue_experiment_report.md',
] as const;

/** Artifacts sorted in the seed's order (names it does not write last, in their own order). */
export function inSeedOrder<T extends { name: string }>(artifacts: T[]): T[] {
  const rank = (name: string) => {
    const i = (STATE_CONTINUE_ARTIFACTS as readonly string[]).indexOf(name);
    return i < 0 ? STATE_CONTINUE_ARTIFACTS.length : i;
  };
  return artifacts.map((a, i) => ({ a, i })).sort((x, y) => rank(x.a.name) - rank(y.a.name) || x.i - y.i).map(({ a }) => a);
}

export const ENTRY_HEADS = ['long_entry_prob', 'short_entry_prob', 'long_expected_net_edge_bps', 'short_expected_net_edge_bps'] as const;
export const DIRECTION_HEAD = 'direction';

/** SPEC §3 defaults of the state-continue experiment. */
export const STATE_CONTINUE_DEFAULTS = {
  runId: 'state_continue_reference',
  agesMinutes: '5,15,30,60',
  regressorKind: 'huber' as 'huber' | 'ridge',
  ridgeAlpha: 10,
  huberMaxIter: 1000,
  regressionTargetClipBps: 0,
  maxRowsPerSplit: 0,
  continueHorizonMinutes: 30,
  minContinueEdgeBps: 5.0,
  backend: 'auto' as 'auto' | 'cpu' | 'wasm' | 'webgpu',
};

/** Models (SPEC §3). */
export const LOGISTIC_C = 1.0;
export const LOGISTIC_MAX_ITER = 500;
export const HUBER_ALPHA = 0.001;
export const HUBER_EPSILON = 1.35;

/** The seed's acceptance rule (_verdict). */
export const VERDICT_AUC_MIN = 0.6;
export const VERDICT_EDGE_MAE_RATIO_MAX = 0.97;

/** Risk filter (SPEC §4). */
export const RISK_FILTER_DEFAULTS = {
  maeThreshold: 0.03,
  minRows: 20,
  riskThreshold: 0.5,
  testFraction: 0.2,
};

/** Agreement with scikit-learn (SPEC §6). */
export const TOLERANCE = {
  stateFeatureBps: 1e-3,
  probability: 1e-6,
  frozenScore: 5e-5,
  auc: 5e-4,
  brierRelative: 2e-4,
  edgeMaeRelative: 5e-3,
  predictionProbability: 5e-3,
  predictionEdgeBps: 1,
  predictionEdgeRelative: 0.01,
  predictionRowShare: 0.999,
  riskCoefficientRelative: 1e-3,
  objectiveRelative: 1e-6,
};
