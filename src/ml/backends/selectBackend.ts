/**
 * Which backend a fit runs on. `cpu` is the exact float64 path (`cpuMatrixOps`); `wasm` and `webgpu` are tfjs in
 * float32 (see `tfjsMatrixOps`). An explicit choice that cannot be honoured falls back to cpu and says why, in
 * words the page shows ("no WebGPU adapter: training on cpu").
 *
 * `auto`: the exact float64 `cpu` path unless a real (non-fallback) WebGPU adapter is there and the problem is
 * large. With the blocked cpu kernels the float64 path is faster than tfjs wasm (a 327k × 43 logistic fit: 67 ms per
 * iteration on cpu, 159 ms on wasm), so wasm is never worth its float32 rounding and is used only when chosen.
 * SwiftShader's fallback adapter is ~190× slower than wasm, so it never counts as a real adapter.
 */
import { cpuMatrixOps, type BackendName, type MatrixOps } from '../matrixOps';
import { tfjsMatrixOps } from './tfjsMatrixOps';
import { activateTfjs } from './tfjsRuntime';

export type BackendChoice = 'auto' | 'cpu' | 'wasm' | 'webgpu';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'cpu', 'wasm', 'webgpu'];

export interface BackendSelection {
  /** Upload X (row-major rows × cols) for one fit; call `dispose()` on the result when the fit is done. */
  makeOps(x: Float32Array | Float64Array, rows: number, cols: number): MatrixOps;
  backend: BackendName;
  /** Why this backend, for the run log and the page. */
  reason: string;
}

/** `auto` uses a (non-fallback) WebGPU adapter from this many cells on; below, upload and read-back dominate. */
export const AUTO_WEBGPU_MIN_CELLS = 4_000_000;

export interface WebgpuProbe {
  /** An adapter was found (`navigator.gpu.requestAdapter()` returned one). */
  adapter: boolean;
  /** The adapter is a software fallback (SwiftShader): correct, but no speed. */
  fallback: boolean;
  /** Largest storage buffer the adapter allows, in bytes (X must fit in one). */
  maxBufferBytes: number;
  /** What was found, e.g. "no WebGPU adapter" or "WebGPU adapter google swiftshader (fallback)". */
  description: string;
}

interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
  limits?: { maxStorageBufferBindingSize?: number; maxBufferSize?: number };
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapterLike | null>;
}

/** Look for a WebGPU adapter as tfjs will (high-performance preference). Never throws. */
export async function probeWebgpu(): Promise<WebgpuProbe> {
  const none = (description: string): WebgpuProbe => ({ adapter: false, fallback: false, maxBufferBytes: 0, description });
  const gpu = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
  if (!gpu) return none('no WebGPU adapter (navigator.gpu is missing)');
  let adapter: GpuAdapterLike | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    return none(`no WebGPU adapter (requestAdapter failed: ${error instanceof Error ? error.message : String(error)})`);
  }
  if (!adapter) return none('no WebGPU adapter');
  // Chromium moved the flag from the adapter to GPUAdapterInfo; read both.
  const fallback = adapter.isFallbackAdapter === true || adapter.info?.isFallbackAdapter === true;
  const name = [adapter.info?.vendor, adapter.info?.architecture].filter((s) => s).join(' ') || 'unknown';
  const limits = adapter.limits ?? {};
  const maxBufferBytes = Math.min(limits.maxStorageBufferBindingSize ?? Infinity, limits.maxBufferSize ?? Infinity);
  return {
    adapter: true,
    fallback,
    maxBufferBytes: Number.isFinite(maxBufferBytes) ? maxBufferBytes : 0,
    description: `WebGPU adapter ${name}${fallback ? ' (software fallback)' : ''}`,
  };
}

const cpuSelection = (reason: string): BackendSelection => ({
  makeOps: (x, rows, cols) => cpuMatrixOps(x, rows, cols),
  backend: 'cpu',
  reason,
});

const tfjsSelection = (backend: 'wasm' | 'webgpu', reason: string): BackendSelection => ({
  makeOps: (x, rows, cols) => tfjsMatrixOps(x, rows, cols, backend),
  backend,
  reason,
});

/**
 * Pick the backend for a fit of `problem.rows × problem.cols` and make it ready (tfjs activated). The tfjs
 * backend is global to the page or worker: make the ops of one selection before selecting again.
 */
export async function selectBackend(
  choice: BackendChoice,
  problem: { rows: number; cols: number },
): Promise<BackendSelection> {
  const cells = problem.rows * problem.cols;
  const size = `${problem.rows.toLocaleString('en-US')} × ${problem.cols}`;
  const xBytes = problem.rows * problem.cols * 4;

  switch (choice) {
    case 'cpu':
      return cpuSelection('cpu chosen: exact float64');
    case 'wasm': {
      const wasm = await activateTfjs('wasm');
      if (wasm.ok) return tfjsSelection('wasm', 'wasm chosen: float32');
      return cpuSelection(`${wasm.reason}: training on cpu`);
    }
    case 'webgpu': {
      const probe = await probeWebgpu();
      if (!probe.adapter) return cpuSelection(`${probe.description}: training on cpu`);
      if (probe.maxBufferBytes > 0 && xBytes > probe.maxBufferBytes) {
        return cpuSelection(`X (${size}, ${mb(xBytes)}) exceeds the WebGPU buffer limit (${mb(probe.maxBufferBytes)}): training on cpu`);
      }
      const webgpu = await activateTfjs('webgpu');
      if (!webgpu.ok) return cpuSelection(`${webgpu.reason}: training on cpu`);
      return tfjsSelection(
        'webgpu',
        probe.fallback
          ? `webgpu chosen: float32 on a software fallback adapter (${probe.description}), correct but slow`
          : `webgpu chosen: float32 on ${probe.description}`,
      );
    }
    case 'auto': {
      // cpu is exact and beats wasm; only a real GPU on a large problem is worth float32.
      if (cells < AUTO_WEBGPU_MIN_CELLS) return cpuSelection(`auto: ${size}, exact float64 on cpu`);
      const probe = await probeWebgpu();
      let note: string;
      if (!probe.adapter) note = probe.description;
      else if (probe.fallback) note = `${probe.description} not used for speed`;
      else if (probe.maxBufferBytes > 0 && xBytes > probe.maxBufferBytes) note = 'X exceeds the WebGPU buffer limit';
      else {
        const webgpu = await activateTfjs('webgpu');
        if (webgpu.ok) return tfjsSelection('webgpu', `auto: ${size} on ${probe.description}, float32`);
        note = webgpu.reason;
      }
      return cpuSelection(`auto: ${size}, exact float64 on cpu (${note})`);
    }
    default: {
      const never: never = choice;
      throw new Error(`selectBackend: unknown backend choice ${String(never)}`);
    }
  }
}

function mb(bytes: number): string {
  return `${Math.round(bytes / 1e6).toLocaleString('en-US')} MB`;
}
