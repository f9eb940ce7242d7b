/** Small pieces shared by the linear models: X·w + b, the logistic function, clipping. */

/** out[i] = Σ_j x[i,j]·coef[j] + intercept, accumulated in float64 (row-major x). */
export function predictLinear(
  x: Float32Array | Float64Array,
  rows: number,
  cols: number,
  coef: ArrayLike<number>,
  intercept: number,
  out: Float64Array = new Float64Array(rows),
): Float64Array {
  if (x.length !== rows * cols) throw new Error(`predictLinear: X has ${x.length} values, expected ${rows}×${cols}`);
  if (coef.length !== cols) throw new Error(`predictLinear: ${coef.length} coefficients for ${cols} columns`);
  // sklearn's X @ coef + intercept: the sum first, then the intercept
  dotRows(x, rows, cols, Float64Array.from(coef), out);
  for (let i = 0; i < rows; i++) out[i] += intercept;
  return out;
}

/**
 * out[i] = Σ_j x[i,j]·w[j] (j ascending, from 0, float64), eight rows at a time: independent sums in flight, each
 * added in the plain loop's order, so the bits are those of the plain loop.
 */
export function dotRows(x: Float32Array | Float64Array, rows: number, cols: number, w: Float64Array, out: Float64Array): Float64Array {
  let i = 0;
  let base = 0;
  for (; i + 8 <= rows; i += 8, base += 8 * cols) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let s4 = 0;
    let s5 = 0;
    let s6 = 0;
    let s7 = 0;
    for (let j = 0; j < cols; j++) {
      const wj = w[j];
      s0 += x[base + j] * wj;
      s1 += x[base + cols + j] * wj;
      s2 += x[base + 2 * cols + j] * wj;
      s3 += x[base + 3 * cols + j] * wj;
      s4 += x[base + 4 * cols + j] * wj;
      s5 += x[base + 5 * cols + j] * wj;
      s6 += x[base + 6 * cols + j] * wj;
      s7 += x[base + 7 * cols + j] * wj;
    }
    out[i] = s0;
    out[i + 1] = s1;
    out[i + 2] = s2;
    out[i + 3] = s3;
    out[i + 4] = s4;
    out[i + 5] = s5;
    out[i + 6] = s6;
    out[i + 7] = s7;
  }
  for (; i < rows; i++, base += cols) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += x[base + j] * w[j];
    out[i] = s;
  }
  return out;
}

/**
 * scipy's expit, 1 / (1 + e^(−z)), written as scipy writes it so probabilities match to the last bit; it never
 * yields NaN (e^(−z) = ∞ gives 0, e^(−z) = 0 gives 1).
 */
export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** np.clip(v, lo, hi) in place (NaN stays NaN). */
export function clip<T extends Float32Array | Float64Array>(v: T, lo: number, hi: number): T {
  for (let i = 0; i < v.length; i++) {
    const a = v[i];
    if (a < lo) v[i] = lo;
    else if (a > hi) v[i] = hi;
  }
  return v;
}
