/**
 * The heavy operations of every linear model, behind one interface so that the losses do not know where the
 * design matrix lives: the float64 CPU path here, tfjs (WebGPU, wasm) in `backends/` (issue 4).
 * X is row-major, rows × cols, fixed for the lifetime of the ops object (one fit).
 */
import { wasmLinearKernels } from './kernels/linearKernels.ts';

export type BackendName = 'cpu' | 'wasm' | 'webgpu';

export interface MatrixOps {
  readonly rows: number;
  readonly cols: number;
  readonly backend: BackendName;
  /** out[i] = Σ_j X[i,j]·w[j] + intercept   (out.length = rows) */
  gemv(w: Float64Array, intercept: number, out: Float64Array): void;
  /** out[j] = Σ_i X[i,j]·r[i]   (out.length = cols) */
  gemvT(r: Float64Array, out: Float64Array): void;
  /** Release device memory (tensors) or the wasm kernels' instance. */
  dispose(): void;
  /**
   * The ops read their own copy of X (in wasm, GPU or tfjs memory), not the caller's array: a caller that owns
   * X (a fit worker) may let it go once the ops exist.
   */
  readonly copiedX?: boolean;
  /**
   * Optional (issue 4): backends that can only read results back asynchronously (WebGPU: its synchronous
   * read-back returns zeros on a headless SwiftShader adapter) implement these and make `gemv`/`gemvT` throw.
   * Fits on such ops go through `fitLogisticAsync` / `fitHuberAsync` in `backends/asyncFit.ts`.
   */
  gemvAsync?(w: Float64Array, intercept: number, out: Float64Array): Promise<void>;
  gemvTAsync?(r: Float64Array, out: Float64Array): Promise<void>;
}

/**
 * Exact float64 accumulation over float32 or float64 values.
 * The kernels work on blocks of rows so that several independent sums are in flight at once (a single running
 * sum is bound by the latency of one float64 add); every sum still adds its terms in the same order as the plain
 * loops (gemv: intercept, then j ascending; gemvT: i ascending), so the results are identical to the last bit.
 */
export function cpuMatrixOps(x: Float32Array | Float64Array, rows: number, cols: number): MatrixOps {
  if (x.length !== rows * cols) throw new Error(`cpuMatrixOps: X has ${x.length} values, expected ${rows}×${cols}`);
  // gemvT adds the zero products of rows whose residual is 0 (the plain loop skips them); that is exact only
  // when every x is finite (0·∞ is NaN), so a matrix with a non-finite value keeps the skipping loop.
  const finite = allFinite(x);
  // A float32 matrix goes to the WebAssembly SIMD kernels: the same sums, bit for bit, faster.
  const kernels = finite && x instanceof Float32Array ? wasmLinearKernels(x, rows, cols) : null;
  if (kernels) {
    let released = false;
    const dispose = () => {
      if (!released) kernels.release();
      released = true;
    };
    return { rows, cols, backend: 'cpu', gemv: kernels.gemv, gemvT: kernels.gemvT, dispose, copiedX: true };
  }
  return {
    rows,
    cols,
    backend: 'cpu',
    gemv(w, intercept, out) {
      gemvBlocked(x, rows, cols, w, intercept, out);
    },
    gemvT(r, out) {
      if (finite) gemvTBlocked(x, rows, cols, r, out);
      else gemvTSkipZeros(x, rows, cols, r, out);
    },
    dispose() {},
  };
}

function allFinite(x: Float32Array | Float64Array): boolean {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v - v !== 0) return false;
  }
  return true;
}

/** out[i] = intercept + Σ_j x[i,j]·w[j] (j ascending), eight rows at a time. */
export function gemvBlocked(x: Float32Array | Float64Array, rows: number, cols: number, w: ArrayLike<number>, intercept: number, out: Float64Array): void {
  let i = 0;
  let base = 0;
  for (; i + 8 <= rows; i += 8, base += 8 * cols) {
    const b1 = base + cols;
    const b2 = b1 + cols;
    const b3 = b2 + cols;
    const b4 = b3 + cols;
    const b5 = b4 + cols;
    const b6 = b5 + cols;
    const b7 = b6 + cols;
    let s0 = intercept;
    let s1 = intercept;
    let s2 = intercept;
    let s3 = intercept;
    let s4 = intercept;
    let s5 = intercept;
    let s6 = intercept;
    let s7 = intercept;
    for (let j = 0; j < cols; j++) {
      const wj = w[j];
      s0 += x[base + j] * wj;
      s1 += x[b1 + j] * wj;
      s2 += x[b2 + j] * wj;
      s3 += x[b3 + j] * wj;
      s4 += x[b4 + j] * wj;
      s5 += x[b5 + j] * wj;
      s6 += x[b6 + j] * wj;
      s7 += x[b7 + j] * wj;
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
    let s = intercept;
    for (let j = 0; j < cols; j++) s += x[base + j] * w[j];
    out[i] = s;
  }
}

/**
 * out[j] = Σ_i x[i,j]·r[i] (i ascending), eight rows per pass over out. Rows with r[i] = 0 add ±0, which leaves
 * every partial sum unchanged (they start at +0 and never become −0) as long as x is finite.
 */
export function gemvTBlocked(x: Float32Array | Float64Array, rows: number, cols: number, r: Float64Array, out: Float64Array): void {
  out.fill(0);
  let i = 0;
  let base = 0;
  for (; i + 8 <= rows; i += 8, base += 8 * cols) {
    const r0 = r[i];
    const r1 = r[i + 1];
    const r2 = r[i + 2];
    const r3 = r[i + 3];
    const r4 = r[i + 4];
    const r5 = r[i + 5];
    const r6 = r[i + 6];
    const r7 = r[i + 7];
    const b1 = base + cols;
    const b2 = b1 + cols;
    const b3 = b2 + cols;
    const b4 = b3 + cols;
    const b5 = b4 + cols;
    const b6 = b5 + cols;
    const b7 = b6 + cols;
    for (let j = 0; j < cols; j++) {
      // left to right: ((out + x0·r0) + x1·r1) + …, the order of one row after the other
      out[j] = out[j] + x[base + j] * r0 + x[b1 + j] * r1 + x[b2 + j] * r2 + x[b3 + j] * r3 + x[b4 + j] * r4 + x[b5 + j] * r5 + x[b6 + j] * r6 + x[b7 + j] * r7;
    }
  }
  for (; i < rows; i++, base += cols) {
    const ri = r[i];
    for (let j = 0; j < cols; j++) out[j] += x[base + j] * ri;
  }
}

function gemvTSkipZeros(x: Float32Array | Float64Array, rows: number, cols: number, r: Float64Array, out: Float64Array): void {
  out.fill(0);
  for (let i = 0, base = 0; i < rows; i++, base += cols) {
    const ri = r[i];
    if (ri === 0) continue;
    for (let j = 0; j < cols; j++) out[j] += x[base + j] * ri;
  }
}
