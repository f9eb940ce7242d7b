/**
 * Binary LogisticRegression(penalty="l2", solver="lbfgs") as scikit-learn 1.2.1 fits it: the objective is the
 * SUM of the half-binomial log-loss plus ½‖w‖²/C (`LinearModelLoss.loss_gradient` with l2_reg_strength = 1/C,
 * intercept not penalised), minimised by L-BFGS-B from zeros with gtol = tol = 1e-4 and scipy's ftol. The scale of
 * the objective matters: scipy's relative-reduction test (ftol) decides where the fit stops.
 */
import { InputError } from '../core/errors.ts';
import { minimizeLbfgsb, type LbfgsResult } from './lbfgs.ts';
import { predictLinear, sigmoid } from './linear.ts';
import type { MatrixOps } from './matrixOps.ts';
import { pairwiseSum } from './numpySum.ts';

export interface LogisticOptions {
  C?: number;
  maxIter?: number;
  gtol?: number;
  signal?: { readonly aborted: boolean };
  onIteration?: (iteration: number, objective: number) => void;
}

export interface LogisticFit {
  coef: Float64Array;
  intercept: number;
  /** sklearn's n_iter_: min(nit, max_iter). */
  iterations: number;
  /** scipy status 0 (sklearn warns otherwise). */
  converged: boolean;
  /** Σ log-loss + ½‖w‖²/C at the returned coefficients. */
  objective: number;
  message: string;
}

/**
 * The half-binomial loss of one row and its derivative in the raw prediction z, as sklearn's Cython
 * `closs_grad_half_binomial`: log(1 + e^z) − y·z and expit(z) − y, branch by branch so that no exp overflows.
 */
function lossGradHalfBinomial(y: number, z: number, out: Float64Array, i: number, grad: Float64Array): void {
  if (z <= 0) {
    const e = Math.exp(z);
    out[i] = z <= -37 ? e - y * z : Math.log1p(e) - y * z;
    grad[i] = ((1 - y) * e - y) / (1 + e);
  } else if (z <= 18) {
    const e = Math.exp(-z);
    out[i] = Math.log1p(e) + (1 - y) * z;
    grad[i] = (1 - y - y * e) / (1 + e);
  } else {
    const e = Math.exp(-z);
    out[i] = e + (1 - y) * z;
    grad[i] = (1 - y - y * e) / (1 + e);
  }
}

/** Work buffers for one problem size, reused across evaluations. */
export interface LogisticWorkspace {
  raw: Float64Array;
  pointLoss: Float64Array;
  pointGrad: Float64Array;
  gradW: Float64Array;
}

export function logisticWorkspace(rows: number, cols: number): LogisticWorkspace {
  return { raw: new Float64Array(rows), pointLoss: new Float64Array(rows), pointGrad: new Float64Array(rows), gradW: new Float64Array(cols) };
}

/**
 * Objective and gradient at `w` = [coef (cols), intercept]: returns Σ loss + ½‖coef‖²/C and writes the gradient
 * (length cols + 1, intercept last) into `grad`.
 */
export function logisticLossGrad(
  w: Float64Array,
  grad: Float64Array,
  ops: MatrixOps,
  y: ArrayLike<number>,
  C: number,
  work: LogisticWorkspace = logisticWorkspace(ops.rows, ops.cols),
): number {
  const { rows, cols } = ops;
  const coef = w.subarray(0, cols);
  const intercept = w[cols];
  // X·coef first, then + intercept: the order of numpy's `X @ coef + intercept`
  ops.gemv(coef, 0, work.raw);
  const { raw, pointLoss, pointGrad, gradW } = work;
  for (let i = 0; i < rows; i++) lossGradHalfBinomial(y[i], raw[i] + intercept, pointLoss, i, pointGrad);
  const l2 = 1 / C;
  let norm2 = 0;
  for (let j = 0; j < cols; j++) norm2 += coef[j] * coef[j];
  const loss = 0 + pairwiseSum(pointLoss, 0, rows, 1) + 0.5 * l2 * norm2;
  ops.gemvT(pointGrad, gradW);
  for (let j = 0; j < cols; j++) grad[j] = gradW[j] + l2 * coef[j];
  grad[cols] = 0 + pairwiseSum(pointGrad, 0, rows, 1);
  return loss;
}

/** Fit on the rows of `ops` (already scaled) with 0/1 targets `y`. */
export function fitLogistic(ops: MatrixOps, y: ArrayLike<number>, options: LogisticOptions = {}): LogisticFit {
  const problem = logisticProblem(ops, y, options);
  const res = minimizeLbfgsb(problem.objective(ops), problem.x0, problem.lbfgs);
  return problem.fitOf(res);
}

/**
 * A logistic fit set up and checked, for any driver of the optimiser (this file's, or the asynchronous one of
 * backends/asyncFit.ts): the start, the L-BFGS options, the objective on given ops, and the fit from the result.
 */
export function logisticProblem(ops: MatrixOps, y: ArrayLike<number>, options: LogisticOptions = {}) {
  const C = options.C ?? 1.0;
  const maxIter = options.maxIter ?? 500;
  const gtol = options.gtol ?? 1e-4;
  const { rows, cols } = ops;
  if (y.length !== rows) throw new Error(`fitLogistic: ${y.length} targets for ${rows} rows`);
  if (!(C > 0)) throw new Error(`fitLogistic: C must be positive, got ${C}`);
  let positives = 0;
  for (let i = 0; i < rows; i++) {
    if (y[i] === 1) positives++;
    else if (y[i] !== 0) throw new InputError(`LogisticRegression target must be 0 or 1; found ${y[i]} at row ${i}`);
  }
  if (positives === 0 || positives === rows) {
    throw new InputError(
      `LogisticRegression needs samples of both classes, but the data contains only class ${positives === 0 ? 0 : 1} (${rows} rows)`,
    );
  }
  const work = logisticWorkspace(rows, cols);
  return {
    x0: new Float64Array(cols + 1),
    lbfgs: { maxIter, gtol, signal: options.signal, onIteration: options.onIteration },
    objective: (on: MatrixOps) => (w: Float64Array, g: Float64Array) => logisticLossGrad(w, g, on, y, C, work),
    fitOf: (res: LbfgsResult): LogisticFit => ({
      coef: res.x.slice(0, cols),
      intercept: res.x[cols],
      iterations: Math.min(res.iterations, maxIter),
      converged: res.status === 0,
      objective: res.f,
      message: res.message,
    }),
  };
}

/** P(y = 1) = expit(x·coef + intercept) for a row-major matrix, as predict_proba(X)[:, 1]. */
export function predictProba(
  x: Float32Array | Float64Array,
  rows: number,
  cols: number,
  coef: ArrayLike<number>,
  intercept: number,
  out: Float64Array = new Float64Array(rows),
): Float64Array {
  predictLinear(x, rows, cols, coef, intercept, out);
  for (let i = 0; i < rows; i++) out[i] = sigmoid(out[i]);
  return out;
}
