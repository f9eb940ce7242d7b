/** What a fit worker does, independent of its transport: one fit, on the backend chosen for it, timed. */
import type { CallContext, Handlers } from './dispatcher.ts';
import { fitHuberAsync, fitLogisticAsync } from '../ml/backends/asyncFit.ts';
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
 * One fit. Ridge is training.ts's `executeFit` as it is. Logistic and Huber run the same fits as `executeFit`
 * (same options, same optimiser) through the drivers that also take products read back asynchronously (WebGPU),
 * with the optimiser's iterations reported as progress; fitService.test.ts checks they equal executeFit's fits.
 */
async function runFit(task: FitTask, makeOps: MakeOps, context: CallContext): Promise<FitResult> {
  if (task.model === 'ridge') return executeFit(task, makeOps, context.signal);
  const started = performance.now();
  const { y, options } = task;
  const maxIter = task.model === 'logistic' ? (options.maxIter ?? LOGISTIC_MAX_ITER) : options.maxIter;
  // At most ten progress messages a second, and always the first iteration.
  let lastReport = -Infinity;
  const onIteration = (iteration: number) => {
    const now = performance.now();
    if (iteration > 1 && now - lastReport < 100) return;
    lastReport = now;
    context.progress({ kind: 'fit', key: task.key, model: task.model, state: 'progress', iteration, maxIter });
  };
  const ops = makeOps(task.x, task.rows, task.cols);
  try {
    const fit =
      task.model === 'logistic'
        ? await fitLogisticAsync(ops, y, { C: options.C ?? LOGISTIC_C, maxIter: options.maxIter ?? LOGISTIC_MAX_ITER, signal: context.signal, onIteration })
        : await fitHuberAsync(ops, y, { alpha: options.alpha ?? HUBER_ALPHA, epsilon: options.epsilon ?? HUBER_EPSILON, maxIter: options.maxIter, signal: context.signal, onIteration });
    return {
      key: task.key,
      model: task.model,
      coef: fit.coef,
      intercept: fit.intercept,
      iterations: fit.iterations,
      converged: fit.converged,
      objective: fit.objective,
      backend: ops.backend,
      ms: performance.now() - started,
    };
  } finally {
    ops.dispose();
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
