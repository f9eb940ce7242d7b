import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { CancelledError, InputError } from '../../core/errors.ts';
import { artifactBytes, artifactText, defaultParams } from './inputs.ts';
import { loadBaselineDir } from './loadBaselineDir.ts';
import { buildPreTrainingArtifacts, runStateContinue, resolveParams } from './pipeline.ts';
import { executeFit, planSideModels, type FitTask } from './training.ts';
import { artifactsZip } from './artifacts.ts';
import { STATE_FEATURES } from '../../core/constants.ts';

const DEFAULT_CASE = join(__dirname, '../../../test/fixtures/state-continue/default/baseline');
const haveFixture = existsSync(join(DEFAULT_CASE, 'feature/feature_frame.parquet'));

describe('parameters', () => {
  it('are validated before any work, as the seed and its runner do', () => {
    expect(resolveParams(defaultParams()).ages).toEqual([5, 15, 30, 60]);
    const bad = (patch: Partial<ReturnType<typeof defaultParams>>) => () => resolveParams({ ...defaultParams(), ...patch });
    expect(bad({ agesMinutes: '5,x' })).toThrow('invalid ages-minutes: 5,x');
    expect(bad({ continueHorizonMinutes: 0 })).toThrow(InputError);
    expect(bad({ maxRowsPerSplit: -1 })).toThrow(InputError);
    expect(bad({ regressorKind: 'lasso' as never })).toThrow('unsupported state continue regressor kind: lasso');
    expect(bad({ ridgeAlpha: Number.NaN })).toThrow(InputError);
  });
});

