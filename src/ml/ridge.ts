/**
 * Ridge(alpha) with an intercept: centre X and y, solve (XcᵀXc + αI) w = Xcᵀyc by Cholesky, intercept
 * ȳ − x̄·w (not penalised). Solved in float64; scikit-learn keeps a float32 X in float32 (cast y to float32,
 * float32 Gram matrix and solve), so on float32 frames its coefficients carry float32 rounding that ours do not.
 */
import { InputError } from '../core/errors.ts';
import { predictLinear } from './linear.ts';
import { pairwiseSum } from './numpySum.ts';

export interface RidgeFit {
  coef: Float64Array;
  intercept: number;
}

export function fitRidge(x: Float32Array | Float64Array, rows: number, cols: number, y: ArrayLike<number>, alpha: number): RidgeFit {
  if (x.length !== rows * cols) throw new Error(`fitRidge: X has ${x.length} values, expected ${rows}×${cols}`);
  if (y.length !== rows) throw new Error(`fitRidge: ${y.length} targets for ${rows} rows`);
  if (!(alpha >= 0)) throw new Error(`fitRidge: alpha must be ≥ 0, got ${alpha}`);
  if (rows === 0) throw new Error('fitRidge: no rows');
  for (let i = 0; i < rows; i++) {
    if (!Number.isFinite(y[i])) throw new InputError(`Ridge target must be finite; found ${y[i]} at row ${i}`);
  }
  for (let k = 0; k < x.length; k++) {
    if (!Number.isFinite(x[k])) {
      throw new InputError(`Ridge input must be finite; found ${x[k]} at row ${Math.floor(k / cols)}, column ${k % cols}`);
    }
  }
  const xMean = new Float64Array(cols);
  for (let j = 0; j < cols; j++) xMean[j] = (0 + pairwiseSum(x, j, rows, cols)) / rows;
  const yMean = (0 + pairwiseSum(y, 0, rows, 1)) / rows;
  // Gram matrix of the centred data (upper triangle, then mirrored) and Xcᵀyc
  const a = new Float64Array(cols * cols);
  const b = new Float64Array(cols);
  const xc = new Float64Array(cols);
  for (let i = 0, base = 0; i < rows; i++, base += cols) {
    for (let j = 0; j < cols; j++) xc[j] = x[base + j] - xMean[j];
    const yc = y[i] - yMean;
    for (let j = 0; j < cols; j++) {
      const v = xc[j];
      if (v === 0) continue;
      b[j] += v * yc;
      const row = j * cols;
      for (let k = j; k < cols; k++) a[row + k] += v * xc[k];
    }
  }
  for (let j = 0; j < cols; j++) {
    a[j * cols + j] += alpha;
    for (let k = 0; k < j; k++) a[j * cols + k] = a[k * cols + j];
  }
  const coef = solveSymmetricPositive(a, b, cols);
  let dot = 0;
  for (let j = 0; j < cols; j++) dot += xMean[j] * coef[j];
  return { coef, intercept: yMean - dot };
}

/** Solve A x = b for symmetric positive definite A (n×n row-major) by Cholesky; throws if A is not positive. */
export function solveSymmetricPositive(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let s = a[j * n + j];
    for (let k = 0; k < j; k++) s -= l[j * n + k] * l[j * n + k];
    if (!(s > 0)) {
      throw new Error(`Ridge: the matrix XᵀX + αI is not positive definite at column ${j} (singular data and alpha = 0?)`);
    }
    const d = Math.sqrt(s);
    l[j * n + j] = d;
    for (let i = j + 1; i < n; i++) {
      let t = a[i * n + j];
      for (let k = 0; k < j; k++) t -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = t / d;
    }
  }
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let t = b[i];
    for (let k = 0; k < i; k++) t -= l[i * n + k] * z[k];
    z[i] = t / l[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let t = z[i];
    for (let k = i + 1; k < n; k++) t -= l[k * n + i] * x[k];
    x[i] = t / l[i * n + i];
  }
  return x;
}

/** x·coef + intercept (Ridge.predict). */
export function predictRidge(x: Float32Array | Float64Array, rows: number, cols: number, fit: RidgeFit, out?: Float64Array): Float64Array {
  return predictLinear(x, rows, cols, fit.coef, fit.intercept, out);
}
