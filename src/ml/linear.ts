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
  for (let i = 0, base = 0; i < rows; i++, base += cols) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += x[base + j] * coef[j];
    out[i] = s + intercept;
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
