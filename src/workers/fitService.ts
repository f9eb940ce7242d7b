/** What a fit worker does, independent of its transport: one fit, on the backend chosen for it, timed. */
import type { Handlers } from './dispatcher.ts';
import type { FitApi, FitJobResult } from './protocol.ts';
import { withTransfer } from './protocol.ts';
import { executeFit, type FitResult, type MakeOps } from '../experiments/stateContinue/training.ts';
import { cpuMatrixOps } from '../ml/matrixOps.ts';
import type { BackendChoice } from '../experiments/stateContinue/inputs.ts';

/** How a fit gets its MatrixOps: `selectBackend` in the browser; tests may pin cpu. */
export type ChooseBackend = (choice: BackendChoice, problem: { rows: number; cols: number }) => Promise<{ makeOps: MakeOps; backend: string; reason: string }>;

export const cpuOnly: ChooseBackend = async () => ({ makeOps: cpuMatrixOps, backend: 'cpu', reason: 'cpu' });

export function fitHandlers(choose: ChooseBackend, now: () => number = () => performance.now()): Handlers<FitApi> {
  return {
    async fit({ task, backend }, context) {
      const t0 = now();
      context.progress({ kind: 'fit', key: task.key, model: task.model, state: 'start' });
      // Ridge is a closed-form solve on the CPU whatever the choice; the others get the chosen MatrixOps.
      const selection = task.model === 'ridge' ? { makeOps: cpuMatrixOps as MakeOps, backend: 'cpu', reason: 'ridge: closed form on cpu' } : await choose(backend, { rows: task.rows, cols: task.cols });
      context.progress({ kind: 'fit', key: task.key, model: task.model, state: 'progress', backend: selection.backend, message: selection.reason });
      const result: FitResult = executeFit(task, selection.makeOps, context.signal);
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
