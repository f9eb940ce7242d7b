/**
 * The seed's `_split_metrics` and the per-model result record of `_train_side_models`, with the JSON shape
 * (Python types: ints stay ints, floats are `pyFloat`) and key order the seed writes.
 */
import { release } from '../../core/release.ts';
import { pyFloat, canonicalJson, type PyFloat } from '../../core/pyjson.ts';
import { sha256Hex } from '../../core/hash.ts';
import { brierScore, mean, meanAbsoluteError, median, rocAuc } from '../../ml/metrics.ts';
import { ALL_SPLITS } from '../../core/constants.ts';

export type SplitId = (typeof ALL_SPLITS)[number];

export interface SplitMetrics {
  row_count: number;
  positive_rate: number;
  brier: number;
  constant_brier: number;
  edge_mae: number;
  edge_constant_mae: number;
  /** Present only when both classes occur in the split. */
  continue_auc?: number;
  brier_vs_constant_ratio: number | null;
  edge_mae_vs_constant_ratio: number | null;
}

export interface ModelResult {
  /** Metrics per split present in the side's frame, in ALL_SPLITS order. */
  splits: Partial<Record<SplitId, SplitMetrics>>;
  row_count: number;
  feature_count: number;
  feature_hash: string;
  regressor_kind: string;
  ridge_alpha: number | null;
  regressor_iterations: number;
  regressor_max_iter: number;
  regressor_converged: boolean;
  regression_target_clip_bps: number | null;
}

/** Keys in the seed's order: long_market_only, long_market_plus_state, short_market_only, short_market_plus_state. */
export type Results = Record<string, ModelResult>;

/** Constants from the fit split: its positive rate and numpy's median of its (unclipped) regression target. */
export interface FitConstants {
  positiveRate: number;
  medianTarget: number;
}

export function fitConstants(yTrainCls: ArrayLike<number>, yTrainReg: ArrayLike<number>): FitConstants {
  return { positiveRate: mean(yTrainCls), medianTarget: median(yTrainReg) };
}

/** `_split_metrics(y_train_cls, y_train_reg, y_cls, y_reg, proba, pred_edge)`. */
export function splitMetrics(constants: FitConstants, yCls: ArrayLike<number>, yReg: ArrayLike<number>, proba: ArrayLike<number>, predEdge: ArrayLike<number>): SplitMetrics {
  const n = yCls.length;
  const constantProba = new Float64Array(n).fill(constants.positiveRate);
  const constantEdge = new Float64Array(n).fill(constants.medianTarget);
  const out: SplitMetrics = {
    row_count: n,
    positive_rate: mean(yCls),
    brier: brierScore(yCls, proba),
    constant_brier: brierScore(yCls, constantProba),
    edge_mae: meanAbsoluteError(yReg, predEdge),
    edge_constant_mae: meanAbsoluteError(yReg, constantEdge),
    brier_vs_constant_ratio: null,
    edge_mae_vs_constant_ratio: null,
  };
  const auc = rocAuc(yCls, proba);
  if (auc !== null) out.continue_auc = auc;
  out.brier_vs_constant_ratio = out.constant_brier > 0 ? out.brier / out.constant_brier : null;
  out.edge_mae_vs_constant_ratio = out.edge_constant_mae > 0 ? out.edge_mae / out.edge_constant_mae : null;
  release(constantProba, constantEdge);
  return out;
}

/** `feature_hash = sha256_json(feature_columns)`. */
export function featureHash(featureColumns: string[]): Promise<string> {
  return sha256Hex(canonicalJson(featureColumns));
}

const f = (x: number | null | undefined): PyFloat | null => (x === null || x === undefined ? null : pyFloat(x));

export function splitMetricsToPy(m: SplitMetrics): Record<string, unknown> {
  const out: Record<string, unknown> = {
    row_count: m.row_count,
    positive_rate: f(m.positive_rate),
    brier: f(m.brier),
    constant_brier: f(m.constant_brier),
    edge_mae: f(m.edge_mae),
    edge_constant_mae: f(m.edge_constant_mae),
  };
  if (m.continue_auc !== undefined) out.continue_auc = f(m.continue_auc);
  out.brier_vs_constant_ratio = f(m.brier_vs_constant_ratio);
  out.edge_mae_vs_constant_ratio = f(m.edge_mae_vs_constant_ratio);
  return out;
}

/** One model's record as the seed builds the dict (insertion order kept; write_json sorts keys anyway). */
export function modelResultToPy(r: ModelResult): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const split of ALL_SPLITS) {
    const m = r.splits[split];
    if (m) out[split] = splitMetricsToPy(m);
  }
  out.row_count = r.row_count;
  out.feature_count = r.feature_count;
  out.feature_hash = r.feature_hash;
  out.regressor_kind = r.regressor_kind;
  out.ridge_alpha = f(r.ridge_alpha);
  out.regressor_iterations = r.regressor_iterations;
  out.regressor_max_iter = r.regressor_max_iter;
  out.regressor_converged = r.regressor_converged;
  out.regression_target_clip_bps = f(r.regression_target_clip_bps);
  return out;
}

export function resultsToPy(results: Results): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, r] of Object.entries(results)) out[key] = modelResultToPy(r);
  return out;
}
