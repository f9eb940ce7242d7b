/**
 * The one fit of the risk filter: StandardScaler then LogisticRegression(C=1, lbfgs, max_iter=500) on float64
 * rows, with the workbench's shared models (src/ml). It is a function so the page can hand it to a fit worker
 * and tests can run it inline.
 */
import { LOGISTIC_C, LOGISTIC_MAX_ITER } from '../../core/constants.ts';
import { fitLogistic } from '../../ml/logistic.ts';
import { cpuMatrixOps } from '../../ml/matrixOps.ts';
import { fitStandardScaler, scaleToFloat64 } from '../../ml/scaler.ts';

export interface RiskFitInput {
  /** Raw training rows, row-major float64, rows × cols. */
  x: Float64Array;
  rows: number;
  cols: number;
  /** is_bad labels 0/1. */
  y: Float64Array;
}

export interface RiskFitOutput {
  mean: Float64Array;
  scale: Float64Array;
  coef: Float64Array;
  intercept: number;
  iterations: number;
  converged: boolean;
  /** Where and how long the fit ran, when the fitter knows (the fit worker does). */
  backend?: string;
  ms?: number;
}

export type RiskFitter = (input: RiskFitInput) => Promise<RiskFitOutput>;

/** Scale (float64: the reference's frame is float64, no float32 step) and fit on the CPU path. */
export function fitRiskModel(input: RiskFitInput): RiskFitOutput {
  const { x, rows, cols, y } = input;
  const scaler = fitStandardScaler(x, rows, cols);
  const scaled = scaleToFloat64(x, rows, cols, scaler);
  const fit = fitLogistic(cpuMatrixOps(scaled, rows, cols), y, { C: LOGISTIC_C, maxIter: LOGISTIC_MAX_ITER });
  return { mean: scaler.mean, scale: scaler.scale, coef: fit.coef, intercept: fit.intercept, iterations: fit.iterations, converged: fit.converged };
}

export const defaultRiskFitter: RiskFitter = async (input) => fitRiskModel(input);
