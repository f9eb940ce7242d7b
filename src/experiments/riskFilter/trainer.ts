/**
 * Training of the risk filter (SPEC §4): refusals, the chronological split, StandardScaler + LogisticRegression
 * on float64 data (the reference scales float64 frames: no float32 step here), and the reported metrics.
 * The split is by time on purpose (the seed's random split leaks the future into training).
 */
import { RISK_FILTER_DEFAULTS } from '../../core/constants.ts';
import { sigmoid } from '../../ml/linear.ts';
import { brierScore, rocAuc } from '../../ml/metrics.ts';
import {
  chronologicalOrder,
  featureMatrix,
  featureNames,
  firstMissingFeature,
  isBadTrade,
  realizedPnl,
  testCount,
} from './dataset.ts';
import type { StoredTrade } from './ledger.ts';
import { defaultRiskFitter, type RiskFitter } from './riskFit.ts';

export interface RiskParams {
  maeThreshold: number;
  minRows: number;
  riskThreshold: number;
}

export const DEFAULT_RISK_PARAMS: RiskParams = {
  maeThreshold: RISK_FILTER_DEFAULTS.maeThreshold,
  minRows: RISK_FILTER_DEFAULTS.minRows,
  riskThreshold: RISK_FILTER_DEFAULTS.riskThreshold,
};

/** A trained model: everything needed to score a signal, frozen at training time. */
export interface RiskModel {
  feature_names: string[];
  scaler: { mean: number[]; scale: number[] };
  /** Coefficients on the scaled features, in feature_names order. */
  coef: number[];
  intercept: number;
  iterations: number;
  converged: boolean;
  mae_threshold: number;
  risk_threshold: number;
}

export interface ConfusionMatrix {
  tn: number;
  fp: number;
  fn: number;
  tp: number;
}

export interface TrainedRisk {
  status: 'trained';
  model: RiskModel;
  n_train: number;
  n_test: number;
  train_range: [string, string];
  test_range: [string, string] | null;
  train_bad_rate: number;
  test_bad_rate: number | null;
  train_accuracy: number;
  test_accuracy: number | null;
  test_auc: number | null;
  test_brier: number | null;
  confusion_matrix: ConfusionMatrix;
  /** Ordered by |coefficient| descending, ties in feature order. */
  coefficients: { feature: string; coefficient: number }[];
  test_trade_ids: string[];
  test_risk: number[];
  /** Every row in time order: what the evaluation and its curves are made of. */
  ordered: { trade_id: string; time: string; pnl: number; bad: 0 | 1; risk: number; test: boolean }[];
}

export interface RefusedRisk {
  status: 'refused';
  message: string;
  n_train?: number;
  n_test?: number;
}

export type TrainingOutcome = TrainedRisk | RefusedRisk;

export function tooSmallMessage(n: number, minRows: number): string {
  return `Dataset too small (${n} rows). Need >= ${minRows}`;
}

/** Risk = P(is_bad) of raw (unscaled) feature rows: scale as StandardScaler.transform, then predict_proba[:, 1]. */
export function predictRisk(model: RiskModel, x: Float64Array, rows: number): Float64Array {
  const cols = model.feature_names.length;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let z = 0;
    for (let j = 0; j < cols; j++) z += ((x[i * cols + j] - model.scaler.mean[j]) / model.scaler.scale[j]) * model.coef[j];
    out[i] = sigmoid(z + model.intercept);
  }
  return out;
}

