/**
 * The pipeline worker's handlers and the fit pool, end to end in Node over MessageChannels: a real fixture
 * baseline run goes through intake → load → runStateContinue, the eight fits go to a pool of two fit "workers"
 * running the real executeFit. The outcome must be the same bytes as the experiment run inline.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CancelledError } from '../core/errors.ts';
import { artifactBytes, artifactText, defaultParams, type Artifact, type BaselineInputs, type StateContinueParams } from '../experiments/stateContinue/inputs.ts';
import { featureDrift } from '../analysis/runInsights.ts';
import { filterFeatureRows } from '../experiments/stateContinue/stateFrame.ts';
import { loadBaselineDir } from '../experiments/stateContinue/loadBaselineDir.ts';
import { runStateContinue, type StateContinueOutcome } from '../experiments/stateContinue/pipeline.ts';
import { frameBuffers, type Frame } from '../data/frame.ts';
import type { FitTask } from '../experiments/stateContinue/training.ts';
import { WorkerClient } from './client.ts';
import { runFitJobs } from './fitPool.ts';
import { cpuOnly, fitHandlers, type ChooseBackend } from './fitService.ts';
import { selectBackend } from '../ml/backends/selectBackend.ts';
import { pipelineHandlers, StageClock } from './pipelineService.ts';
import { baselinePipelineCore } from './pipelineCore.ts';
import { inputFingerprint, type FitApi, type PipelineApi, type Progress } from './protocol.ts';
import { channelWorker, type ChannelWorker } from './testChannel.ts';
import { sha256Hex } from '../core/hash.ts';
import { inSeedOrder } from '../core/constants.ts';

const FIXTURE = join(import.meta.dirname, '../../test/fixtures/state-continue/ridge_clip/baseline');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** The file with the bytes of its data pages scrambled (footer intact: the check passes, decoding fails). */
function corruptPages(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  for (let i = 8; i < Math.min(out.length - 1024, 4096); i++) out[i] = (out[i] * 31 + 7) & 0xff;
  return out;
}

const droppedFixture = () => walk(FIXTURE).map((path) => ({ path: `baseline/${relative(FIXTURE, path)}`, file: new Uint8Array(readFileSync(path)) }));

/** The worker's own core (intake + pipeline); in Node parquet-wasm needs no init. The tasks handed to the pool are
 * kept, to check that their matrices were moved out of the pipeline worker rather than copied. */
let tasksSent: FitTask[] = [];
/** The fit matrices the pipeline made when the pool asked for them (`fitMatrix`), in that order. */
let matricesMade: { name: string; x: Float32Array }[] = [];
/** The inputs of the last run, which it lets go of once it has read them. */
let released: BaselineInputs | null = null;
/** The last run's outcome as the worker holds it for its follow-ups. */
let heldOutcome: StateContinueOutcome | null = null;
const realCore = baselinePipelineCore();
const nodeCore: typeof realCore = {
  ...realCore,
  runStateContinue: async (inputs, params, hooks) => {
    released = inputs;
    return (heldOutcome = await realCore.runStateContinue(inputs, params, {
      ...hooks,
      runFits: (tasks, onResult, buildMatrix) => {
        tasksSent = tasks;
        matricesMade = [];
        const build =
          buildMatrix &&
          ((name: string) => {
            const x = buildMatrix(name);
            matricesMade.push({ name, x });
            return x;
          });
        return hooks.runFits!(tasks, onResult, build);
      },
    }));
  },
};

/** The own arrays of a frame (not the feature frame's, which its market columns read). */
function ownBuffers(frame: Frame, featureFrame: Frame): ArrayBuffer[] {
  const shared = new Set(frameBuffers(featureFrame));
  return frameBuffers(frame).filter((b) => !shared.has(b));
}

const workers: ChannelWorker[] = [];
afterEach(() => {
  for (const w of workers.splice(0)) if (!w.terminated) w.terminate();
});

