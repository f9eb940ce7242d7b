/** What a fit worker does, independent of its transport: one fit, on the backend chosen for it, timed. */
import type { CallContext, Handlers } from './dispatcher.ts';
import { fitHuberAsync, fitLogisticAsync, hasAsyncProducts } from '../ml/backends/asyncFit.ts';
import { HUBER_ALPHA, HUBER_EPSILON, LOGISTIC_C, LOGISTIC_MAX_ITER } from '../core/constants.ts';
import type { FitApi, FitJobResult } from './protocol.ts';
import { withTransfer } from './protocol.ts';
import { executeFit, type FitResult, type FitTask, type MakeOps } from '../experiments/stateContinue/training.ts';
import { cpuMatrixOps } from '../ml/matrixOps.ts';
import type { BackendChoice } from '../experiments/stateContinue/inputs.ts';

/** How a fit gets its MatrixOps: `selectBackend` in the browser; tests may pin cpu. */
export type ChooseBackend = (choice: BackendChoice, problem: { rows: number; cols: number }) => Promise<{ makeOps: MakeOps; backend: string; reason: string }>;

export const cpuOnly: ChooseBackend = async () => ({ makeOps: cpuMatrixOps, backend: 'cpu', reason: 'cpu' });

/**
 * One fit. Products that are read back asynchronously (WebGPU) need the async drivers of the same optimiser
 * (`fitLogisticAsync` / `fitHuberAsync`, bit-identical stopping points); every other backend runs training.ts's
 * `executeFit` as it is.
 */
async function runFit(task: FitTask, makeOps: MakeOps, context: CallContext): Promise<FitResult> {
  if (task.model === 'ridge') return executeFit(task, makeOps, context.signal);
  const probe = makeOps(task.x, task.rows, task.cols);
  // executeFit makes its ops once and disposes them: hand it the ones already uploaded.
  if (!hasAsyncProducts(probe)) return executeFit(task, () => probe, context.signal);
  const started = performance.now();
  const { y, options } = task;
  const maxIter = task.model === 'logistic' ? (options.maxIter ?? LOGISTIC_MAX_ITER) : options.maxIter;
  const onIteration = (iteration: number) => context.progress({ kind: 'fit', key: task.key, model: task.model, state: 'progress', iteration, maxIter });
  try {
    const fit =
      task.model === 'logistic'
        ? await fitLogisticAsync(probe, y, { C: options.C ?? LOGISTIC_C, maxIter: options.maxIter ?? LOGISTIC_MAX_ITER, signal: context.signal, onIteration })
        : await fitHuberAsync(probe, y, { alpha: options.alpha ?? HUBER_ALPHA, epsilon: options.epsilon ?? HUBER_EPSILON, maxIter: options.maxIter, signal: context.signal, onIteration });
    return {
      key: task.key,
      model: task.model,
      coef: fit.coef,
      intercept: fit.intercept,
      iterations: fit.iterations,
      converged: fit.converged,
      objective: fit.objective,
      backend: probe.backend,
      ms: performance.now() - started,
    };
  } finally {
    probe.dispose();
  }
}

export function fitHandlers(choose: ChooseBackend, now: () => number = () => performance.now()): Handlers<FitApi> {
  return {
    async fit({ task, backend }, context) {
      const t0 = now();
      context.progress({ kind: 'fit', key: task.key, model: task.model, state: 'start' });
      // Ridge is a closed-form solve on the CPU whatever the choice; the others get the chosen MatrixOps.
      const selection = task.model === 'ridge' ? { makeOps: cpuMatrixOps as MakeOps, backend: 'cpu', reason: 'ridge: closed form on cpu' } : await choose(backend, { rows: task.rows, cols: task.cols });
      context.progress({ kind: 'fit', key: task.key, model: task.model, state: 'progress', backend: selection.backend, message: selection.reason });
      const result: FitResult = await runFit(task, selection.makeOps, context);
      const ms = Math.round((now() - t0) * 1000) / 1000;
      context.progress({ kind: 'fit', key: task.key, model: task.model, state: 'done', backend: result.backend, ms, iteration: result.iterations });
      const answer: FitJobResult = {
        result,
        record: { key: task.key, model: task.model, backend: result.backend, ms, iterations: result.iterations, converged: result.converged },
      };
      // The coefficients are not needed here any more: move them to the page.
      return withTransfer(answer, result.coef.buffer instanceof ArrayBuffer ? [result.coef.buffer] : []);
    },
  };
}
