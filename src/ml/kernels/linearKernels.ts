/**
 * X·w and Xᵀr in WebAssembly SIMD (linear.wat), for a float32 matrix held in the kernel's own memory: X row-major
 * (for Xᵀr) and in panels of sixteen rows (for X·w), so that both products read contiguous values. The sums are the plain
 * loops' own, term by term (see linear.wat): the results equal matrixOps.ts's JavaScript kernels to the last bit,
 * about three times faster. Null where WebAssembly SIMD is not available: the callers then use the JavaScript ones.
 */
import { WASM_BASE64 } from './linearWasm.ts';

interface KernelExports {
  memory: WebAssembly.Memory;
  gemv(xp: number, panels: number, cols: number, w: number, intercept: number, out: number): void;
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
/** Rows per panel of X·w's copy of X (linear.wat's gemv). */
const PANEL_ROWS = 16;

/** The kernels over a copy of `x` (rows × cols, row-major), or null when WebAssembly SIMD is unavailable. */
export function wasmLinearKernels(x: Float32Array, rows: number, cols: number): LinearKernels | null {
  const module = kernelModule();
  if (!module || rows * cols === 0) return null;
  // float64 regions first (8-byte aligned views), then the two float32 copies of X; X·w's rows are padded to whole
  // panels of PANEL_ROWS (zeros, their outputs unused)
  const panels = Math.ceil(rows / PANEL_ROWS);
  const wAt = 0;
  const outRowsAt = wAt + cols * 8;
  const rAt = outRowsAt + panels * PANEL_ROWS * 8;
  const outColsAt = rAt + rows * 8;
  const xAt = outColsAt + cols * 8;
  const xpAt = xAt + rows * cols * 4;
  const bytes = xpAt + panels * PANEL_ROWS * cols * 4;
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
  // panel p: rows 16p..16p+15, column after column; a fresh memory is zero, so the last panel's padding is too
  const xp = new Float32Array(buffer, xpAt, panels * PANEL_ROWS * cols);
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    const at = (i - (i % PANEL_ROWS)) * cols + (i % PANEL_ROWS);
    for (let j = 0; j < cols; j++) xp[at + j * PANEL_ROWS] = x[base + j];
  }
  return {
    gemv(wIn, intercept, out) {
      w.set(wIn.subarray(0, cols));
      k.gemv(xpAt, panels, cols, wAt, intercept, outRowsAt);
      out.set(outRows);
    },
    gemvT(rIn, out) {
      r.set(rIn.subarray(0, rows));
      k.gemvT(xAt, rows, cols, rAt, outColsAt);
      out.set(outCols);
    },
  };
}
