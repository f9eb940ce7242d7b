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
    for (let k = 0; k < j; k++) a[j * cols + k] = a[k * cols + j];
  }
  const penalised = Float64Array.from(a);
  for (let j = 0; j < cols; j++) penalised[j * cols + j] += alpha;
  let coef: Float64Array;
  try {
    coef = solveSymmetricPositive(penalised, b, cols);
  } catch {
    // scikit-learn's _solve_cholesky raises LinAlgError on a singular system (alpha = 0 with a constant or
    // collinear column) and Ridge then solves by SVD: the minimum-norm solution. Same here, by eigenvectors.
    coef = solveMinimumNorm(a, b, cols, alpha);
  }
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

/**
 * scikit-learn's `_solve_svd` written on the Gram matrix G = XcᵀXc (n×n, symmetric): with G = V diag(λ) Vᵀ and
 * λ = s², w = Σ over s > 1e-15 of (vᵢ·Xcᵀy) / (λᵢ + α) · vᵢ. Cyclic Jacobi rotations never touch an all-zero column
 * (a constant feature after centring), whose eigenvalue therefore stays exactly 0 and whose coefficient is 0.
 */
export function solveMinimumNorm(gram: Float64Array, b: Float64Array, n: number, alpha: number): Float64Array {
  const a = Float64Array.from(gram);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const sn = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - sn * akq;
          a[k * n + q] = sn * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - sn * aqk;
          a[q * n + k] = sn * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - sn * vkq;
          v[k * n + q] = sn * vkp + c * vkq;
        }
      }
    }
  }
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const lambda = a[i * n + i];
    if (!(Math.sqrt(Math.max(lambda, 0)) > 1e-15)) continue;
    let proj = 0;
    for (let k = 0; k < n; k++) proj += v[k * n + i] * b[k];
    const scale = proj / (lambda + alpha);
    for (let k = 0; k < n; k++) w[k] += scale * v[k * n + i];
  }
  return w;
}

/** x·coef + intercept (Ridge.predict). */
export function predictRidge(x: Float32Array | Float64Array, rows: number, cols: number, fit: RidgeFit, out?: Float64Array): Float64Array {
  return predictLinear(x, rows, cols, fit.coef, fit.intercept, out);
}
