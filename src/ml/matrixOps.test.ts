import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpuMatrixOps } from './matrixOps.ts';
import { wasmLinearKernels } from './kernels/linearKernels.ts';
import { WASM_BASE64 } from './kernels/linearWasm.ts';
import { KERNELS_DIR, wasmFromWat } from '../../scripts/buildKernels.ts';

/** The plain loops the blocked kernels must reproduce bit for bit. */
function plainGemv(x: ArrayLike<number>, rows: number, cols: number, w: Float64Array, intercept: number): Float64Array {
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = intercept;
    for (let j = 0; j < cols; j++) s += x[i * cols + j] * w[j];
    out[i] = s;
  }
  return out;
}
function plainGemvT(x: ArrayLike<number>, rows: number, cols: number, r: Float64Array): Float64Array {
  const out = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    if (r[i] === 0) continue;
    for (let j = 0; j < cols; j++) out[j] += x[i * cols + j] * r[i];
  }
  return out;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const sameBits = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

describe('cpuMatrixOps', () => {
  // row counts around the block sizes (8 rows for Xᵀr, panels of 16 for X·w), float32 and float64 X, residuals
  // with exact zeros (skipped rows)
  for (const rows of [1, 7, 8, 9, 15, 16, 17, 24, 33, 1003]) {
    for (const cols of [1, 2, 3, 5, 32, 43]) {
      it(`gemv and gemvT equal the plain loops to the last bit (${rows}×${cols})`, () => {
        const rand = lcg(rows * 100 + cols);
        const x32 = Float32Array.from({ length: rows * cols }, () => (rand() - 0.5) * 8);
        const x64 = Float64Array.from({ length: rows * cols }, () => (rand() - 0.5) * 1e3);
        const w = Float64Array.from({ length: cols }, () => rand() - 0.5);
        const r = Float64Array.from({ length: rows }, (_, i) => (i % 5 === 0 ? 0 : i % 7 === 0 ? -0 : rand() - 0.5));
        for (const x of [x32, x64]) {
          const ops = cpuMatrixOps(x, rows, cols);
          const out = new Float64Array(rows);
          ops.gemv(w, 0.25, out);
          expect(sameBits(out, plainGemv(x, rows, cols, w, 0.25))).toBe(true);
          const g = new Float64Array(cols).fill(99);
          ops.gemvT(r, g);
          expect(sameBits(g, plainGemvT(x, rows, cols, r))).toBe(true);
        }
      });
    }
  }

  it('a non-finite X keeps the rows whose residual is 0 out of gemvT (0·∞ would be NaN)', () => {
    const rows = 16;
    const cols = 2;
    const x = new Float64Array(rows * cols).fill(1);
    x[3 * cols] = Infinity;
    const r = new Float64Array(rows).fill(0.5);
    r[3] = 0;
    const g = new Float64Array(cols);
    cpuMatrixOps(x, rows, cols).gemvT(r, g);
    expect(Array.from(g)).toEqual([7.5, 7.5]);
    expect(sameBits(g, plainGemvT(x, rows, cols, r))).toBe(true);
  });

  it('float32 matrices run on the WebAssembly SIMD kernels, whose committed bytes are linear.wat assembled', async () => {
    const x = Float32Array.from({ length: 40 * 3 }, (_, i) => Math.sin(i));
    const kernels = wasmLinearKernels(x, 40, 3);
    expect(kernels).not.toBeNull();
    const w = Float64Array.from([0.5, -2, 3]);
    const out = new Float64Array(40);
    kernels!.gemv(w, 1, out);
    expect(sameBits(out, plainGemv(x, 40, 3, w, 1))).toBe(true);
    const assembled = await wasmFromWat('linear.wat', readFileSync(join(KERNELS_DIR, 'linear.wat'), 'utf8'));
    expect(Buffer.from(assembled).toString('base64'), 'run `npm run kernels` after editing linear.wat').toBe(WASM_BASE64);
  });

  it('disposed ops hand their kernels to the next ones (memory reused, grown when larger); ops in use keep their own', () => {
    const run = (rows: number, cols: number, seed: number) => {
      const rand = lcg(seed);
      const x = Float32Array.from({ length: rows * cols }, () => (rand() - 0.5) * 8);
      const w = Float64Array.from({ length: cols }, () => rand() - 0.5);
      const r = Float64Array.from({ length: rows }, () => rand() - 0.5);
      const ops = cpuMatrixOps(x, rows, cols);
      expect(ops.copiedX).toBe(true);
      const check = () => {
        const out = new Float64Array(rows);
        ops.gemv(w, -1, out);
        expect(sameBits(out, plainGemv(x, rows, cols, w, -1))).toBe(true);
        const g = new Float64Array(cols);
        ops.gemvT(r, g);
        expect(sameBits(g, plainGemvT(x, rows, cols, r))).toBe(true);
      };
      check();
      return { ops, check };
    };
    // large, then smaller with a short last panel (its padding rows hold the large matrix's values), then larger
    run(4099, 43, 1).ops.dispose();
    const small = run(37, 32, 2);
    // a second ops while the first is in use gets an instance of its own: both stay right
    const other = run(301, 5, 3);
    small.check();
    other.check();
    small.ops.dispose();
    small.ops.dispose(); // twice is once
    other.ops.dispose();
    run(9001, 43, 4).ops.dispose();
  });
});
