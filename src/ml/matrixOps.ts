/**
 * The heavy operations of every linear model, behind one interface so that the losses do not know where the
 * design matrix lives: the float64 CPU path here, tfjs (WebGPU, wasm) in `backends/` (issue 4).
 * X is row-major, rows × cols, fixed for the lifetime of the ops object (one fit).
 */
export type BackendName = 'cpu' | 'wasm' | 'webgpu';

export interface MatrixOps {
  readonly rows: number;
  readonly cols: number;
  readonly backend: BackendName;
  /** out[i] = Σ_j X[i,j]·w[j] + intercept   (out.length = rows) */
  gemv(w: Float64Array, intercept: number, out: Float64Array): void;
  /** out[j] = Σ_i X[i,j]·r[i]   (out.length = cols) */
  gemvT(r: Float64Array, out: Float64Array): void;
  /** Release device memory (tensors); a no-op on the CPU. */
  dispose(): void;
  /**
   * Optional (issue 4): backends that can only read results back asynchronously (WebGPU: its synchronous
   * read-back returns zeros on a headless SwiftShader adapter) implement these and make `gemv`/`gemvT` throw.
   * Fits on such ops go through `fitLogisticAsync` / `fitHuberAsync` in `backends/asyncFit.ts`.
   */
  gemvAsync?(w: Float64Array, intercept: number, out: Float64Array): Promise<void>;
  gemvTAsync?(r: Float64Array, out: Float64Array): Promise<void>;
}

/** Exact float64 accumulation over float32 or float64 values. */
export function cpuMatrixOps(x: Float32Array | Float64Array, rows: number, cols: number): MatrixOps {
  if (x.length !== rows * cols) throw new Error(`cpuMatrixOps: X has ${x.length} values, expected ${rows}×${cols}`);
  return {
    rows,
    cols,
    backend: 'cpu',
    gemv(w, intercept, out) {
      for (let i = 0, base = 0; i < rows; i++, base += cols) {
        let s = intercept;
        for (let j = 0; j < cols; j++) s += x[base + j] * w[j];
        out[i] = s;
      }
    },
    gemvT(r, out) {
      out.fill(0);
      for (let i = 0, base = 0; i < rows; i++, base += cols) {
        const ri = r[i];
        if (ri === 0) continue;
        for (let j = 0; j < cols; j++) out[j] += x[base + j] * ri;
      }
    },
    dispose() {},
  };
}
