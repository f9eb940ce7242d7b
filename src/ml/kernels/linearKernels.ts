/**
 * X·w and Xᵀr in WebAssembly SIMD (linear.wat), for a float32 matrix held in the kernel's own memory: X row-major
 * (for Xᵀr) and column-major (for X·w), so that both products read contiguous values. The sums are the plain
 * loops' own, term by term (see linear.wat): the results equal matrixOps.ts's JavaScript kernels to the last bit,
 * about three times faster. Null where WebAssembly SIMD is not available: the callers then use the JavaScript ones.
 */
import { WASM_BASE64 } from './linearWasm.ts';

interface KernelExports {
  memory: WebAssembly.Memory;
  gemv(xt: number, rows: number, cols: number, w: number, intercept: number, out: number): void;
  gemvT(x: number, rows: number, cols: number, r: number, out: number): void;
}

let compiled: WebAssembly.Module | null | undefined;

function kernelModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    const binary = atob(WASM_BASE64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    compiled = new WebAssembly.Module(bytes);
  } catch {
    compiled = null; // no WebAssembly, or no SIMD
  }
  return compiled;
}

export interface LinearKernels {
  /** out[i] = intercept + Σ_j X[i,j]·w[j] */
  gemv(w: Float64Array, intercept: number, out: Float64Array): void;
  /** out[j] = Σ_i X[i,j]·r[i] */
  gemvT(r: Float64Array, out: Float64Array): void;
}

const PAGE = 65536;

/** The kernels over a copy of `x` (rows × cols, row-major), or null when WebAssembly SIMD is unavailable. */
export function wasmLinearKernels(x: Float32Array, rows: number, cols: number): LinearKernels | null {
  const module = kernelModule();
  if (!module || rows * cols === 0) return null;
  // float64 regions first (8-byte aligned views), then the two float32 copies of X
  const wAt = 0;
  const outRowsAt = wAt + cols * 8;
  const rAt = outRowsAt + rows * 8;
  const outColsAt = rAt + rows * 8;
  const xAt = outColsAt + cols * 8;
  const xtAt = xAt + rows * cols * 4;
  const bytes = xtAt + rows * cols * 4;
  if (bytes > 2 ** 32 - PAGE) return null;
  let k: KernelExports;
  try {
    k = new WebAssembly.Instance(module, {}).exports as unknown as KernelExports;
    const pages = Math.ceil(bytes / PAGE);
    if (pages > 1) k.memory.grow(pages - 1);
  } catch {
    return null; // memory could not grow: the JavaScript kernels work on the caller's array instead
  }
  const buffer = k.memory.buffer;
  const w = new Float64Array(buffer, wAt, cols);
  const outRows = new Float64Array(buffer, outRowsAt, rows);
  const r = new Float64Array(buffer, rAt, rows);
  const outCols = new Float64Array(buffer, outColsAt, cols);
  new Float32Array(buffer, xAt, rows * cols).set(x);
  const xt = new Float32Array(buffer, xtAt, rows * cols);
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    for (let j = 0, t = i; j < cols; j++, t += rows) xt[t] = x[base + j];
  }
  return {
    gemv(wIn, intercept, out) {
      w.set(wIn.subarray(0, cols));
      k.gemv(xtAt, rows, cols, wAt, intercept, outRowsAt);
      out.set(outRows);
    },
    gemvT(rIn, out) {
      r.set(rIn.subarray(0, rows));
      k.gemvT(xAt, rows, cols, rAt, outColsAt);
      out.set(outCols);
    },
  };
}
