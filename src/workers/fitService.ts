/** What a fit worker does, independent of its transport: one fit, on the backend chosen for it, timed. */
import type { CallContext, Handlers } from './dispatcher.ts';
import { LOGISTIC_MAX_ITER } from '../core/constants.ts';
import type { FitApi, FitJob, FitJobResult } from './protocol.ts';
import { withTransfer } from './protocol.ts';
import { release } from '../core/release.ts';
import { executeFitAsync, type FitResult, type FitTask, type MakeOps } from '../experiments/stateContinue/training.ts';
import { cpuMatrixOps, type MatrixOps } from '../ml/matrixOps.ts';
import { makeRng } from '../core/rng.ts';
import type { BackendChoice } from '../experiments/stateContinue/inputs.ts';

/** How a fit gets its MatrixOps: `selectBackend` in the browser; tests may pin cpu. */
export type ChooseBackend = (choice: BackendChoice, problem: { rows: number; cols: number }) => Promise<{ makeOps: MakeOps; backend: string; reason: string }>;

export const cpuOnly: ChooseBackend = async () => ({ makeOps: cpuMatrixOps, backend: 'cpu', reason: 'cpu' });

/**
 * One fit: training.ts's `executeFitAsync` (the same fits as `executeFit`, also on products read back
 * asynchronously, as WebGPU's are), with the optimiser's iterations reported as progress.
 */
async function runFit(task: FitTask, makeOps: MakeOps, context: CallContext): Promise<FitResult> {
  const maxIter = task.model === 'logistic' ? (task.options.maxIter ?? LOGISTIC_MAX_ITER) : task.options.maxIter;
  // At most ten progress messages a second, and always the first iteration.
  let lastReport = -Infinity;
  const onIteration = (iteration: number) => {
    const now = performance.now();
    if (iteration > 1 && now - lastReport < 100) return;
    lastReport = now;
    context.progress({ kind: 'fit', key: task.key, model: task.model, state: 'progress', iteration, maxIter });
  };
  return executeFitAsync(task, makeOps, { signal: context.signal, onIteration });
}

/**
 * A fit worker's warm-up, run as it starts (the page starts its fit workers while idle: with the page and after
 * each run): one small logistic and one small Huber fit (2,048 × 43, ≤ 15 iterations, made-up data) on the
 * float64 CPU path, so that the loss loops and the wasm kernels are compiled before the run's first fit arrives
 * instead of during it, when both cores are busy fitting. The run's results do not depend on it (nothing is kept);
 * on M it took the fits' wall time from 1.24 to 1.11 s and the run from 3.16 to 2.85 s (mean of six A/B pairs).
 */
export async function warmUpFits(): Promise<void> {
  const rows = 2048;
  const cols = 43;
  const rng = makeRng(20261122);
  const x = new Float32Array(rows * cols);
  for (let i = 0; i < x.length; i++) x[i] = rng() * 2 - 1;
  const label = new Float64Array(rows);
  const target = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    target[i] = 10 * (x[i * cols] - x[i * cols + 1]) + rng();
    label[i] = target[i] > 0 ? 1 : 0;
  }
  const task = (model: 'logistic' | 'huber', y: Float64Array): FitTask => ({ key: `warm-up:${model}`, resultKey: 'warm-up', model, x, rows, cols, y, options: { maxIter: 15, C: 1, alpha: 1e-4, epsilon: 1.35 } });
  await executeFitAsync(task('logistic', label), cpuMatrixOps);
  await executeFitAsync(task('huber', target), cpuMatrixOps);
}

/** The MatrixOps of a group's shared matrix: made by the first fit that asks, lent to the next, disposed by the group. */
class SharedOps {
  private ops: MatrixOps | null = null;
  private backend = '';
  private x: Float32Array | null = null;

  constructor(private readonly tasks: FitTask[]) {}

