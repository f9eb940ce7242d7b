/**
 * The backend checks the browser test runs in Chromium (page or dedicated worker): the chosen backend against the
 * exact float64 path on one small, seeded problem. Small on purpose: WebGPU on SwiftShader is ~190× slower than
 * wasm. Everything the test asserts on is returned as plain data.
 */
import * as tf from '@tensorflow/tfjs-core';
import { cpuMatrixOps } from '../../../src/ml/matrixOps';
import { fitLogistic, logisticLossGrad, predictProba } from '../../../src/ml/logistic';
import { fitLogisticAsync } from '../../../src/ml/backends/asyncFit';
import { tfjsTensorCount } from '../../../src/ml/backends/tfjsRuntime';
import { fitStandardScaler, scaleToFloat32 } from '../../../src/ml/scaler';
import { probeWebgpu, selectBackend, type BackendChoice, type WebgpuProbe } from '../../../src/ml/backends/selectBackend';
import { makeRng as rng } from '../../../src/core/rng';

export interface CheckRequest {
  choice: BackendChoice;
  rows: number;
  cols: number;
  /** Also fit a logistic regression through the backend's ops. */
  fit: boolean;
}

export interface CheckResult {
  where: 'page' | 'worker';
  probe: WebgpuProbe;
  backend: string;
  reason: string;
  tfjsBackend: string | null;
  /** max_i |device − exact| / Σ_j |x_ij w_j| (+|b|): float32 rounding relative to the terms summed. */
  gemvRelative: number;
  gemvTRelative: number;
  /** Some value differs from the float64 path: the products really ran in float32 on the backend. */
  gemvDiffers: boolean;
  /** The ops read back asynchronously only (webgpu); then the error a synchronous gemv gives. */
  asyncProducts: boolean;
  syncGemvError: string | null;
  fit: null | {
    deviceIterations: number;
    exactIterations: number;
    converged: boolean;
    maxProbabilityDiff: number;
    /** objective(device solution) / objective(float64 solution) − 1, both scored exactly. */
    objectiveExcess: number;
  };
  tensorsBefore: number;
  /** With the ops open (X on the device), after the products and the fit. */
  tensorsWhileOpen: number;
  tensorsAfterDispose: number;
  ms: number;
}

function problem(rows: number, cols: number) {
  const next = rng(rows * 31 + cols);
  const raw = new Float32Array(rows * cols);
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let z = -0.2;
    for (let j = 0; j < cols; j++) {
      const v = (next() + next() + next() - 1.5) * (j + 1) * 3;
      raw[i * cols + j] = v;
      z += ((j % 2 === 0 ? 0.8 : -0.4) * v) / ((j + 1) * 3);
    }
    y[i] = next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  const scaler = fitStandardScaler(raw, rows, cols);
  return { x: scaleToFloat32(raw, rows, cols, scaler), y };
}

export async function runCheck(request: CheckRequest, where: 'page' | 'worker'): Promise<CheckResult> {
  const started = performance.now();
  const { rows, cols } = request;
  const { x, y } = problem(rows, cols);
  const probe = await probeWebgpu();
  const selection = await selectBackend(request.choice, { rows, cols });
  const tfjsBackend = selection.backend === 'cpu' ? null : tf.getBackend();
  const exact = cpuMatrixOps(x, rows, cols);
  const absX = cpuMatrixOps(Float32Array.from(x, Math.abs), rows, cols);

  const tensorsBefore = tfjsTensorCount();
  const ops = selection.makeOps(x, rows, cols);
  let gemvRelative = 0;
  let gemvTRelative = 0;
  let gemvDiffers = false;
  let fit: CheckResult['fit'] = null;
  let syncGemvError: string | null = null;
  let tensorsWhileOpen = 0;
  try {
    const next = rng(7);
    const w = Float64Array.from({ length: cols }, () => next() * 4 - 2);
    const intercept = 0.75;
    const got = new Float64Array(rows);
    const want = new Float64Array(rows);
    const scale = new Float64Array(rows);
    if (ops.gemvAsync) await ops.gemvAsync(w, intercept, got);
    else ops.gemv(w, intercept, got);
    exact.gemv(w, intercept, want);
    absX.gemv(w.map(Math.abs), intercept, scale);
    for (let i = 0; i < rows; i++) {
      gemvRelative = Math.max(gemvRelative, Math.abs(got[i] - want[i]) / scale[i]);
      if (got[i] !== want[i]) gemvDiffers = true;
    }
    const r = Float64Array.from({ length: rows }, () => next() - 0.5);
    const gotT = new Float64Array(cols);
    const wantT = new Float64Array(cols);
    const scaleT = new Float64Array(cols);
    if (ops.gemvTAsync) await ops.gemvTAsync(r, gotT);
    else ops.gemvT(r, gotT);
    exact.gemvT(r, wantT);
    absX.gemvT(r.map(Math.abs), scaleT);
    for (let j = 0; j < cols; j++) gemvTRelative = Math.max(gemvTRelative, Math.abs(gotT[j] - wantT[j]) / scaleT[j]);

    if (ops.gemvAsync) {
      try {
        ops.gemv(w, intercept, new Float64Array(rows));
      } catch (error) {
        syncGemvError = error instanceof Error ? error.message : String(error);
      }
    }

    if (request.fit) {
      const device = await fitLogisticAsync(ops, y);
      const reference = fitLogistic(exact, y);
      const pDevice = predictProba(x, rows, cols, device.coef, device.intercept);
      const pExact = predictProba(x, rows, cols, reference.coef, reference.intercept);
      let maxProbabilityDiff = 0;
      for (let i = 0; i < rows; i++) maxProbabilityDiff = Math.max(maxProbabilityDiff, Math.abs(pDevice[i] - pExact[i]));
      const objectiveAtDevice = logisticLossGrad(
        Float64Array.from([...device.coef, device.intercept]),
        new Float64Array(cols + 1),
        exact,
        y,
        1,
      );
      fit = {
        deviceIterations: device.iterations,
        exactIterations: reference.iterations,
        converged: device.converged,
        maxProbabilityDiff,
        objectiveExcess: objectiveAtDevice / reference.objective - 1,
      };
    }
    tensorsWhileOpen = tfjsTensorCount();
  } finally {
    ops.dispose();
  }
  return {
    where,
    probe,
    backend: selection.backend,
    reason: selection.reason,
    tfjsBackend,
    gemvRelative,
    gemvTRelative,
    gemvDiffers,
    asyncProducts: typeof ops.gemvAsync === 'function',
    syncGemvError,
    fit,
    tensorsBefore,
    tensorsWhileOpen,
    tensorsAfterDispose: tfjsTensorCount(),
    ms: performance.now() - started,
  };
}
