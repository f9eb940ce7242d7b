/**
 * Whole fits driven through the tfjs ops (Node: tfjs cpu and wasm backends) against the exact float64 path on the
 * same scaled float32 matrix: same predictions within float32 noise, an objective no worse than 1e-6 relative
 * (SPEC §6), and no tensor left behind.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { cpuMatrixOps, type MatrixOps } from '../matrixOps';
import { fitLogistic, logisticLossGrad, predictProba } from '../logistic';
import { fitHuber, huberLossGrad } from '../huber';
import { fitStandardScaler, scaleToFloat32 } from '../scaler';
import { tfjsMatrixOps, type TfjsBackendName } from './tfjsMatrixOps';
import { activateTfjs } from './tfjsRuntime';
import { makeRng as rng } from '../../core/rng.ts';

function gauss(next: () => number): number {
  return Math.sqrt(-2 * Math.log(next() + 1e-300)) * Math.cos(2 * Math.PI * next());
}

/**
 * A problem shaped like the state-continue fits: market features with weak signal, and three nearly collinear
 * "state" columns (unrealized P&L, distance to stop = stop + pnl, distance to target = target − pnl) in bps.
 */
function problem(rows: number, seed: number) {
  const next = rng(seed);
  const market = 8;
  const cols = market + 3;
  const raw = new Float32Array(rows * cols);
  const y = new Float64Array(rows);
  const edge = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let z = -0.3;
    for (let j = 0; j < market; j++) {
      const v = gauss(next) * (1 + j);
      raw[i * cols + j] = v;
      z += (j % 3 === 0 ? 0.15 : -0.05) * (v / (1 + j));
    }
    const pnl = gauss(next) * 25;
    raw[i * cols + market] = pnl;
    raw[i * cols + market + 1] = 40 + pnl + gauss(next) * 0.01;
    raw[i * cols + market + 2] = 60 - pnl + gauss(next) * 0.01;
    z += pnl / 30;
    y[i] = next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    edge[i] = pnl * 0.4 + gauss(next) * 10 + (next() < 0.05 ? 200 * gauss(next) : 0);
  }
  const scaler = fitStandardScaler(raw, rows, cols);
  return { x: scaleToFloat32(raw, rows, cols, scaler), rows, cols, y, edge };
}

const BACKENDS: TfjsBackendName[] = ['cpu', 'wasm'];

describe.each(BACKENDS)('fits through tfjs %s ops', (backend) => {
  const data = problem(9000, 42);
  let exactOps: MatrixOps;
  beforeAll(async () => {
    expect(await activateTfjs(backend)).toEqual({ ok: true });
    exactOps = cpuMatrixOps(data.x, data.rows, data.cols);
  });

  it('LogisticRegression: same predictions, objective no worse than float64, tensors released', async () => {
    await activateTfjs(backend);
    const { x, rows, cols, y } = data;
    const exact = fitLogistic(exactOps, y);
    const start = tf.memory().numTensors;
    const ops = tfjsMatrixOps(x, rows, cols, backend);
    let device;
    try {
      device = fitLogistic(ops, y);
    } finally {
      ops.dispose();
    }
    expect(tf.memory().numTensors).toBe(start);
    expect(device.converged).toBe(true);

    const pExact = predictProba(x, rows, cols, exact.coef, exact.intercept);
    const pDevice = predictProba(x, rows, cols, device.coef, device.intercept);
    let worst = 0;
    for (let i = 0; i < rows; i++) worst = Math.max(worst, Math.abs(pExact[i] - pDevice[i]));
    expect(worst).toBeLessThan(5e-3); // SPEC §6 per-row probability tolerance

    // The float32 solution, scored by the exact objective, is as good as the float64 one.
    const w = Float64Array.from([...device.coef, device.intercept]);
    const objectiveAtDevice = logisticLossGrad(w, new Float64Array(cols + 1), exactOps, y, 1);
    expect(objectiveAtDevice).toBeLessThanOrEqual(exact.objective * (1 + 1e-6));
  });

  it('HuberRegressor: same predictions, objective no worse than float64, tensors released', async () => {
    await activateTfjs(backend);
    const { x, rows, cols, edge } = data;
    const exact = fitHuber(exactOps, edge, { maxIter: 1000 });
    const start = tf.memory().numTensors;
    const ops = tfjsMatrixOps(x, rows, cols, backend);
    let device;
    try {
      device = fitHuber(ops, edge, { maxIter: 1000 });
    } finally {
      ops.dispose();
    }
    expect(tf.memory().numTensors).toBe(start);
    expect(device.converged).toBe(exact.converged);
    const zExact = new Float64Array(rows);
    const zDevice = new Float64Array(rows);
    exactOps.gemv(exact.coef, exact.intercept, zExact);
    exactOps.gemv(device.coef, device.intercept, zDevice);
    let worst = 0;
    for (let i = 0; i < rows; i++) worst = Math.max(worst, Math.abs(zExact[i] - zDevice[i]) - 0.01 * Math.abs(zExact[i]));
    expect(worst).toBeLessThan(1); // SPEC §6: edge within 1 bps + 1 %
    const w = Float64Array.from([...device.coef, device.intercept, device.scale]);
    const objectiveAtDevice = huberLossGrad(w, new Float64Array(cols + 2), exactOps, edge, 1.35, 0.001);
    expect(objectiveAtDevice).toBeLessThanOrEqual(exact.objective * (1 + 1e-6));
  });
});
