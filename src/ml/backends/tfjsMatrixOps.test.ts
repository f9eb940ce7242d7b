import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { cpuMatrixOps } from '../matrixOps';
import { GEMVT_BLOCK_ROWS, tfjsMatrixOps, type TfjsBackendName } from './tfjsMatrixOps';
import { activateTfjs } from './tfjsRuntime';
import { makeRng as rng } from '../../core/rng.ts';

/** Standardised-looking features: mostly N(0,1)-ish, a few large values, a constant column. */
function randomX(rows: number, cols: number, seed: number): Float32Array {
  const next = rng(seed);
  const x = new Float32Array(rows * cols);
  for (let i = 0; i < rows * cols; i++) {
    const u = next() + next() + next() - 1.5; // roughly normal, sd 0.5
    x[i] = (i % cols === cols - 1 ? 1 : u * 2) * (next() < 0.01 ? 40 : 1);
  }
  return x;
}

function randomVector(n: number, seed: number, scale = 1): Float64Array {
  const next = rng(seed);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = (next() * 2 - 1) * scale;
  return v;
}

/** Σ|terms|: the scale a float32 accumulation's error is proportional to. */
function absScaleGemv(x: Float32Array, rows: number, cols: number, w: Float64Array, intercept: number): Float64Array {
  const out = new Float64Array(rows);
  cpuMatrixOps(Float32Array.from(x, Math.abs), rows, cols).gemv(w.map(Math.abs), Math.abs(intercept), out);
  return out;
}

function absScaleGemvT(x: Float32Array, rows: number, cols: number, r: Float64Array): Float64Array {
  const out = new Float64Array(cols);
  cpuMatrixOps(Float32Array.from(x, Math.abs), rows, cols).gemvT(r.map(Math.abs), out);
  return out;
}

/** float32 inputs (w, r rounded: 2^-24 relative) and float32 sums of ≤ GEMVT_BLOCK_ROWS terms. */
const FLOAT32_RELATIVE = 2e-5;

const BACKENDS: TfjsBackendName[] = ['cpu', 'wasm'];

describe.each(BACKENDS)('tfjsMatrixOps on the tfjs %s backend (Node)', (backend) => {
  let startTensors = 0;
  beforeAll(async () => {
    const activation = await activateTfjs(backend);
    expect(activation).toEqual({ ok: true });
    startTensors = tf.memory().numTensors;
  });
  afterAll(() => {
    expect(tf.memory().numTensors).toBe(startTensors);
  });

  // One problem smaller than a block, one spanning several blocks with a ragged last one.
  it.each([
    [300, 7],
    [2 * GEMVT_BLOCK_ROWS + 123, 43],
  ])('gemv and gemvT agree with the float64 path within float32 rounding (%i × %i)', async (rows, cols) => {
    await activateTfjs(backend);
    const x = randomX(rows, cols, rows + cols);
    const exact = cpuMatrixOps(x, rows, cols);
    const before = tf.memory().numTensors;
    const ops = tfjsMatrixOps(x, rows, cols, backend);
    expect(ops.backend).toBe(backend);
    expect([ops.rows, ops.cols]).toEqual([rows, cols]);

    for (let trial = 0; trial < 3; trial++) {
      const w = randomVector(cols, 100 + trial, 3);
      const intercept = trial === 0 ? 0 : -1.25 * trial;
      const got = new Float64Array(rows);
      const want = new Float64Array(rows);
      ops.gemv(w, intercept, got);
      exact.gemv(w, intercept, want);
      const scale = absScaleGemv(x, rows, cols, w, intercept);
      let worst = 0;
      for (let i = 0; i < rows; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (scale[i] + 1e-30));
      expect(worst).toBeLessThan(FLOAT32_RELATIVE);
      // It is float32 arithmetic, not the float64 path by accident: some row differs.
      expect(got.some((v, i) => v !== want[i])).toBe(true);

      // Residual-like r: mean zero, so Xᵀr is a small difference of large sums (the gradient near an optimum).
      const r = randomVector(rows, 200 + trial, 0.5);
      const gotT = new Float64Array(cols);
      const wantT = new Float64Array(cols);
      ops.gemvT(r, gotT);
      exact.gemvT(r, wantT);
      const scaleT = absScaleGemvT(x, rows, cols, r);
      for (let j = 0; j < cols; j++) {
        expect(Math.abs(gotT[j] - wantT[j])).toBeLessThan(FLOAT32_RELATIVE * scaleT[j]);
      }
    }
    // Every call releases its temporaries; dispose releases X.
    expect(tf.memory().numTensors).toBe(before + 2); // X and its block view
    ops.dispose();
    expect(tf.memory().numTensors).toBe(before);
    ops.dispose(); // idempotent
    expect(tf.memory().numTensors).toBe(before);
    expect(() => ops.gemv(new Float64Array(cols), 0, new Float64Array(rows))).toThrow(/after dispose/);
  });

  it('rounds a float64 X to float32, as the device holds it', async () => {
    await activateTfjs(backend);
    const rows = 50;
    const cols = 5;
    const x64 = randomVector(rows * cols, 7, 10);
    const ops = tfjsMatrixOps(x64, rows, cols, backend);
    try {
      const w = new Float64Array(cols);
      w[2] = 1; // picks column 2 exactly: out = fround(x[:, 2])
      const got = new Float64Array(rows);
      ops.gemv(w, 0, got);
      for (let i = 0; i < rows; i++) expect(got[i]).toBe(Math.fround(x64[i * cols + 2]));
    } finally {
      ops.dispose();
    }
  });
});

describe('tfjsMatrixOps guards', () => {
  it('refuses a shape that does not match X, and a backend that is not the active one', async () => {
    await activateTfjs('cpu');
    expect(() => tfjsMatrixOps(new Float32Array(6), 4, 2, 'cpu')).toThrow(/expected 4×2/);
    expect(() => tfjsMatrixOps(new Float32Array(6), 3, 2, 'wasm')).toThrow(/active tfjs backend is 'cpu'/);
  });

  it('refuses to run after another tfjs backend became active (X would be copied on every call)', async () => {
    await activateTfjs('cpu');
    const before = tf.memory().numTensors;
    const ops = tfjsMatrixOps(new Float32Array([1, 2, 3, 4]), 2, 2, 'cpu');
    await activateTfjs('wasm');
    expect(() => ops.gemvT(new Float64Array(2), new Float64Array(2))).toThrow(/changed from 'cpu' to 'wasm'/);
    ops.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
