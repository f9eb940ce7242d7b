import { describe, expect, it } from 'vitest';
import { CancelledError, InputError } from '../../core/errors';
import { cpuMatrixOps, type MatrixOps } from '../matrixOps';
import { fitLogistic } from '../logistic';
import { fitHuber } from '../huber';
import { fitHuberAsync, fitLogisticAsync, hasAsyncProducts } from './asyncFit';
import { makeRng as rng } from '../../core/rng.ts';

/** The float64 ops behind an async-only face, as the WebGPU ops are: sync products throw. */
function asyncOnly(ops: MatrixOps, counter: { products: number }): MatrixOps {
  return {
    rows: ops.rows,
    cols: ops.cols,
    backend: 'webgpu',
    gemv: () => {
      throw new Error('sync gemv called');
    },
    gemvT: () => {
      throw new Error('sync gemvT called');
    },
    async gemvAsync(w, intercept, out) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      counter.products++;
      ops.gemv(w, intercept, out);
    },
    async gemvTAsync(r, out) {
      await Promise.resolve();
      counter.products++;
      ops.gemvT(r, out);
    },
    dispose: () => {},
  };
}

function data(rows: number, cols: number, seed: number) {
  const next = rng(seed);
  const x = new Float32Array(rows * cols);
  const y = new Float64Array(rows);
  const edge = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let z = 0.1;
    for (let j = 0; j < cols; j++) {
      const v = next() * 4 - 2;
      x[i * cols + j] = v;
      z += (j % 2 ? 0.7 : -0.4) * v;
    }
    y[i] = next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    edge[i] = 5 * z + (next() - 0.5) * 8 + (next() < 0.05 ? 150 : 0);
  }
  return { x, y, edge, rows, cols };
}

describe('fits on async-only ops', () => {
  const d = data(1500, 6, 3);
  const exact = cpuMatrixOps(d.x, d.rows, d.cols);

  it('fitLogisticAsync lands on exactly what fitLogistic finds, each product computed once', async () => {
    const seenSync: number[] = [];
    const seenAsync: number[] = [];
    const counter = { products: 0 };
    const ops = asyncOnly(exact, counter);
    expect(hasAsyncProducts(ops)).toBe(true);
    const sync = fitLogistic(exact, d.y, { onIteration: (k) => seenSync.push(k) });
    const viaAsync = await fitLogisticAsync(ops, d.y, { onIteration: (k) => seenAsync.push(k) });
    expect(Array.from(viaAsync.coef)).toEqual(Array.from(sync.coef));
    expect(viaAsync.intercept).toBe(sync.intercept);
    expect(viaAsync.iterations).toBe(sync.iterations);
    expect(viaAsync.objective).toBe(sync.objective);
    expect(viaAsync.message).toBe(sync.message);
    expect(viaAsync.converged).toBe(sync.converged);
    expect(seenAsync).toEqual(seenSync); // each iteration reported once, in order, despite the replays
    expect(sync.iterations).toBeGreaterThan(3);
    // Two products (X·w, Xᵀr) per objective evaluation, never recomputed by the replays.
    expect(counter.products % 2).toBe(0);
    expect(counter.products / 2).toBeLessThanOrEqual(sync.iterations + 25);
  });

  it('fitHuberAsync lands on exactly what fitHuber finds', async () => {
    const sync = fitHuber(exact, d.edge, { maxIter: 1000 });
    const viaAsync = await fitHuberAsync(asyncOnly(exact, { products: 0 }), d.edge, { maxIter: 1000 });
    expect(Array.from(viaAsync.coef)).toEqual(Array.from(sync.coef));
    expect([viaAsync.intercept, viaAsync.scale, viaAsync.iterations, viaAsync.objective, viaAsync.converged]).toEqual([
      sync.intercept,
      sync.scale,
      sync.iterations,
      sync.objective,
      sync.converged,
    ]);
  });

  it('keeps the synchronous fit on ops without async products', async () => {
    const fit = await fitLogisticAsync(exact, d.y);
    expect(fit.objective).toBe(fitLogistic(exact, d.y).objective);
    expect(hasAsyncProducts(exact)).toBe(false);
  });

  it('refuses one-class targets as fitLogistic does, and stops when cancelled', async () => {
    const ops = asyncOnly(exact, { products: 0 });
    await expect(fitLogisticAsync(ops, new Float64Array(d.rows))).rejects.toBeInstanceOf(InputError);
    const signal = { aborted: false };
    const fit = fitLogisticAsync(ops, d.y, {
      signal,
      onIteration: (k) => {
        if (k === 2) signal.aborted = true;
      },
    });
    await expect(fit).rejects.toBeInstanceOf(CancelledError);
  });
});
