/**
 * `MatrixOps` on a tfjs backend (wasm, webgpu; the tfjs `cpu` backend too, for tests): X lives on the device in
 * float32, uploaded once per fit; X·w and Xᵀr are matMuls. Only vectors cross the boundary per call.
 *
 * Precision: X is already float32 (sklearn scales a float32 frame to float32), so the device holds it exactly;
 * w and r are rounded to float32 and the products accumulate in float32. The intercept is added in float64 on the
 * way out, and Xᵀr is summed on the device in blocks of `GEMVT_BLOCK_ROWS` rows whose partial sums are added in
 * float64 here: a gradient that is a small difference of large sums (near the optimum) keeps ~1e-6 relative
 * accuracy instead of losing digits over hundreds of thousands of float32 additions.
 *
 * The loss itself is evaluated by the caller in float64 from the read-back X·w: scipy's `ftol` test compares
 * relative reductions of 2.2e-9, below what a float32 loss sum could resolve, so fusing the loss on the device
 * would change where L-BFGS stops.
 *
 * WebGPU results can only be read back asynchronously (see `syncReadBack` below): webgpu ops offer
 * `gemvAsync`/`gemvTAsync` and refuse the synchronous products.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendName, MatrixOps } from '../matrixOps';

/** Rows per device partial sum of Xᵀr (see the header). 4096 float32 additions lose ~1e-7·√4096 relative. */
export const GEMVT_BLOCK_ROWS = 4096;

export type TfjsBackendName = 'cpu' | 'wasm' | 'webgpu';

/**
 * Upload X (row-major rows × cols) to the ACTIVE tfjs backend, which must be `backend` (see `activateTfjs`).
 * The returned ops throw if another tfjs backend was made active meanwhile (tfjs would silently copy X between
 * backends on every call). `dispose()` frees every tensor the ops made: `tf.memory().numTensors` returns to its
 * value before the call.
 */
export function tfjsMatrixOps(
  x: Float32Array | Float64Array,
  rows: number,
  cols: number,
  backend: TfjsBackendName,
): MatrixOps {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new Error(`tfjsMatrixOps: rows and cols must be positive integers, got ${rows}×${cols}`);
  }
  if (x.length !== rows * cols) throw new Error(`tfjsMatrixOps: X has ${x.length} values, expected ${rows}×${cols}`);
  const active = tf.getBackend();
  if (active !== backend) {
    throw new Error(`tfjsMatrixOps: the active tfjs backend is '${active}', expected '${backend}' (call activateTfjs first)`);
  }

  const blocks = Math.ceil(rows / GEMVT_BLOCK_ROWS);
  const blockRows = blocks === 1 ? rows : GEMVT_BLOCK_ROWS;
  const paddedRows = blocks * blockRows;
  // Zero rows pad X to whole blocks; they add nothing to Xᵀr and their X·w values are never read.
  let x32: Float32Array;
  if (x instanceof Float32Array && paddedRows === rows) x32 = x;
  else {
    x32 = new Float32Array(paddedRows * cols);
    x32.set(x); // rounds float64 values to float32 (the device precision)
  }
  const xMatrix = tf.tensor2d(x32, [paddedRows, cols], 'float32');
  // Same buffer viewed as [blocks, blockRows, cols] for the blocked Xᵀr; a reshape shares the data on every backend.
  const xBlocks = tf.reshape(xMatrix, [blocks, blockRows, cols]) as tf.Tensor3D;
  const w32 = new Float32Array(cols);
  const r32 = new Float32Array(paddedRows);
  let disposed = false;

  const check = (what: string) => {
    if (disposed) throw new Error(`tfjsMatrixOps.${what}: called after dispose()`);
    const now = tf.getBackend();
    if (now !== backend) throw new Error(`tfjsMatrixOps.${what}: the active tfjs backend changed from '${backend}' to '${now}'`);
  };

  // WebGPU's synchronous read-back (tfjs draws the buffer through an OffscreenCanvas) returned zeros on Chromium's
  // SwiftShader adapter and then lost the GPU instance: a silent wrong answer. On webgpu only the async products
  // exist; the fits go through backends/asyncFit.ts.
  const syncReadBack = backend !== 'webgpu';

  const gemvTensor = (w: Float64Array): tf.Tensor => {
    for (let j = 0; j < cols; j++) w32[j] = w[j];
    return tf.tidy(() => tf.matMul(xMatrix, tf.tensor2d(w32, [cols, 1], 'float32')));
  };
  const gemvFinish = (values: Float32Array, intercept: number, out: Float64Array) => {
    for (let i = 0; i < rows; i++) out[i] = values[i] + intercept;
  };
  const gemvTTensor = (r: Float64Array): tf.Tensor => {
    for (let i = 0; i < rows; i++) r32[i] = r[i];
    // [blocks, 1, blockRows] × [blocks, blockRows, cols] → [blocks, 1, cols] partial sums.
    return tf.tidy(() => tf.matMul(tf.tensor3d(r32, [blocks, 1, blockRows], 'float32'), xBlocks));
  };
  const gemvTFinish = (values: Float32Array, out: Float64Array) => {
    out.fill(0);
    for (let b = 0, base = 0; b < blocks; b++, base += cols) {
      for (let j = 0; j < cols; j++) out[j] += values[base + j];
    }
  };
  const noSync = (what: string) =>
    new Error(`tfjsMatrixOps.${what}: the webgpu backend reads results back asynchronously only; use ${what}Async (fitLogisticAsync / fitHuberAsync)`);

  return {
    rows,
    cols,
    backend: backend as BackendName,
    gemv(w, intercept, out) {
      check('gemv');
      if (!syncReadBack) throw noSync('gemv');
      const z = gemvTensor(w);
      try {
        gemvFinish(z.dataSync() as Float32Array, intercept, out);
      } finally {
        z.dispose();
      }
    },
    gemvT(r, out) {
      check('gemvT');
      if (!syncReadBack) throw noSync('gemvT');
      const partial = gemvTTensor(r);
      try {
        gemvTFinish(partial.dataSync() as Float32Array, out);
      } finally {
        partial.dispose();
      }
    },
    ...(syncReadBack
      ? {}
      : {
          async gemvAsync(w: Float64Array, intercept: number, out: Float64Array) {
            check('gemvAsync');
            const z = gemvTensor(w);
            try {
              gemvFinish((await z.data()) as Float32Array, intercept, out);
            } finally {
              z.dispose();
            }
          },
          async gemvTAsync(r: Float64Array, out: Float64Array) {
            check('gemvTAsync');
            const partial = gemvTTensor(r);
            try {
              gemvTFinish((await partial.data()) as Float32Array, out);
            } finally {
              partial.dispose();
            }
          },
        }),
    dispose() {
      if (disposed) return;
      disposed = true;
      xBlocks.dispose();
      xMatrix.dispose();
    },
  };
}
