/**
 * The risk filter's logistic fit on the page's fit worker pool (src/workers/fitPool.ts, the same fit workers and
 * FitTask as the state-continue fits), so a large dataset never blocks the page. The scaler is fitted here (one
 * pass over the rows); the matrix goes to the worker as float64 on the exact CPU backend, because the reference
 * fits float64 data (a float32 device backend would change the coefficients).
 */
import { LOGISTIC_C, LOGISTIC_MAX_ITER } from '../../core/constants.ts';
import { fitRiskModel, type RiskFitter } from '../../experiments/riskFilter/riskFit.ts';
import type { FitResult, FitTask } from '../../experiments/stateContinue/training.ts';
import { fitStandardScaler, scaleToFloat64 } from '../../ml/scaler.ts';
import type { WorkerLike } from '../../workers/client.ts';
import { runFitJobs } from '../../workers/fitPool.ts';

function spawnFit(): WorkerLike {
  return new Worker(new URL('../../workers/fit.worker.ts', import.meta.url), { type: 'module', name: 'fit' }) as unknown as WorkerLike;
}

export const workerRiskFitter: RiskFitter = async (input) => {
  if (typeof Worker === 'undefined') return fitRiskModel(input);
  const { x, rows, cols, y } = input;
  const scaler = fitStandardScaler(x, rows, cols);
  const scaled = scaleToFloat64(x, rows, cols, scaler);
  const task: FitTask = {
    key: 'risk_filter:classifier',
    resultKey: 'risk_filter',
    model: 'logistic',
    // FitTask declares float32 (the state-continue matrices); the fit worker's CPU path takes float64 as is.
    x: scaled as unknown as Float32Array,
    rows,
    cols,
    y: Float64Array.from(y),
    options: { C: LOGISTIC_C, maxIter: LOGISTIC_MAX_ITER },
  };
  const controller = new AbortController();
  const [answer] = await runFitJobs(spawnFit, [{ task, backend: 'cpu' }], { signal: controller.signal, progress: () => {} }, { size: 1 });
  const result = answer.result as FitResult;
  return { mean: scaler.mean, scale: scaler.scale, coef: result.coef, intercept: result.intercept, iterations: result.iterations, converged: result.converged, backend: answer.record.backend, ms: answer.record.ms };
};
