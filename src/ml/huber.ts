/**
 * HuberRegressor as scikit-learn 1.2.1 fits it (`_huber_loss_and_gradient`): parameters [coef, intercept, σ],
 * objective  n·σ + Σ_inliers r²/σ + Σ_outliers (2ε|r| − σε²) + α‖coef‖²  with r = y − Xw − b and outliers
 * |r| > εσ; L-BFGS-B from zeros with σ = 1, σ bounded below by 10·eps, gtol = tol = 1e-5, scipy's ftol.
 * n_iter_ = min(nit, max_iter) and the seed calls the fit converged when 0 ≤ n_iter_ < max_iter.
 */
import { InputError } from '../core/errors.ts';
import { EPS, minimizeLbfgsb, type LbfgsResult } from './lbfgs.ts';
import { predictLinear } from './linear.ts';
import type { MatrixOps } from './matrixOps.ts';

export interface HuberOptions {
  alpha?: number;
  epsilon?: number;
  maxIter?: number;
  gtol?: number;
  signal?: { readonly aborted: boolean };
  onIteration?: (iteration: number, objective: number) => void;
}

export interface HuberFit {
  coef: Float64Array;
  intercept: number;
  /** σ (sklearn's scale_). */
  scale: number;
  /** sklearn's n_iter_: min(nit, max_iter). */
  iterations: number;
  /** The seed's rule: 0 ≤ iterations < max_iter. */
  converged: boolean;
  objective: number;
  message: string;
}

export interface HuberWorkspace {
  raw: Float64Array;
  pointGrad: Float64Array;
  gradW: Float64Array;
}

export function huberWorkspace(rows: number, cols: number): HuberWorkspace {
  return { raw: new Float64Array(rows), pointGrad: new Float64Array(rows), gradW: new Float64Array(cols) };
}

/**
 * Objective and gradient at `w` = [coef (cols), intercept, σ]; gradient (length cols + 2) into `grad`.
 * The per-row derivative in the prediction is −2r/σ for inliers and −2ε·sign(r) for outliers.
 */
export function huberLossGrad(
  w: Float64Array,
  grad: Float64Array,
  ops: MatrixOps,
  y: ArrayLike<number>,
  epsilon: number,
  alpha: number,
  work: HuberWorkspace = huberWorkspace(ops.rows, ops.cols),
): number {
  const { rows, cols } = ops;
  const coef = w.subarray(0, cols);
  const intercept = w[cols];
  const sigma = w[cols + 1];
  const { raw, pointGrad, gradW } = work;
  // y − X·coef − intercept, in numpy's order
  ops.gemv(coef, 0, raw);
  const threshold = epsilon * sigma;
  let nOutliers = 0;
  let outlierAbsSum = 0;
  let inlierSq = 0;
  let inlierSum = 0;
  let outlierSignSum = 0;
  for (let i = 0; i < rows; i++) {
    const r = y[i] - raw[i] - intercept;
    const a = Math.abs(r);
    if (a > threshold) {
      nOutliers++;
      outlierAbsSum += a;
      const s = r < 0 ? -1 : 1;
      outlierSignSum += s;
      pointGrad[i] = -2 * epsilon * s;
    } else {
      inlierSq += r * r;
      inlierSum += r;
      pointGrad[i] = (-2 / sigma) * r;
    }
  }
  const squaredLoss = inlierSq / sigma;
  const outlierLoss = 2 * epsilon * outlierAbsSum - sigma * nOutliers * epsilon * epsilon;
  ops.gemvT(pointGrad, gradW);
  let norm2 = 0;
  for (let j = 0; j < cols; j++) {
    grad[j] = gradW[j] + alpha * 2 * coef[j];
    norm2 += coef[j] * coef[j];
  }
  grad[cols] = (-2 * inlierSum) / sigma - 2 * epsilon * outlierSignSum;
  grad[cols + 1] = rows - nOutliers * epsilon * epsilon - squaredLoss / sigma;
  return rows * sigma + squaredLoss + outlierLoss + alpha * norm2;
}

/** Fit on the rows of `ops` with targets `y` (defaults: alpha 0.001, epsilon 1.35, max_iter 100 as sklearn). */
export function fitHuber(ops: MatrixOps, y: ArrayLike<number>, options: HuberOptions = {}): HuberFit {
  const problem = huberProblem(ops, y, options);
  return problem.fitOf(minimizeLbfgsb(problem.objective(ops), problem.x0, problem.lbfgs));
}

/**
 * A Huber fit set up and checked, for any driver of the optimiser (this file's, or the asynchronous one of
 * backends/asyncFit.ts): the start [coef = 0, intercept = 0, σ = 1], σ bounded below by 10·eps as sklearn does,
 * the objective on given ops, and the fit from the result.
 */
export function huberProblem(ops: MatrixOps, y: ArrayLike<number>, options: HuberOptions = {}) {
  const alpha = options.alpha ?? 0.001;
  const epsilon = options.epsilon ?? 1.35;
  const maxIter = options.maxIter ?? 100;
  const gtol = options.gtol ?? 1e-5;
  const { rows, cols } = ops;
  if (y.length !== rows) throw new Error(`fitHuber: ${y.length} targets for ${rows} rows`);
  if (!(epsilon >= 1)) throw new Error(`fitHuber: epsilon must be ≥ 1, got ${epsilon}`);
  for (let i = 0; i < rows; i++) {
    if (!Number.isFinite(y[i])) throw new InputError(`HuberRegressor target must be finite; found ${y[i]} at row ${i}`);
  }
  const n = cols + 2;
  const x0 = new Float64Array(n);
  x0[n - 1] = 1;
  const lower = new Float64Array(n).fill(-Infinity);
  lower[n - 1] = 10 * EPS;
  const work = huberWorkspace(rows, cols);
  return {
    x0,
    lbfgs: { lower, maxIter, gtol, signal: options.signal, onIteration: options.onIteration },
    objective: (on: MatrixOps) => (w: Float64Array, g: Float64Array) => huberLossGrad(w, g, on, y, epsilon, alpha, work),
    fitOf: (res: LbfgsResult): HuberFit => {
      if (res.status === 2) {
        // sklearn raises here too, so the seed would stop on the same data
        throw new Error(`HuberRegressor convergence failed: l-BFGS-b solver terminated with ${res.message}`);
      }
      const iterations = Math.min(res.iterations, maxIter);
      return {
        coef: res.x.slice(0, cols),
        intercept: res.x[cols],
        scale: res.x[cols + 1],
        iterations,
        converged: iterations >= 0 && iterations < maxIter,
        objective: res.f,
        message: res.message,
      };
    },
  };
}

/** x·coef + intercept (HuberRegressor.predict). */
export function predictHuber(
  x: Float32Array | Float64Array,
  rows: number,
  cols: number,
  fit: Pick<HuberFit, 'coef' | 'intercept'>,
  out?: Float64Array,
): Float64Array {
  return predictLinear(x, rows, cols, fit.coef, fit.intercept, out);
}