export async function trainRiskFilter(
  rows: StoredTrade[],
  params: RiskParams,
  fitter: RiskFitter = defaultRiskFitter,
): Promise<TrainingOutcome> {
  const n = rows.length;
  if (n < params.minRows) return { status: 'refused', message: tooSmallMessage(n, params.minRows) };
  const names = featureNames(rows);
  const missing = firstMissingFeature(rows, names);
  if (missing) return { status: 'refused', message: `trade ${missing.trade_id} lacks a numeric rule_features.${missing.feature}` };

  const order = chronologicalOrder(rows);
  const cols = names.length;
  const x = featureMatrix(rows, order, names);
  const y = new Float64Array(n);
  const pnl = new Float64Array(n);
  order.forEach((r, i) => {
    y[i] = isBadTrade(rows[r].record, params.maeThreshold);
    pnl[i] = realizedPnl(rows[r].record);
  });
  const nTest = testCount(n);
  const nTrain = n - nTest;
  // (the reference crashes on an empty train part, possible only with min_rows below 2)
  if (nTrain === 0) return { status: 'refused', message: `train part is empty (${n} rows, ${nTest} held out for the test)`, n_train: nTrain, n_test: nTest };
  let trainBad = 0;
  for (let i = 0; i < nTrain; i++) trainBad += y[i];
  if (trainBad === 0 || trainBad === nTrain) {
    return { status: 'refused', message: `train part holds one class only (${y[0]})`, n_train: nTrain, n_test: nTest };
  }

  const xTrain = x.subarray(0, nTrain * cols);
  const fit = await fitter({ x: xTrain, rows: nTrain, cols, y: y.subarray(0, nTrain) });
  const model: RiskModel = {
    feature_names: names,
    scaler: { mean: Array.from(fit.mean), scale: Array.from(fit.scale) },
    coef: Array.from(fit.coef),
    intercept: fit.intercept,
    iterations: fit.iterations,
    converged: fit.converged,
    mae_threshold: params.maeThreshold,
    risk_threshold: params.riskThreshold,
  };
  const risk = predictRisk(model, x, n);
  const threshold = params.riskThreshold;
  let trainCorrect = 0;
  for (let i = 0; i < nTrain; i++) trainCorrect += (risk[i] > threshold ? 1 : 0) === y[i] ? 1 : 0;
  const cm: ConfusionMatrix = { tn: 0, fp: 0, fn: 0, tp: 0 };
  let testBad = 0;
  for (let i = nTrain; i < n; i++) {
    const predicted = risk[i] > threshold;
    const bad = y[i] === 1;
    testBad += y[i];
    if (predicted && bad) cm.tp++;
    else if (predicted) cm.fp++;
    else if (bad) cm.fn++;
    else cm.tn++;
  }
  const yTest = y.subarray(nTrain);
  const pTest = risk.subarray(nTrain);
  const bothClasses = testBad > 0 && testBad < nTest;
  const coefficients = names
    .map((feature, j) => ({ feature, coefficient: model.coef[j] }))
    .map((item, j) => ({ item, j }))
    .sort((a, b) => Math.abs(b.item.coefficient) - Math.abs(a.item.coefficient) || a.j - b.j)
    .map(({ item }) => item);
  const at = (i: number) => rows[order[i]];
  return {
    status: 'trained',
    model,
    n_train: nTrain,
    n_test: nTest,
    train_range: [at(0).time.iso, at(nTrain - 1).time.iso],
    test_range: nTest ? [at(nTrain).time.iso, at(n - 1).time.iso] : null,
    train_bad_rate: trainBad / nTrain,
    test_bad_rate: nTest ? testBad / nTest : null,
    train_accuracy: trainCorrect / nTrain,
    test_accuracy: nTest ? (cm.tn + cm.tp) / nTest : null,
    test_auc: bothClasses ? rocAuc(yTest, pTest) : null,
    test_brier: nTest ? brierScore(yTest, pTest) : null,
    confusion_matrix: cm,
    coefficients,
    test_trade_ids: order.slice(nTrain).map((r) => rows[r].trade_id),
    test_risk: Array.from(pTest),
    ordered: order.map((r, i) => ({ trade_id: rows[r].trade_id, time: rows[r].time.iso, pnl: pnl[i], bad: y[i] as 0 | 1, risk: risk[i], test: i >= nTrain })),
  };
}

