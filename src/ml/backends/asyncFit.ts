/**
 * Fits on ops whose products are asynchronous (WebGPU: `gemvAsync`/`gemvTAsync`), with the SAME synchronous
 * L-BFGS-B and loss code as every other backend, so the stopping points stay scipy's.
 *
 * How: L-BFGS-B is deterministic given the objective values it sees. `replayMinimize` runs the synchronous
 * optimiser; the first evaluation it has not seen yet throws, is computed asynchronously, cached, and the
 * optimiser is run again from the start, answering every earlier evaluation from the cache (cheap: the cache
 * returns the loss and gradient; only the optimiser's own O(iterations·cols) work is repeated). One evaluation
 * of a loss is made the same way over its products: the loss function runs on ops that answer from a per-call
 * cache and throw for the first product not yet computed (at most three runs of its row loop per evaluation).
 *
 * On ops without async products these are the plain synchronous fits.
 */
import { minimizeLbfgsb, type LbfgsResult } from '../lbfgs.ts';
import { fitHuber, huberProblem, type HuberFit, type HuberOptions } from '../huber.ts';
import { fitLogistic, logisticProblem, type LogisticFit, type LogisticOptions } from '../logistic.ts';
import type { MatrixOps } from '../matrixOps.ts';

type AsyncOps = MatrixOps & Required<Pick<MatrixOps, 'gemvAsync' | 'gemvTAsync'>>;

export function hasAsyncProducts(ops: MatrixOps): ops is AsyncOps {
  return typeof ops.gemvAsync === 'function' && typeof ops.gemvTAsync === 'function';
}

class NeedEvaluation {
  constructor(readonly w: Float64Array) {}
}

type Product = { kind: 'gemv'; w: Float64Array; intercept: number } | { kind: 'gemvT'; r: Float64Array };
class NeedProduct {
  constructor(readonly product: Product) {}
}

/**
 * Run `runSync(objective)` (a synchronous optimisation that calls `objective(w, grad)`) with each objective value
 * computed by `evaluate` asynchronously. `onIteration` of the optimiser must be wrapped with `onceEach` by the
 * caller, since replays repeat earlier iterations.
 */
export async function replayMinimize<R>(
  runSync: (objective: (w: Float64Array, grad: Float64Array) => number) => R,
  evaluate: (w: Float64Array, grad: Float64Array) => Promise<number>,
): Promise<R> {
  const cache: { w: Float64Array; grad: Float64Array; loss: number }[] = [];
  for (;;) {
    let index = 0;
    try {
      return runSync((w, grad) => {
        const hit = cache[index++];
        if (!hit) throw new NeedEvaluation(Float64Array.from(w));
        for (let k = 0; k < w.length; k++) {
          // Same inputs, same path: anything else means the optimiser is not deterministic and the cache is wrong.
          if (!Object.is(w[k], hit.w[k])) throw new Error(`replayMinimize: evaluation ${index} diverged from its first run`);
        }
        grad.set(hit.grad);
        return hit.loss;
      });
    } catch (error) {
      if (!(error instanceof NeedEvaluation)) throw error;
      const grad = new Float64Array(error.w.length);
      const loss = await evaluate(error.w, grad);
      cache.push({ w: error.w, grad, loss });
    }
  }
}

/** Evaluate a synchronous loss (which calls `gemv`/`gemvT` on the ops it is given) on async ops. */
export async function evaluateOnAsyncOps(ops: AsyncOps, loss: (syncOps: MatrixOps) => number): Promise<number> {
  const results: Float64Array[] = [];
  for (;;) {
    let call = 0;
    const answer = (product: Product, out: Float64Array) => {
      const cached = results[call++];
      if (!cached) throw new NeedProduct(product);
      out.set(cached);
    };
    const replayOps: MatrixOps = {
      rows: ops.rows,
      cols: ops.cols,
      backend: ops.backend,
      gemv: (w, intercept, out) => answer({ kind: 'gemv', w: Float64Array.from(w), intercept }, out),
      gemvT: (r, out) => answer({ kind: 'gemvT', r: Float64Array.from(r) }, out),
      dispose: () => {},
    };
    try {
      return loss(replayOps);
    } catch (error) {
      if (!(error instanceof NeedProduct)) throw error;
      const p = error.product;
      if (p.kind === 'gemv') {
        const out = new Float64Array(ops.rows);
        await ops.gemvAsync(p.w, p.intercept, out);
        results.push(out);
      } else {
        const out = new Float64Array(ops.cols);
        await ops.gemvTAsync(p.r, out);
        results.push(out);
      }
    }
  }
}

/** An `onIteration` that reports each iteration once, however often replays pass it again. */
function onceEach(callback?: (iteration: number, f: number) => void): ((iteration: number, f: number) => void) | undefined {
  if (!callback) return undefined;
  let reported = 0;
  return (iteration, f) => {
    if (iteration > reported) {
      reported = iteration;
      callback(iteration, f);
    }
  };
}

/** `fitLogistic` on any ops; on async ops, the same optimisation driven as described above. */
export async function fitLogisticAsync(ops: MatrixOps, y: ArrayLike<number>, options: LogisticOptions = {}): Promise<LogisticFit> {
  if (!hasAsyncProducts(ops)) return fitLogistic(ops, y, options);
  const problem = logisticProblem(ops, y, options);
  const onIteration = onceEach(options.onIteration);
  const res: LbfgsResult = await replayMinimize(
    (objective) => minimizeLbfgsb(objective, problem.x0, { ...problem.lbfgs, onIteration }),
    (w, grad) => evaluateOnAsyncOps(ops, (syncOps) => problem.objective(syncOps)(w, grad)),
  );
  return problem.fitOf(res);
}

/** `fitHuber` on any ops; on async ops, the same optimisation driven as described above. */
export async function fitHuberAsync(ops: MatrixOps, y: ArrayLike<number>, options: HuberOptions = {}): Promise<HuberFit> {
  if (!hasAsyncProducts(ops)) return fitHuber(ops, y, options);
  const problem = huberProblem(ops, y, options);
  const onIteration = onceEach(options.onIteration);
  const res: LbfgsResult = await replayMinimize(
    (objective) => minimizeLbfgsb(objective, problem.x0, { ...problem.lbfgs, onIteration }),
    (w, grad) => evaluateOnAsyncOps(ops, (syncOps) => problem.objective(syncOps)(w, grad)),
  );
  return problem.fitOf(res);
}
