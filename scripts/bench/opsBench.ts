/**
 * Micro-benchmark of the MatrixOps backends that load in Node: one gemv + one gemvT (a logistic gradient step's
 * products) on a random float32 X. Run: `node --import tsx scripts/bench/opsBench.ts [rows] [cols]`.
 * Node's numbers are indicative only; the page's backends (wasm with SIMD in a worker, WebGPU) are measured by
 * the benchmark proper (scripts/bench.ts) and the browser tests.
 */
import { cpuMatrixOps, type MatrixOps } from '../../src/ml/matrixOps';
import { tfjsMatrixOps, type TfjsBackendName } from '../../src/ml/backends/tfjsMatrixOps';
import { activateTfjs } from '../../src/ml/backends/tfjsRuntime';

export interface OpsTiming {
  backend: string;
  rows: number;
  cols: number;
  uploadMs: number;
  stepMs: number;
  maxRelativeGradientDiff: number;
}

export async function benchOps(rows: number, cols: number, repeats = 10): Promise<OpsTiming[]> {
  const x = new Float32Array(rows * cols);
  let seed = 12345;
  for (let i = 0; i < x.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    x[i] = seed / 2 ** 32 - 0.5;
  }
  const w = Float64Array.from({ length: cols }, (_, j) => Math.sin(j));
  const r = Float64Array.from({ length: rows }, (_, i) => Math.cos(i) * 0.5);
  const z = new Float64Array(rows);
  const exactGrad = new Float64Array(cols);
  cpuMatrixOps(x, rows, cols).gemvT(r, exactGrad);
  const gradScale = Math.max(...exactGrad.map(Math.abs));

  const results: OpsTiming[] = [];
  const candidates: Array<{ name: string; make: () => Promise<MatrixOps | null> }> = [
    { name: 'cpu (float64)', make: async () => cpuMatrixOps(x, rows, cols) },
    ...(['wasm', 'cpu'] as TfjsBackendName[]).map((b) => ({
      name: `tfjs ${b} (float32)`,
      make: async () => ((await activateTfjs(b)).ok ? tfjsMatrixOps(x, rows, cols, b) : null),
    })),
  ];
  for (const candidate of candidates) {
    const t0 = performance.now();
    const ops = await candidate.make();
    if (!ops) continue;
    const uploadMs = performance.now() - t0;
    const grad = new Float64Array(cols);
    ops.gemv(w, 0.1, z); // warm-up (kernel compilation, first allocation)
    ops.gemvT(r, grad);
    const t1 = performance.now();
    for (let k = 0; k < repeats; k++) {
      ops.gemv(w, 0.1, z);
      ops.gemvT(r, grad);
    }
    const stepMs = (performance.now() - t1) / repeats;
    let diff = 0;
    for (let j = 0; j < cols; j++) diff = Math.max(diff, Math.abs(grad[j] - exactGrad[j]) / gradScale);
    ops.dispose();
    results.push({ backend: candidate.name, rows, cols, uploadMs, stepMs, maxRelativeGradientDiff: diff });
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = Number(process.argv[2] ?? 200_000);
  const cols = Number(process.argv[3] ?? 43);
  for (const t of await benchOps(rows, cols)) {
    console.log(
      `${t.backend.padEnd(20)} ${rows}×${cols}  upload ${t.uploadMs.toFixed(1)} ms  step ${t.stepMs.toFixed(1)} ms  ` +
        `max |Δgrad|/max|grad| ${t.maxRelativeGradientDiff.toExponential(2)}`,
    );
  }
}
