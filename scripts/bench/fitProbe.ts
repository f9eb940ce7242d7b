/**
 * One logistic fit of a given size in Node on each backend that loads here, timed per objective evaluation:
 * where a fit's time goes (products against the per-row loss). `node --import tsx scripts/bench/fitProbe.ts [rows] [cols]`
 */
import { cpuMatrixOps, type MatrixOps } from '../../src/ml/matrixOps';
import { fitLogistic } from '../../src/ml/logistic';
import { tfjsMatrixOps } from '../../src/ml/backends/tfjsMatrixOps';
import { activateTfjs } from '../../src/ml/backends/tfjsRuntime';

const rows = Number(process.argv[2] ?? 300_000);
const cols = Number(process.argv[3] ?? 43);
let seed = 7;
const next = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const x = new Float32Array(rows * cols).map(() => (next() + next() + next() - 1.5) * 2);
const y = new Float64Array(rows).map((_, i) => (next() < 1 / (1 + Math.exp(-(x[i * cols] - 0.5 * x[i * cols + 1])) ) ? 1 : 0));

function timed(ops: MatrixOps) {
  let productMs = 0;
  const wrap: MatrixOps = {
    ...ops,
    gemv(w, b, out) {
      const t = performance.now();
      ops.gemv(w, b, out);
      productMs += performance.now() - t;
    },
    gemvT(r, out) {
      const t = performance.now();
      ops.gemvT(r, out);
      productMs += performance.now() - t;
    },
  };
  const t0 = performance.now();
  const fit = fitLogistic(wrap, y);
  const total = performance.now() - t0;
  return { total, productMs, iterations: fit.iterations };
}

const report = (name: string, r: { total: number; productMs: number; iterations: number }) =>
  console.log(`${name.padEnd(14)} ${rows}×${cols}: ${r.total.toFixed(0)} ms, products ${r.productMs.toFixed(0)} ms, ${r.iterations} it`);
report('cpu float64', timed(cpuMatrixOps(x, rows, cols)));
if ((await activateTfjs('wasm')).ok) {
  const ops = tfjsMatrixOps(x, rows, cols, 'wasm');
  report('tfjs wasm', timed(ops));
  ops.dispose();
}
