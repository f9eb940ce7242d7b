/**
 * StandardScaler as scikit-learn 1.2 fits and applies it: mean and variance (ddof 0) accumulated in float64 with
 * the corrected two-pass formula of `_incremental_mean_and_var`, near-constant columns (by
 * `_is_constant_feature`) scaled by 1; `transform` on a float32 frame does `X -= mean; X /= scale` in place, i.e.
 * two float32 roundings, which `scaleToFloat32` reproduces bit for bit.
 */
import { pairwiseSum } from './numpySum.ts';
import { release } from '../core/release.ts';

export interface StandardScaler {
  mean: Float64Array;
  scale: Float64Array;
}

const EPS64 = 2.220446049250313e-16;

/** Fit on a row-major rows × cols matrix. Column sums are pairwise (numpy on a pandas frame's column-major array). */
export function fitStandardScaler(x: Float32Array | Float64Array, rows: number, cols: number): StandardScaler {
  if (x.length !== rows * cols) throw new Error(`fitStandardScaler: X has ${x.length} values, expected ${rows}×${cols}`);
  // each column copied out once (one strided pass), then summed contiguously: the same values in the same
  // order as summing with a stride, without walking the whole matrix several times per column
  return fitStandardScalerByColumn(rows, cols, (j, column) => {
    for (let i = 0, k = j; i < rows; i++, k += cols) column[i] = x[k];
  });
}

/**
 * The same fit, on columns handed over one at a time: `fill(j, column)` writes column j's `rows` values (as
 * float64) into `column`. For a matrix that is never made whole: the values, hence the scaler, are the same.
 */
export function fitStandardScalerByColumn(rows: number, cols: number, fill: (j: number, column: Float64Array) => void): StandardScaler {
  if (rows <= 0) throw new Error('fitStandardScaler: no rows');
  const mean = new Float64Array(cols);
  const scale = new Float64Array(cols);
  const temp = new Float64Array(rows);
  const column = new Float64Array(rows);
  for (let j = 0; j < cols; j++) {
    fill(j, column);
    const sum = 0 + pairwiseSum(column, 0, rows, 1);
    const m = sum / rows;
    for (let i = 0; i < rows; i++) temp[i] = column[i] - m;
    const correction = 0 + pairwiseSum(temp, 0, rows, 1);
    for (let i = 0; i < rows; i++) temp[i] *= temp[i];
    let unnormalized = 0 + pairwiseSum(temp, 0, rows, 1);
    unnormalized -= (correction * correction) / rows;
    const variance = unnormalized / rows;
    mean[j] = m;
    // a variance within the rounding error of the two-pass algorithm is a constant column
    const upper = rows * EPS64 * variance + (rows * m * EPS64) ** 2;
    scale[j] = variance <= upper ? 1 : Math.sqrt(variance);
  }
  release(temp, column);
  return { mean, scale };
}

/**
 * sklearn's transform of a float32 frame: float32((float32(x − mean)) / scale), row-major. `out` may be `x`
 * itself (a float32 x scaled in place, as sklearn's copy=False does).
 */
export function scaleToFloat32(
  x: Float32Array | Float64Array,
  rows: number,
  cols: number,
  scaler: StandardScaler,
  out: Float32Array = new Float32Array(rows * cols),
): Float32Array {
  checkShape(x, rows, cols, scaler, 'scaleToFloat32');
  if (out.length !== rows * cols) throw new Error(`scaleToFloat32: out has ${out.length} values, expected ${rows}×${cols}`);
  const { mean, scale } = scaler;
  for (let i = 0, base = 0; i < rows; i++, base += cols) {
    for (let j = 0; j < cols; j++) {
      const centred = Math.fround(Math.fround(x[base + j]) - mean[j]);
      out[base + j] = centred / scale[j];
    }
  }
  return out;
}

/** sklearn's transform of a float64 frame: (x − mean) / scale in float64. */
export function scaleToFloat64(x: Float32Array | Float64Array, rows: number, cols: number, scaler: StandardScaler): Float64Array {
  checkShape(x, rows, cols, scaler, 'scaleToFloat64');
  const out = new Float64Array(rows * cols);
  const { mean, scale } = scaler;
  for (let i = 0, base = 0; i < rows; i++, base += cols) {
    for (let j = 0; j < cols; j++) out[base + j] = (x[base + j] - mean[j]) / scale[j];
  }
  return out;
}

function checkShape(x: ArrayLike<number>, rows: number, cols: number, scaler: StandardScaler, who: string): void {
  if (x.length !== rows * cols) throw new Error(`${who}: X has ${x.length} values, expected ${rows}×${cols}`);
  if (scaler.mean.length !== cols || scaler.scale.length !== cols) {
    throw new Error(`${who}: scaler has ${scaler.mean.length} columns, X has ${cols}`);
  }
}