describe.runIf(haveFixture)('pipeline on the default fixture', () => {
  it('an allocation that does not fit (here in the fits) ends the run with an InputError that says so', async () => {
    const inputs = loadBaselineDir(DEFAULT_CASE, 'baseline');
    const run = runStateContinue(inputs, defaultParams(), {
      runFits: async () => {
        new ArrayBuffer(2 ** 40);
        return [];
      },
    });
    await expect(run).rejects.toThrow(InputError);
    await expect(run).rejects.toThrow(/^the run does not fit in the memory this page can use: train_fits could not allocate \(Array buffer allocation failed\); inputs: feature frame [\d,]+ rows × \d+ columns/);
  });

  it('builds the five pre-training artifacts on their own, with the dataset hash of the written parquet', async () => {
    const inputs = loadBaselineDir(DEFAULT_CASE, 'baseline');
    const pre = await buildPreTrainingArtifacts(inputs, defaultParams());
    expect(pre.artifacts.map((a) => a.name)).toEqual([
      'state_continue_train.parquet',
      'experiment_manifest.json',
      'position_state_feature_schema.json',
      'position_state_feature_order.json',
      'position_state_source_manifest.json',
    ]);
    const source = JSON.parse(artifactText(pre.artifacts[4])) as Record<string, unknown>;
    expect(source.state_feature_order_hash).toBe('759c36f8b7174dead9ea762bd40486a4887fe1d9695234fd9f21356d5ced3f60');
    expect(Object.keys(pre.stageMs).sort()).toEqual(['artifacts', 'frozen_scores', 'path_stats', 'state_frame']);
    expect(pre.log.at(-1)).toMatch(/^trader\.training\.state_continue_dataset_written runId=state_continue_reference rowCount=\d+ splitCounts=\{'fit_inner': \d+, /);
  }, 120_000);

  it('runs the eight fits through the runFits hook (tasks survive structured cloning), logs as the seed, zips the artifacts', async () => {
    const inputs = loadBaselineDir(DEFAULT_CASE, 'baseline');
    let seen: FitTask[] = [];
    const progress: string[] = [];
    const outcome = await runStateContinue(inputs, defaultParams(), {
      runFits: async (tasks) => {
        seen = tasks;
        // what a worker pool does: the task crosses a structured clone, the result comes back
        return tasks.map((task) => executeFit(structuredClone(task)));
      },
      progress: (p) => progress.push(p.stage),
    });
    expect(seen.map((t) => t.key)).toEqual([
      'long_market_only:classifier',
      'long_market_only:regressor',
      'long_market_plus_state:classifier',
      'long_market_plus_state:regressor',
      'short_market_only:classifier',
      'short_market_only:regressor',
      'short_market_plus_state:classifier',
      'short_market_plus_state:regressor',
    ]);
    expect(seen[2].cols).toBe(inputs.featureOrder.length + STATE_FEATURES.length);
    expect(seen[1].model).toBe('huber');
    expect(outcome.fits.every((f) => f.backend === 'cpu' && f.converged)).toBe(true);
    expect(Object.keys(outcome.stageMs).sort()).toEqual(['artifacts', 'frozen_scores', 'metrics', 'path_stats', 'state_frame', 'train_fits', 'verdict']);
    expect(progress).toContain('train_fits');
    expect(outcome.log[0]).toBe(
      'trader.training.state_continue_experiment_started runId=state_continue_reference baselineRunId=baseline ages=[5, 15, 30, 60] regressorKind=huber ridgeAlpha=10.0 huberMaxIter=1000 regressionTargetClipBps=0.0',
    );
    expect(outcome.log.filter((l) => l.startsWith('trader.training.state_continue_model_trained'))).toHaveLength(4);
    expect(outcome.log.at(-1)).toBe(
      'trader.training.state_continue_experiment_finished runId=state_continue_reference report=trader-v4/runs/state_continue_reference/experiments/state_continue/state_continue_experiment_report.md',
    );
    const files = unzipSync(new Uint8Array(await (await artifactsZip(outcome.artifacts)).arrayBuffer()));
    expect(Object.keys(files).sort()).toEqual(outcome.artifacts.map((a) => a.name).sort());
    expect(files['state_continue_result.json']).toEqual(outcome.artifacts.find((a) => a.name === 'state_continue_result.json')!.bytes);
    // the parquet artifacts are Blobs, stored in the zip as they are
    const train = outcome.artifacts.find((a) => a.name === 'state_continue_train.parquet')!;
    expect(train.bytes).toBeInstanceOf(Blob);
    expect(files['state_continue_train.parquet']).toEqual(await artifactBytes(train));
  }, 120_000);

  it('stops with CancelledError when the signal is aborted', async () => {
    const inputs = loadBaselineDir(DEFAULT_CASE, 'baseline');
    const controller = new AbortController();
    const run = runStateContinue(inputs, defaultParams(), {
      signal: controller.signal,
      progress: (p) => {
        if (p.stage === 'path_stats' && p.done === 1) controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
  }, 120_000);

  it('a side without fit_inner rows is an InputError, as the seed’s ValueError', async () => {
    const inputs = loadBaselineDir(DEFAULT_CASE, 'baseline');
    const pre = await buildPreTrainingArtifacts(inputs, { ...defaultParams(), agesMinutes: '5' });
    const frame = pre.stateFrame;
    const split = frame.columns.split_id;
    if (split.kind !== 'string') throw new Error('split_id');
    // relabel every fit_inner row as tune
    const tune = split.dictionary.indexOf('tune');
    const fit = split.dictionary.indexOf('fit_inner');
    const codes = split.codes.map((c) => (c === fit ? tune : c));
    const relabelled = { ...frame, columns: { ...frame.columns, split_id: { ...split, codes } } };
    expect(() =>
      planSideModels(relabelled, { featureOrder: inputs.featureOrder, regressorKind: 'huber', ridgeAlpha: 10, huberMaxIter: 1000, regressionTargetClipBps: 0 }),
    ).toThrow('state continue LONG has no fit_inner rows');
  }, 120_000);

  it('a deferred plan names its matrices and makes each once, the same bits as the plan that makes them at once', async () => {
    const inputs = loadBaselineDir(DEFAULT_CASE, 'baseline');
    const pre = await buildPreTrainingArtifacts(inputs, { ...defaultParams(), agesMinutes: '5,30' });
    const training = { featureOrder: inputs.featureOrder, regressorKind: 'huber' as const, ridgeAlpha: 10, huberMaxIter: 1000, regressionTargetClipBps: 0 };
    const eager = planSideModels(pre.stateFrame, training);
    const deferred = planSideModels(pre.stateFrame, training, { deferMatrices: true });
    expect(deferred.tasks.map((t) => [t.key, t.x.length, t.matrix])).toEqual(eager.tasks.map((t) => [t.key, 0, t.resultKey]));
    expect(eager.tasks.every((t) => t.matrix === undefined)).toBe(true);
    for (const task of eager.tasks.filter((t) => t.model === 'logistic')) {
      const x = deferred.buildMatrix(task.resultKey);
      expect(x.length).toBe(task.rows * task.cols);
      expect(new Uint32Array(x.buffer)).toEqual(new Uint32Array(task.x.buffer));
      expect(() => deferred.buildMatrix(task.resultKey)).toThrow(`no fit matrix ${task.resultKey} waits to be built`);
    }
    expect(() => eager.buildMatrix('long_market_only')).toThrow('no fit matrix long_market_only');
    // market-only is the first F columns of market-plus-state: the scaler of a column is that column's own
    const full = eager.tasks.find((t) => t.key === 'long_market_plus_state:classifier')!;
    const market = eager.tasks.find((t) => t.key === 'long_market_only:classifier')!;
    expect(market.cols).toBe(inputs.featureOrder.length);
    expect(full.cols).toBe(inputs.featureOrder.length + STATE_FEATURES.length);
    for (let i = 0; i < full.rows; i++) {
      expect(Array.from(market.x.subarray(i * market.cols, (i + 1) * market.cols))).toEqual(Array.from(full.x.subarray(i * full.cols, i * full.cols + market.cols)));
    }
  }, 120_000);

  it('clips the regression target for fitting when a clip is set', async () => {
    const inputs = loadBaselineDir(DEFAULT_CASE, 'baseline');
    const pre = await buildPreTrainingArtifacts(inputs, { ...defaultParams(), agesMinutes: '5' });
    const { tasks } = planSideModels(pre.stateFrame, { featureOrder: inputs.featureOrder, regressorKind: 'ridge', ridgeAlpha: 3, huberMaxIter: 1000, regressionTargetClipBps: 10 });
    const reg = tasks.find((t) => t.key === 'long_market_only:regressor')!;
    expect(reg.model).toBe('ridge');
    expect(Math.max(...reg.y)).toBe(10);
    expect(Math.min(...reg.y)).toBe(-10);
    const result = executeFit(reg);
    expect(result.iterations).toBe(0);
    expect(result.converged).toBe(true);
  }, 120_000);
});
