/**
 * X·w and Xᵀr in WebAssembly SIMD (linear.wat), for a float32 matrix held in the kernel's own memory once, in
 * panels of sixteen rows (each panel column after column), which both products read contiguously. The sums are the plain
 * loops' own, term by term (see linear.wat): the results equal matrixOps.ts's JavaScript kernels to the last bit,
 * about three times faster. Null where WebAssembly SIMD is not available: the callers then use the JavaScript ones.
 */
import { WASM_BASE64 } from './linearWasm.ts';

interface KernelExports {
  memory: WebAssembly.Memory;
  gemv(xp: number, panels: number, cols: number, w: number, intercept: number, out: number): void;
  gemvT(xp: number, rows: number, cols: number, r: number, out: number): void;
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
  /** Done with these kernels: their instance (and its memory) serves the next ones. */
  release(): void;
}

/**
 * The instance of the last kernels released, kept for the next ones. A fit worker fits one model after another;
 * a fresh instance per fit left the previous fit's memory (two copies of X: ~112 MB for L's largest fit) to the
 * garbage collector while the next fit's grew. The memory grows to the largest fit's size and is reused.
 */
let idle: KernelExports | null = null;

const PAGE = 65536;
/** Rows per panel of the kernels' copy of X (linear.wat). */
const PANEL_ROWS = 16;

/** The kernels over a copy of `x` (rows × cols, row-major), or null when WebAssembly SIMD is unavailable. */
export function wasmLinearKernels(x: Float32Array, rows: number, cols: number): LinearKernels | null {
  const module = kernelModule();
  if (!module || rows * cols === 0) return null;
  // float64 regions first (8-byte aligned views), then the float32 copy of X; X·w's output rows are padded to
  // whole panels of PANEL_ROWS (their outputs unused)
  const panels = Math.ceil(rows / PANEL_ROWS);
  const wAt = 0;
  const outRowsAt = wAt + cols * 8;
  const rAt = outRowsAt + panels * PANEL_ROWS * 8;
  const outColsAt = rAt + rows * 8;
  const xpAt = outColsAt + cols * 8;
  const bytes = xpAt + panels * PANEL_ROWS * cols * 4;
  if (bytes > 2 ** 32 - PAGE) return null;
  let k: KernelExports;
  try {
    k = idle ?? (new WebAssembly.Instance(module, {}).exports as unknown as KernelExports);
    idle = null;
    const pages = Math.ceil(bytes / PAGE);
    const have = k.memory.buffer.byteLength / PAGE;
    if (pages > have) k.memory.grow(pages - have);
  } catch {
    return null; // memory could not grow: the JavaScript kernels work on the caller's array instead
  }
  const buffer = k.memory.buffer;
  const w = new Float64Array(buffer, wAt, cols);
  const outRows = new Float64Array(buffer, outRowsAt, rows);
  const r = new Float64Array(buffer, rAt, rows);
  const outCols = new Float64Array(buffer, outColsAt, cols);
  // panel p: rows 16p..16p+15, column after column; the last panel's padding rows hold whatever a previous use
  // left there: X·w computes their outputs too, and nothing reads them
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
      k.gemvT(xpAt, rows, cols, rAt, outColsAt);
      out.set(outCols);
    },
    release() {
      idle = k;
    },
  };
}
