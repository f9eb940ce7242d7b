/**
 * The fit worker's handler: every fit of a real fixture's plan, on sync ops (training.ts's executeFit as is) and
 * on async-only ops (the WebGPU shape: products read back asynchronously, sync products refused) — the async
 * drivers must give the very same coefficients, iterations and convergence.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerClient } from './client.ts';
import { cpuOnly, fitHandlers, warmUpFits, type ChooseBackend } from './fitService.ts';
import type { FitApi, Progress } from './protocol.ts';
import { channelWorker, type ChannelWorker } from './testChannel.ts';
import { loadBaselineDir } from '../experiments/stateContinue/loadBaselineDir.ts';
import { buildPreTrainingArtifacts } from '../experiments/stateContinue/pipeline.ts';
import { executeFit, planSideModels } from '../experiments/stateContinue/training.ts';
import { cpuMatrixOps, type MatrixOps } from '../ml/matrixOps.ts';
import { defaultParams } from '../experiments/stateContinue/inputs.ts';

const FIXTURE = join(import.meta.dirname, '../../test/fixtures/state-continue/ridge_clip/baseline');

/** CPU products behind the async-only surface of the WebGPU ops. */
function asyncOnlyOps(x: Float32Array | Float64Array, rows: number, cols: number): MatrixOps {
  const cpu = cpuMatrixOps(x, rows, cols);
  return {
    rows,
    cols,
    backend: 'webgpu',
    gemv: () => {
      throw new Error('sync gemv refused');
    },
    gemvT: () => {
      throw new Error('sync gemvT refused');
    },
    gemvAsync: async (w, intercept, out) => cpu.gemv(w, intercept, out),
    gemvTAsync: async (r, out) => cpu.gemvT(r, out),
    dispose: () => {},
  };
}
const asyncOnly: ChooseBackend = async () => ({ makeOps: asyncOnlyOps, backend: 'webgpu', reason: 'test: async-only ops' });

const workers: ChannelWorker[] = [];
afterEach(() => {
  for (const w of workers.splice(0)) w.terminate();
});