  /** `make` for a fit of the group: the group's ops (a disposal by the fit is a no-op), or ops of the fit's own
   * when its matrix or backend is not the one the group's ops were made for. */
  make(selection: { makeOps: MakeOps; backend: string }, x: Float32Array, rows: number, cols: number): MatrixOps {
    if (this.ops && (this.backend !== selection.backend || this.x !== x)) return selection.makeOps(x, rows, cols);
    if (!this.ops) {
      this.x = x;
      this.ops = selection.makeOps(x, rows, cols);
      this.backend = selection.backend;
      // The group's ridge fits (which read X themselves, never through ops) ran first: once the ops hold their
      // copy, X is freed in place (the tasks keep the same, now empty, array, by which the next fit finds these ops).
      if (this.ops.copiedX && this.tasks.every((task) => task.x === x)) release(x);
    }
    return { ...this.ops, dispose() {} };
  }

  dispose(): void {
    this.ops?.dispose();
    this.ops = null;
    this.x = null;
  }
}

export function fitHandlers(choose: ChooseBackend, now: () => number = () => performance.now(), ready: Promise<unknown> = Promise.resolve()): Handlers<FitApi> {
  /** One fit on the backend chosen for it, timed; in a group, on the group's ops. */
  const fitOne = async ({ task, backend }: FitJob, context: CallContext, group?: SharedOps): Promise<FitJobResult> => {
    const t0 = now();
    await ready;
    context.progress({ kind: 'fit', key: task.key, model: task.model, state: 'start' });
    // Ridge is a closed-form solve on the CPU whatever the choice; the others get the chosen MatrixOps.
    const selection = task.model === 'ridge' ? { makeOps: cpuMatrixOps as MakeOps, backend: 'cpu', reason: 'ridge: closed form on cpu' } : await choose(backend, { rows: task.rows, cols: task.cols });
    context.progress({ kind: 'fit', key: task.key, model: task.model, state: 'progress', backend: selection.backend, message: selection.reason });
    // The task is this worker's own (a transferred or cloned message): once the ops hold their copy of X, the
    // task's is freed, so the fit does not keep X twice (on L's largest fit, 56 MB), nor leave it to a collector
    // that, in a worker doing nothing but arithmetic, came by seconds later.
    const makeOps: MakeOps = group
      ? (x, rows, cols) => group.make(selection, x, rows, cols)
      : (x, rows, cols) => {
          const ops = selection.makeOps(x, rows, cols);
          if (ops.copiedX) {
            release(task.x);
            task.x = new Float32Array(0);
          }
          return ops;
        };
    const result: FitResult = await runFit(task, makeOps, context);
    const ms = Math.round((now() - t0) * 1000) / 1000;
    context.progress({ kind: 'fit', key: task.key, model: task.model, state: 'done', backend: result.backend, ms, iteration: result.iterations });
    return {
      result,
      record: { key: task.key, model: task.model, backend: result.backend, ms, iterations: result.iterations, converged: result.converged },
    };
  };
  // The coefficients are not needed in the worker any more: moved to the page.
  const coefBuffers = (answers: FitJobResult[]) => answers.flatMap((a) => (a.result.coef.buffer instanceof ArrayBuffer ? [a.result.coef.buffer] : []));
  return {
    async fit(job, context) {
      const answer = await fitOne(job, context);
      return withTransfer(answer, coefBuffers([answer]));
    },
    async fitGroup({ jobs }, context) {
      // Ridge fits first (they read X themselves); the others then share one MatrixOps, after which X is freed.
      const order = jobs.map((_, i) => i).sort((a, b) => Number(jobs[b].task.model === 'ridge') - Number(jobs[a].task.model === 'ridge') || a - b);
      const group = new SharedOps(jobs.map((j) => j.task));
      const answers: FitJobResult[] = new Array(jobs.length);
      try {
        for (const i of order) {
          context.signal.throwIfAborted();
          answers[i] = await fitOne(jobs[i], context, group);
        }
      } finally {
        group.dispose();
      }
      return withTransfer(answers, coefBuffers(answers));
    },
  };
}