function spawnFit(choose: ChooseBackend = cpuOnly): ChannelWorker {
  const w = channelWorker<FitApi>(fitHandlers(choose));
  workers.push(w);
  return w;
}

function pipelineClient(fitSpawns: ChannelWorker[] = [], choose: ChooseBackend = cpuOnly, matrices: string[] = []) {
  const client: WorkerClient<PipelineApi> = new WorkerClient<PipelineApi>(
    () => {
      const w = channelWorker<PipelineApi>(pipelineHandlers(nodeCore));
      workers.push(w);
      return w;
    },
    {
      name: 'pipeline',
      host: {
        runFits: (request, context) =>
          runFitJobs(
            () => {
              const w = spawnFit(choose);
              fitSpawns.push(w);
              return w;
            },
            request.jobs,
            context,
            {
              size: 2,
              materialize: (name) => {
                matrices.push(name);
                return client.call('fitMatrix', { name });
              },
            },
          ),
      },
    },
  );
  return client;
}

const params: StateContinueParams = { ...defaultParams(), regressorKind: 'ridge', ridgeAlpha: 3, regressionTargetClipBps: 25, backend: 'cpu' };

describe('pipeline worker + fit pool', () => {
  it('gives the same artifacts as the inline run, with stage timings, fit records and fingerprints', async () => {
    const inline = await runStateContinue(loadBaselineDir(FIXTURE), params);
    const fitWorkers: ChannelWorker[] = [];
    const matricesAsked: string[] = [];
    const client = pipelineClient(fitWorkers, cpuOnly, matricesAsked);
    const progress: Progress[] = [];
    const calledAt = performance.timeOrigin + performance.now();
    const outcome = await client.call('run', { files: droppedFixture(), params }, { onProgress: (p) => progress.push(p) });
    const answeredAt = performance.timeOrigin + performance.now();

    // The verdict comes with the six artifacts that need no parquet; the parquet files and the manifest that
    // hashes the train parquet follow (followUp), with the log lines of their writing.
    expect(outcome.artifacts.map((a) => a.name)).toEqual([
      'position_state_feature_schema.json',
      'position_state_feature_order.json',
      'position_state_source_manifest.json',
      'state_continue_result.json',
      'state_continue_verdict.json',
      'state_continue_experiment_report.md',
    ]);
    expect(outcome.log.some((l) => l.includes('state_continue_dataset_written'))).toBe(false);
    const held = heldOutcome!;
    const stateBuffers = ownBuffers(held.stateFrame, released!.featureFrame);
    const predictionBuffers = new Set(frameBuffers(held.predictions));
    const written = await client.call('followUp', { what: 'artifacts' });
    expect(written.artifacts?.map((a) => a.name)).toEqual(['state_continue_train.parquet', 'experiment_manifest.json', 'state_continue_predictions.parquet']);
    // Written, the state frame goes (a cpu run has no float64 check to come), but for the columns the predictions
    // read, which the plots still need.
    expect(held.stateFrame.length).toBe(0);
    expect(stateBuffers.filter((b) => b.byteLength > 0 && !predictionBuffers.has(b))).toEqual([]);
    expect([...predictionBuffers].every((b) => b.byteLength > 0)).toBe(true);
    expect(Object.keys(written.stageTimingsMs)).toEqual(['artifacts']);
    expect(written.stageSpans.artifacts[0]).toBeGreaterThanOrEqual(answeredAt - 1);
    expect(written.stageSpans.artifacts[1]).toBeGreaterThanOrEqual(written.stageSpans.artifacts[0]);
    expect(written.log?.map((l) => l.split(' ')[0])).toEqual(['trader.training.state_continue_dataset_written', 'trader.training.state_continue_experiment_finished']);
    const all = inSeedOrder([...outcome.artifacts, ...(written.artifacts ?? [])]);
    expect(all.map((a) => a.name)).toEqual(inline.artifacts.map((a) => a.name));
    for (const [i, a] of all.entries()) {
      // The train parquet and the manifest that hashes it are the same bytes; so is everything after the fits.
      expect(await sha256Hex(await artifactBytes(a)), a.name).toBe(await sha256Hex(await artifactBytes(inline.artifacts[i])));
    }
    expect(outcome.verdict?.status).toBe(inline.verdict.status);
    expect(Object.keys(outcome.results ?? {}).sort()).toEqual(['long_market_only', 'long_market_plus_state', 'short_market_only', 'short_market_plus_state']);

    // The plots are not in the run's time: they come after the verdict (followUp).
    expect(Object.keys(outcome.stageTimingsMs)).toEqual(['intake', 'load', 'frozen_scores', 'path_stats', 'state_frame', 'train_fits', 'metrics', 'verdict']);
    expect(outcome.insights).toBeNull();
    for (const ms of Object.values(outcome.stageTimingsMs)) expect(ms).toBeGreaterThanOrEqual(0);
    // when each stage ran: within the call, one after the other (this run was not checked ahead), each as long
    // as its timing
    expect(Object.keys(outcome.stageSpans).sort()).toEqual(Object.keys(outcome.stageTimingsMs).sort());
    let previousEnd = calledAt - 1;
    for (const stage of Object.keys(outcome.stageTimingsMs)) {
      const [start, end] = outcome.stageSpans[stage];
      expect(start, stage).toBeGreaterThanOrEqual(previousEnd - 1);
      expect(end, stage).toBeLessThanOrEqual(answeredAt + 1);
      expect(end - start, stage).toBeGreaterThanOrEqual(outcome.stageTimingsMs[stage] - 1);
      previousEnd = end;
    }

    expect(outcome.fits).toHaveLength(8);
    expect(new Set(outcome.fits.map((f) => f.key)).size).toBe(8);
    for (const f of outcome.fits) {
      expect(f.backend).toBe('cpu');
      expect(f.model === 'logistic' || f.model === 'ridge').toBe(true);
      const match = inline.fits.find((g) => g.key === f.key)!;
      expect(f.iterations).toBe(match.iterations);
      expect(f.converged).toBe(match.converged);
    }
    // The tasks went to the pool without their matrices, named instead; the pool asked for each matrix once,
    // largest first, as a fit worker was free for it, and each was moved out of the pipeline worker, as were the
    // targets.
    expect(tasksSent).toHaveLength(8);
    for (const task of tasksSent) expect([task.x.byteLength, task.y.byteLength, task.matrix]).toEqual([0, 0, task.resultKey]);
    expect(matricesMade.map((m) => m.name)).toEqual(['long_market_plus_state', 'short_market_plus_state', 'long_market_only', 'short_market_only']);
    expect(matricesAsked).toEqual(matricesMade.map((m) => m.name));
    for (const { x } of matricesMade) expect(x.byteLength).toBe(0);
    // Two fit workers shared the eight fits, and both were ended once the fits were done.
    expect(fitWorkers).toHaveLength(2);
    expect(fitWorkers.every((w) => w.terminated)).toBe(true);
    const fitDone = progress.filter((p) => p.kind === 'fit' && p.state === 'done');
    expect(fitDone).toHaveLength(8);

    expect(outcome.baselineRunId).toBe('baseline');
    // Every file the run reads, named by its path inside the run.
    expect(outcome.inputs.map((f) => f.path).sort()).toEqual([
      'feature/feature_frame.parquet',
      'feature/feature_order.json',
      'label/entry_labels.parquet',
      'label/price_plan_context.json',
      'model/direction/direction.onnx',
      'model/entry/entry.onnx',
      'model/model_train_manifest.json',
      'replay/replay_1m.parquet',
      'split/split_manifest.json',
    ]);
    const order = outcome.inputs.find((f) => f.path === 'feature/feature_order.json')!;
    expect(order.sha256).toBe(await sha256Hex(readFileSync(join(FIXTURE, 'feature/feature_order.json'))));
    expect(outcome.log.some((line) => line.startsWith('trader.training.state_continue_experiment_started'))).toBe(true);
    // The report's plots come after the run, from the frames the worker kept: curves of the four models, the
    // eight fits' coefficients, drift. A cpu run has no float64 check to make.
    const { insights, stageTimingsMs } = await client.call('followUp', { what: 'insights' });
    expect(Object.keys(stageTimingsMs)).toEqual(['insights']);
    expect(insights?.models.map((m) => m.key).sort()).toEqual(['long_market_only', 'long_market_plus_state', 'short_market_only', 'short_market_plus_state']);
    expect(insights?.coefficients?.map((c) => c.key).sort()).toEqual(inline.fits.map((f) => f.key).sort());
    // the run let its input frames go before the fits, but for what the plots and the cross-check read: the same
    // drift as from the whole feature frame
    const full = loadBaselineDir(FIXTURE);
    expect(released!.entryLabels.length).toBe(0);
    expect(released!.replay.length).toBe(0);
    expect(released!.featureFrame.names).toEqual(['split_id', ...full.featureOrder]);
    expect(insights?.drift).toEqual(featureDrift(full.featureFrame, full.featureOrder, filterFeatureRows(full.featureFrame, full.featureOrder)));
    expect(insights?.drift?.features.length).toBe(full.featureOrder.length);
    // the plots made, the predictions go too: only the feature frame's columns are left for the cross-check
    expect(held.predictions.length).toBe(0);
    expect(stateBuffers.every((b) => b.byteLength === 0)).toBe(true);
    expect([...predictionBuffers].filter((b) => !frameBuffers(released!.featureFrame).includes(b)).every((b) => b.byteLength === 0)).toBe(true);
    expect(frameBuffers(released!.featureFrame).every((b) => b.byteLength > 0)).toBe(true);
    expect((await client.call('followUp', { what: 'float64' })).float64Comparison).toBeNull();
    // and the frozen scores against the ONNX graphs run by onnxruntime, as lines for the run's log
    const check = await client.call('followUp', { what: 'cross_check' });
    expect(Object.keys(check.stageTimingsMs)).toEqual(['onnx_cross_check']);
    expect(check.log?.filter((line) => line.startsWith('frozen scores: onnxruntime agrees'))).toHaveLength(5);
  });

  it('a run whose fits ran on tfjs wasm (float32) is checked against the float64 cpu path: same verdict, small difference', async () => {
    const wasmParams: StateContinueParams = { ...params, backend: 'wasm' };
    const inline = await runStateContinue(loadBaselineDir(FIXTURE), { ...wasmParams, backend: 'cpu' });
    // Real fit workers each have their own tfjs; these channel "workers" share Node's, so ready it once up front.
    await selectBackend('wasm', { rows: 1, cols: 1 });
    const client = pipelineClient([], selectBackend);
    const outcome = await client.call('run', { files: droppedFixture(), params: wasmParams });
    // The classifiers ran on wasm (ridge solves its normal equations in float64 wherever it runs).
    expect(outcome.fits.filter((f) => f.model === 'logistic').map((f) => f.backend)).toEqual(Array(4).fill('wasm'));

    // The float64 check comes after the artifacts and the plots (the page's order): the state frame it refits is
    // kept for it, and goes once it is done.
    const held = heldOutcome!;
    const stateBuffers = ownBuffers(held.stateFrame, released!.featureFrame);
    await client.call('followUp', { what: 'artifacts' });
    await client.call('followUp', { what: 'insights' });
    expect(held.predictions.length).toBe(0);
    expect(held.stateFrame.length).toBeGreaterThan(0);
    expect(stateBuffers.every((b) => b.byteLength > 0)).toBe(true);
    const { float64Comparison: c, stageTimingsMs, error } = await client.call('followUp', { what: 'float64' });
    expect(held.stateFrame.length).toBe(0);
    expect(stateBuffers.every((b) => b.byteLength === 0)).toBe(true);
    expect(error).toBeUndefined();
    expect(Object.keys(stageTimingsMs)).toEqual(['float64_check']);
    expect(c).not.toBeNull();
    expect(c!.backend).toBe('wasm');
    expect(c!.same_verdict).toBe(true);
    expect(c!.verdict_differences).toEqual([]);
    expect(c!.float64_status).toBe(inline.verdict.status);
    // float32 products: the metrics move, a little (SPEC §6 tolerances: AUC 5e-4, MAE 5e-3).
    expect(c!.largest_abs_difference).toBeGreaterThan(0);
    expect(c!.largest_abs_difference).toBeLessThan(5e-3);
    expect(c!.where).toMatch(/^(long|short)_market_(only|plus_state)\./);

    // The artifacts are the wasm run's own: its result differs from the float64 run's at `where` by exactly that.
    const leaf = (results: Record<string, unknown> | null, path: string) => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], results) as number;
    const float64Results = JSON.parse(artifactText(inline.artifacts.find((a) => a.name === 'state_continue_result.json')!).replace(/NaN|-?Infinity/g, 'null')) as Record<string, unknown>;
    expect(Math.abs(leaf(outcome.results, c!.where!) - leaf(float64Results, c!.where!))).toBeCloseTo(c!.largest_abs_difference!, 12);
    const resultBytes = async (artifacts: Artifact[]) => sha256Hex(await artifactBytes(artifacts.find((a) => a.name === 'state_continue_result.json')!));
    expect(await resultBytes(outcome.artifacts)).not.toBe(await resultBytes(inline.artifacts));
  });

  it("the load stage's bar moves with the pieces of large parquet inputs, each weighted by its size", async () => {
    // The fixture's files are small (read at once, no pieces): the core reports pieces as loadBaseline does for
    // files over 32 MB, around the real load.
    const pieces: [string, number, number][] = [
      ['feature/feature_frame.parquet', 1, 2],
      ['feature/feature_frame.parquet', 2, 2],
      ['replay/replay_1m.parquet', 4, 4],
    ];
    const core: typeof realCore = {
      ...nodeCore,
      load: async (set, hooks) => {
        for (const piece of pieces) hooks?.progress?.(...piece);
        return nodeCore.load(set, hooks);
      },
    };
    const client: WorkerClient<PipelineApi> = new WorkerClient<PipelineApi>(
      () => {
        const w = channelWorker<PipelineApi>(pipelineHandlers(core));
        workers.push(w);
        return w;
      },
      {
        name: 'pipeline',
        host: { runFits: (request, context) => runFitJobs(() => spawnFit(), request.jobs, context, { size: 2, materialize: (name) => client.call('fitMatrix', { name }) }) },
      },
    );
    const progress: Progress[] = [];
    await client.call('run', { files: droppedFixture(), params }, { onProgress: (p) => progress.push(p) });
    const load = progress.filter((p) => p.kind === 'stage' && p.stage === 'load' && p.state === 'progress') as Extract<Progress, { kind: 'stage' }>[];
    const size = (path: string) => statSync(join(FIXTURE, path)).size;
    const all = size('feature/feature_frame.parquet') + size('label/entry_labels.parquet') + size('replay/replay_1m.parquet');
    expect(load.map((p) => [p.done, p.total])).toEqual([
      [Math.round(size('feature/feature_frame.parquet') / 2), all],
      [size('feature/feature_frame.parquet'), all],
      [size('feature/feature_frame.parquet') + size('replay/replay_1m.parquet'), all],
    ]);
    expect(load.map((p) => p.message)).toEqual(pieces.map(([file, done, total]) => `${file}: piece ${done} of ${total}`));
  });

  it('cancel during the fits rejects the run and ends every worker of it', async () => {
    const fitWorkers: ChannelWorker[] = [];
    const client = pipelineClient(fitWorkers);
    const controller = new AbortController();
    const run = client.call('run', { files: droppedFixture(), params: { ...params, regressorKind: 'huber' } }, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.kind === 'fit' && p.state === 'start') controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    // Let the host side see the abort.
    await new Promise((r) => setTimeout(r, 50));
    expect(fitWorkers.length).toBeGreaterThan(0);
    expect(fitWorkers.every((w) => w.terminated)).toBe(true);
    expect(workers.filter((w) => !fitWorkers.includes(w)).every((w) => w.terminated)).toBe(true);
  });

  it('the drop-time check lists every problem at once and fingerprints what the run reads', async () => {
    const client = pipelineClient();
    // The fixture run without its price plan and with a broken ONNX: two problems, one answer.
    const files = droppedFixture()
      .filter((f) => !f.path.endsWith('price_plan_context.json'))
      .map((f) => (f.path.endsWith('direction.onnx') ? { ...f, file: f.file.subarray(0, 40) } : f));
    const report = await client.call('intake', { files });
    const where = report.problems.map((p) => p.file);
    expect(where).toContain('label/price_plan_context.json');
    expect(where).toContain('model/direction/direction.onnx');
    const order = report.files.find((f) => f.path === 'baseline/feature/feature_order.json')!;
    expect(order.role).toBe('feature/feature_order.json');
    expect(order.sha256).toBe(await sha256Hex(readFileSync(join(FIXTURE, 'feature/feature_order.json'))));
    // A run on the same files stops before any work with one InputError naming both.
    const error = await client.call('run', { files, params }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('InputError');
    expect((error as Error).message).toMatch(/price_plan_context\.json[\s\S]*direction\.onnx|direction\.onnx[\s\S]*price_plan_context\.json/);
  });

  it('a run on the files just checked adopts the decoding and frozen stage begun at the check: same bytes', async () => {
    const inline = await runStateContinue(loadBaselineDir(FIXTURE), params);
    const client = pipelineClient();
    const report = await client.call('intake', { files: droppedFixture() });
    expect(report.problems).toEqual([]);
    const fingerprints = report.files.filter((f) => f.role !== null).map(inputFingerprint);
    const runAt = performance.timeOrigin + performance.now();
    const outcome = await client.call('run', { files: droppedFixture(), params, fingerprints });
    expect(outcome.log.filter((l) => l.startsWith('inputs: decoded ahead of Run'))).toHaveLength(1);
    // the load's and the frozen stage's spans are their own work's, begun at the check (before Run), one after
    // the other, and the next stages come after them
    const { load, frozen_scores: frozen, path_stats: pathStats } = outcome.stageSpans;
    expect(load[0]).toBeLessThan(runAt);
    expect(frozen[0]).toBeGreaterThanOrEqual(load[1] - 1);
    expect(frozen[1] - frozen[0]).toBeCloseTo(outcome.stageTimingsMs.frozen_scores, 0);
    expect(pathStats[0]).toBeGreaterThanOrEqual(frozen[1] - 1);
    expect(outcome.log.filter((l) => l.startsWith('frozen scores: computed ahead of Run'))).toHaveLength(1);
    const all = inSeedOrder([...outcome.artifacts, ...((await client.call('followUp', { what: 'artifacts' })).artifacts ?? [])]);
    expect(all).toHaveLength(9);
    for (const [i, a] of all.entries()) expect(await sha256Hex(await artifactBytes(a)), a.name).toBe(await sha256Hex(await artifactBytes(inline.artifacts[i])));
    expect(outcome.stageTimingsMs.load).toBeGreaterThan(0);

    // Other files than the ones checked: nothing is adopted, the run decodes its own.
    const other = droppedFixture().map((f) => (f.path.endsWith('feature_order.json') ? { ...f, file: new TextEncoder().encode(JSON.stringify(JSON.parse(new TextDecoder().decode(f.file)))) } : f));
    await client.call('intake', { files: droppedFixture() });
    const own = await client.call('run', { files: other, params });
    expect(own.log.some((l) => l.includes('ahead of Run'))).toBe(false);
    expect(own.verdict?.status).toBe(inline.verdict.status);
  });

  it('a bad parquet found while decoding ahead fails the run that adopts it, naming the file; cancel while waiting works', async () => {
    const client = pipelineClient();
    const broken = droppedFixture().map((f) => (f.path.endsWith('entry_labels.parquet') ? { ...f, file: corruptPages(f.file) } : f));
    const report = await client.call('intake', { files: broken });
    const fingerprints = report.files.filter((f) => f.role !== null).map(inputFingerprint);
    expect(report.problems).toEqual([]);
    const error = await client.call('run', { files: broken, params, fingerprints }).catch((e: unknown) => e);
    expect((error as Error).message).toContain('entry_labels.parquet');
    const good = await client.call('intake', { files: droppedFixture() });
    const controller = new AbortController();
    controller.abort();
    const cancelled = client.call('run', { files: droppedFixture(), params, fingerprints: good.files.filter((f) => f.role !== null).map(inputFingerprint) }, { signal: controller.signal });
    await expect(cancelled).rejects.toBeInstanceOf(CancelledError);
  });

  it('the page-start warm-up (stages on a small run) leaves the next run the same; files arriving stop it', async () => {
    const inline = await runStateContinue(loadBaselineDir(FIXTURE), params);
    const client = pipelineClient();
    await client.call('warm', { demo: droppedFixture() });
    const report = await client.call('intake', { files: droppedFixture() });
    const outcome = await client.call('run', { files: droppedFixture(), params, fingerprints: report.files.filter((f) => f.role !== null).map(inputFingerprint) });
    const all = inSeedOrder([...outcome.artifacts, ...((await client.call('followUp', { what: 'artifacts' })).artifacts ?? [])]);
    for (const [i, a] of all.entries()) expect(await sha256Hex(await artifactBytes(a)), a.name).toBe(await sha256Hex(await artifactBytes(inline.artifacts[i])));

    // A drop while warming: the warm-up is given up (its signal aborted, or not started) and the check answers.
    const seen: boolean[] = [];
    const warmingCore: typeof realCore = {
      ...nodeCore,
      warmUpStages: async (inputs, signal) => {
        await realCore.warmUpStages!(inputs, signal);
        seen.push(signal.aborted);
      },
    };
    const second = new WorkerClient<PipelineApi>(() => {
      const w = channelWorker<PipelineApi>(pipelineHandlers(warmingCore));
      workers.push(w);
      return w;
    }, { name: 'pipeline' });
    const warming = second.call('warm', { demo: droppedFixture() });
    const checked = await second.call('intake', { files: droppedFixture() });
    expect(checked.problems).toEqual([]);
    await warming;
    expect(seen.every((aborted) => aborted)).toBe(true);
  });

  it('bad parameters come back as an InputError naming the parameter', async () => {
    const client = pipelineClient();
    const error = await client.call('run', { files: droppedFixture(), params: { ...params, agesMinutes: '5,-1' } }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('InputError');
    expect((error as Error).message).toContain('5,-1');
  });
});

describe('StageClock', () => {
  it('times a stage from its start to its done, or to the next start, and records when it ran on the wall clock', () => {
    let t = 0;
    const clock = new StageClock(
      () => t,
      () => 1_000_000 + t,
    );
    clock.observe({ kind: 'stage', stage: 'a', state: 'start' });
    t = 5;
    clock.observe({ kind: 'stage', stage: 'a', state: 'progress' });
    t = 7;
    clock.observe({ kind: 'stage', stage: 'b', state: 'start' });
    t = 10;
    clock.observe({ kind: 'stage', stage: 'b', state: 'done' });
    expect(clock.timings).toEqual({ a: 7, b: 3 });
    expect(clock.spans).toEqual({ a: [1_000_000, 1_000_007], b: [1_000_007, 1_000_010] });
    // a stage timed twice adds up its times and spans from its first start to its last end
    t = 20;
    clock.observe({ kind: 'stage', stage: 'a', state: 'start' });
    t = 22;
    clock.close();
    expect(clock.timings).toEqual({ a: 9, b: 3 });
    expect(clock.spans).toEqual({ a: [1_000_000, 1_000_022], b: [1_000_007, 1_000_010] });
  });
});