describe('fit worker handler', () => {
  it('sync and async-only ops give the same fits as executeFit, with iteration progress', async () => {
    const inputs = loadBaselineDir(FIXTURE);
    const pre = await buildPreTrainingArtifacts(inputs, defaultParams());
    const huber = planSideModels(pre.stateFrame, { featureOrder: inputs.featureOrder, regressorKind: 'huber', ridgeAlpha: 10, huberMaxIter: 1000, regressionTargetClipBps: 0 }).tasks;
    const ridge = planSideModels(pre.stateFrame, { featureOrder: inputs.featureOrder, regressorKind: 'ridge', ridgeAlpha: 3, huberMaxIter: 1000, regressionTargetClipBps: 25 }).tasks.filter((t) => t.model === 'ridge');
    // A Huber cap it cannot reach: the fit stops unconverged, and must say so the same way.
    const capped = huber.filter((t) => t.model === 'huber').map((t) => ({ ...t, key: `${t.key}:capped`, options: { ...t.options, maxIter: 3 } }));
    const tasks = [...huber, ...ridge, ...capped];
    expect(tasks).toHaveLength(16);
    expect(capped.some((t) => !executeFit(t).converged)).toBe(true);
    for (const choose of [cpuOnly, asyncOnly]) {
      const client = new WorkerClient<FitApi>(() => {
        const w = channelWorker<FitApi>(fitHandlers(choose));
        workers.push(w);
        return w;
      }, { name: 'fit' });
      for (const task of tasks) {
        const expected = executeFit(task);
        const progress: Progress[] = [];
        const { result, record } = await client.call('fit', { task, backend: 'auto' }, { onProgress: (p) => progress.push(p) });
        expect(Array.from(result.coef), task.key).toEqual(Array.from(expected.coef));
        expect(result.intercept).toBe(expected.intercept);
        expect(result.iterations).toBe(expected.iterations);
        expect(result.converged).toBe(expected.converged);
        expect(record).toMatchObject({ key: task.key, model: task.model, backend: choose === asyncOnly && task.model !== 'ridge' ? 'webgpu' : 'cpu', iterations: expected.iterations });
        const iterations = progress.filter((p) => p.kind === 'fit' && p.iteration !== undefined && p.state === 'progress');
        if (task.model !== 'ridge') expect(iterations.length, task.key).toBeGreaterThan(0);
        expect(progress.at(-1)).toMatchObject({ kind: 'fit', state: 'done', key: task.key });
      }
      client.terminate();
    }
  });

  it('a fit that arrives during the worker\'s warm-up waits for it, then gives executeFit\'s answer', async () => {
    await expect(warmUpFits()).resolves.toBeUndefined();
    const inputs = loadBaselineDir(FIXTURE);
    const pre = await buildPreTrainingArtifacts(inputs, defaultParams());
    const [task] = planSideModels(pre.stateFrame, { featureOrder: inputs.featureOrder, regressorKind: 'huber', ridgeAlpha: 10, huberMaxIter: 1000, regressionTargetClipBps: 0 }).tasks;
    let release = () => {};
    const warm = new Promise<void>((resolve) => (release = resolve));
    const client = new WorkerClient<FitApi>(() => {
      const w = channelWorker<FitApi>(fitHandlers(cpuOnly, undefined, warm));
      workers.push(w);
      return w;
    }, { name: 'fit' });
    let answered = false;
    const call = client.call('fit', { task, backend: 'cpu' }).then((answer) => ((answered = true), answer));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(answered).toBe(false);
    release();
    const { result } = await call;
    const expected = executeFit(task);
    expect(Array.from(result.coef)).toEqual(Array.from(expected.coef));
    expect(result.iterations).toBe(expected.iterations);
    client.terminate();
  });

  it('lets the task\'s X go once the ops hold their own copy (cpu kernels), not when they read it (async-only ops)', async () => {
    const inputs = loadBaselineDir(FIXTURE);
    const pre = await buildPreTrainingArtifacts(inputs, defaultParams());
    const [task] = planSideModels(pre.stateFrame, { featureOrder: inputs.featureOrder, regressorKind: 'huber', ridgeAlpha: 10, huberMaxIter: 1000, regressionTargetClipBps: 0 }).tasks;
    const expected = executeFit(task);
    const context = { signal: new AbortController().signal, progress: () => {}, host: () => Promise.reject(new Error('no host')) };
    for (const [choose, dropped] of [[cpuOnly, true], [asyncOnly, false]] as const) {
      const own = { ...task, x: task.x.slice() };
      const received = own.x;
      const { result } = await fitHandlers(choose).fit({ type: 'fit', task: own, backend: 'auto' }, context);
      expect(Array.from(result.coef)).toEqual(Array.from(expected.coef));
      expect(own.x.length).toBe(dropped ? 0 : task.x.length);
      // freed, not only dropped: the received buffer itself is detached
      expect(received.buffer.byteLength).toBe(dropped ? 0 : task.x.byteLength);
    }
  });
});

describe('fitGroup', () => {
  it('fits a side’s classifier and regressor on one set of ops, the same fits as apart, then frees the shared X', async () => {
    const inputs = loadBaselineDir(FIXTURE);
    const pre = await buildPreTrainingArtifacts(inputs, defaultParams());
    const context = { signal: new AbortController().signal, progress: () => {}, host: () => Promise.reject(new Error('no host')) };
    for (const regressorKind of ['huber', 'ridge'] as const) {
      const { tasks } = planSideModels(pre.stateFrame, { featureOrder: inputs.featureOrder, regressorKind, ridgeAlpha: 10, huberMaxIter: 1000, regressionTargetClipBps: 0 });
      const [classifier, regressor] = tasks;
      expect(regressor.x).toBe(classifier.x);
      const expected = [executeFit(classifier), executeFit(regressor)];
      // the worker's own copy, shared by both tasks as a message would bring it
      const x = classifier.x.slice();
      let made = 0;
      const counting: ChooseBackend = async () => ({ makeOps: (m, r, c) => (made++, cpuMatrixOps(m, r, c)), backend: 'cpu', reason: 'test' });
      const answers = await fitHandlers(counting).fitGroup(
        { type: 'fitGroup', jobs: [{ task: { ...classifier, x }, backend: 'cpu' }, { task: { ...regressor, x }, backend: 'cpu' }] },
        context,
      );
      answers.forEach((answer, k) => {
        expect(answer.result.key).toBe(expected[k].key);
        expect(Array.from(answer.result.coef)).toEqual(Array.from(expected[k].coef));
        expect(answer.result.intercept).toBe(expected[k].intercept);
        expect(answer.result.iterations).toBe(expected[k].iterations);
      });
      // one MatrixOps for the group's logistic and Huber fits (ridge reads X itself, before the ops are made)
      expect(made).toBe(1);
      expect(x.buffer.byteLength).toBe(0);
    }
  });
});
