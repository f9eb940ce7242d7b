/**
 * The state-continue experiment end to end (the seed's `run_state_continue_experiment`), stage by stage:
 * frozen_scores → path_stats → state_frame → train_fits → metrics → verdict → artifacts (the two parquet files and
 * the experiment manifest, which holds the train parquet's SHA-256).
 * The eight fits go through `hooks.runFits` (a worker pool in the app, inline by default); the AbortSignal is
 * checked between stages and handed to the inline fits.
 */
import { release } from '../../core/release.ts';
import { frameBuffers, makeFrame, type Frame } from '../../data/frame.ts';
import { CancelledError, InputError, type InputProblem } from '../../core/errors.ts';
import { outOfMemoryError } from '../../data/outOfMemory.ts';
import { PyFloat, pyRepr } from '../../core/pyjson.ts';
import { TUNE_SPLIT } from '../../core/constants.ts';
import { defaultParams, type Artifact, type BaselineInputs, type StateContinueParams } from './inputs.ts';
import { checkFrozenHeads, computeFrozenScores, type FrozenScores } from './frozenScores.ts';
import { crossCheckFrozenScores, keepCrossCheckScores } from './onnxCrossCheck.ts';
import { buildPathStats, sortReplay, type PathStats } from './pathStats.ts';
import { forgetDictionaryTable, SharedCodes } from './join.ts';
import { buildEntrySet, buildStateFrame, type EntrySet, capRowsPerSplit, filterFeatureRows, parseAges, releaseEntrySet, valueCounts } from './stateFrame.ts';
import { executeFit, finishSideModel, planSideModels, predictionsFrame, type FitResult, type FitTask, type SidePredictions, type TrainingParams } from './training.ts';
import { resultsToPy, type Results } from './metrics.ts';
import { buildVerdict, showPyFloat, verdictToPy, type Verdict } from './verdict.ts';
import { buildReport, MODEL_TRAIN_MANIFEST_FILE } from './report.ts';
import { buildSourceManifest, parquetArtifact, preTrainingArtifacts, stateFeatureArtifacts, trainArtifacts, verdictArtifacts, type SourceManifest, type SourceManifestInput } from './artifacts.ts';
import { inSeedOrder } from '../../core/constants.ts';
import { addSpan, epochNow, type StageSpans } from '../../core/stageSpans.ts';
import { parsePyJson } from './pyJsonParse.ts';
import { compareToFloat64 } from '../../ml/backends/compareToFloat64.ts';

export interface StateContinueHooks {
  progress?: (p: { stage: string; done: number; total: number; rows?: number }) => void;
  log?: (line: string) => void;
  /**
   * Runs the fits (all of them, results in the tasks' order); `onResult` hears of each fit as soon as it is done,
   * so that a side's metrics are computed while the other fits still run.
   */
  runFits?: (tasks: FitTask[], onResult?: (result: FitResult) => void, buildMatrix?: (name: string) => Float32Array) => Promise<FitResult[]>;
  /**
   * `runFits` gets the tasks with their matrices left empty and named (`FitTask.matrix`), and `buildMatrix` to make
   * each one (once) when a worker is free to fit on it: no fit matrix is held before its fits can start.
   */
  deferFitMatrices?: boolean;
  signal?: AbortSignal;
  /**
   * The frozen-scores stage already started on these inputs (`startFrozenStage`, begun when the files were
   * checked, before the parameters were known); its errors surface here in the stage's place.
   */
  frozen?: Promise<FrozenStage>;
  /**
   * Answer at the verdict: the outcome then holds the six artifacts made by then (the JSON and the report) and
   * `writeArtifacts` writes the two parquet files and the experiment manifest afterwards (the page shows the
   * verdict meanwhile). Without it the run writes them itself before returning.
   */
  deferArtifacts?: boolean;
  /**
   * The input frames are the run's to free as soon as it has read them: the entry labels once the entry set holds
   * what it needs of them, the replay once sorted for the path stats, the feature frame's other columns once the
   * state frame is built (`releaseInputFrames`); with them the frozen scores but the cross-check's rows, and the
   * entry set. The caller must not need them afterwards (the pipeline worker, which decodes the files per run).
   */
  releaseInputs?: boolean;
}

/**
 * Lets a run's input frames go once its state frame is built, keeping what is read after its verdict: the feature
 * frame's split_id and feature columns (the report's drift plot, the onnxruntime cross-check's sample rows), the
 * same arrays, no copy. The other columns' arrays are freed, and the entry labels and the replay (if still there)
 * with them.
 */
export function releaseInputFrames(inputs: BaselineInputs): void {
  const feature = inputs.featureFrame;
  const kept = ['split_id', ...inputs.featureOrder].filter((name) => feature.columns[name]);
  // each decoded column has arrays of its own (parquet.ts copies out of the decoder), so the others can be freed
  releaseFrame(feature, kept, true);
  releaseFrame(inputs.entryLabels);
  releaseFrame(inputs.replay);
  inputs.featureFrame = makeFrame(kept, Object.fromEntries(kept.map((name) => [name, feature.columns[name]])));
  inputs.entryLabels = makeFrame([], {});
  inputs.replay = makeFrame([], {});
}

/**
 * Frees the arrays of a frame's columns (but those named in `keep`). Its string dictionaries go with the frame,
 * UTF-8 ones too unless `keepDictionaries` (the feature frame's sample ids are the state frame's, which gathers
 * their codes and shares the dictionary).
 */
function releaseFrame(frame: Frame, keep: string[] = [], keepDictionaries = false): void {
  for (const name of frame.names) {
    if (keep.includes(name)) continue;
    const column = frame.columns[name];
    if (column.kind === 'string') release(column.codes, ...(keepDictionaries ? [] : [column.utf8?.bytes, column.utf8?.offsets]));
    else if (column.kind === 'timestamp') release(column.micros);
    else if (column.kind === 'number' || column.kind === 'bool') release(column.values);
  }
}

/**
 * Frees what a finished run's remaining follow-ups will not read (the pipeline worker holds the run until its last
 * one; `done`: the follow-ups answered so far). The parquet artifacts read the state frame and the predictions; the
 * plots the predictions (whose numeric columns are the state frame's, read through their rows), the feature frame
 * and the fits; the onnxruntime cross-check the feature frame and the frozen scores; the float64 check, asked for
 * when a fit ran in float32, the state frame. So once the artifacts are written, the state frame's other columns
 * go (unless the float64 check is to come), and once the plots are made, the predictions and the rest. A frame let
 * go is replaced by an empty one.
 */
export function releaseFollowedUp(outcome: Pick<StateContinueOutcome, 'stateFrame' | 'predictions' | 'fits'>, featureFrame: Frame, done: ReadonlySet<string>): void {
  if (!done.has('artifacts')) return;
  const float64Left = outcome.fits.some((f) => f.backend !== 'cpu') && !done.has('float64');
  const plotsLeft = !done.has('insights');
  // the market columns of both frames are the feature frame's own arrays, which the cross-check reads
  const keep = new Set(frameBuffers(featureFrame));
  if (float64Left) for (const buffer of frameBuffers(outcome.stateFrame)) keep.add(buffer);
  if (plotsLeft) for (const buffer of frameBuffers(outcome.predictions)) keep.add(buffer);
  const letGo = (frame: Frame): Frame => {
    release(...frameBuffers(frame).filter((buffer) => !keep.has(buffer)));
    return makeFrame([], {});
  };
  if (!plotsLeft && outcome.predictions.length > 0) outcome.predictions = letGo(outcome.predictions);
  if (!float64Left && outcome.stateFrame.length > 0) outcome.stateFrame = letGo(outcome.stateFrame);
}

/**
 * Everything of a run that depends on its inputs alone (no parameter): the feature rows kept, the frozen ENTRY and
 * DIRECTION scores, the entry set and the symbols' shared codes.
 */
export interface FrozenStage {
  featureRows: Int32Array;
  scores: FrozenScores;
  entry: EntrySet;
  symbols: SharedCodes;
  /** Time the stage's computation took. */
  ms: number;
  /** When it ran (wall clock). */
  span: [number, number];
}

/** The frozen-scores stage. */
export function startFrozenStage(inputs: BaselineInputs): FrozenStage {
  const started = performance.now();
  const startedEpoch = epochNow();
  const symbols = new SharedCodes();
  // the seed's runner checks F against every head before anything else
  checkFrozenHeads(inputs.directionInitializers, inputs.entryInitializers, inputs.featureOrder.length);
  const featureRows = filterFeatureRows(inputs.featureFrame, inputs.featureOrder);
  const scores = computeFrozenScores(inputs.featureFrame, featureRows, inputs.featureOrder, inputs.directionInitializers, inputs.entryInitializers);
  // the entry set (and its errors) come before the replay, as in the seed's _load_entry_labels
  const entry = buildEntrySet(inputs.entryLabels, inputs.featureFrame, scores, symbols);
  return { featureRows, scores, entry, symbols, ms: performance.now() - started, span: [startedEpoch, epochNow()] };
}

/**
 * The frozen scores of a finished run cross-checked by running its ONNX graphs in onnxruntime-web (after the
 * verdict: the scores are the initializers' whatever the graphs say, and onnxruntime's wasm costs ~0.4 s to
 * start), as lines for the run's log.
 */
export function crossCheckRun(outcome: Pick<StateContinueOutcome, 'frozenScores'>, inputs: BaselineInputs): Promise<string[]> {
  const models = { direction: inputs.directionOnnxBytes, entry: inputs.entryOnnxBytes };
  if (!models.direction && !models.entry) return Promise.resolve([]);
  return crossCheckFrozenScores(models, inputs.featureFrame, inputs.featureOrder, outcome.frozenScores);
}

export const STAGES = ['frozen_scores', 'path_stats', 'state_frame', 'train_fits', 'metrics', 'verdict', 'artifacts'] as const;
export type StageName = (typeof STAGES)[number];

/** One fit as the run records it. */
export interface FitRecord {
  key: string;
  resultKey: string;
  model: FitTask['model'];
  rows: number;
  cols: number;
  iterations: number;
  converged: boolean;
  objective: number;
  backend: string;
  ms: number;
}

/** Parameters after validation (SPEC §3). */
export interface ResolvedParams {
  runId: string;
  ages: number[];
  regressorKind: 'huber' | 'ridge';
  ridgeAlpha: number;
  huberMaxIter: number;
  regressionTargetClipBps: number;
  maxRowsPerSplit: number;
  continueHorizonMinutes: number;
  minContinueEdgeBps: number;
}

export interface PreTraining {
  params: ResolvedParams;
  stateFrame: Frame;
  /** The five artifacts that exist before training. */
  artifacts: Artifact[];
  manifest: SourceManifest;
  frozenScores: FrozenScores;
  stageMs: Record<string, number>;
  stageSpans: StageSpans;
  log: string[];
}

/** The run's dataset (the state frame) and what its artifacts are made from. */
interface Dataset {
  params: ResolvedParams;
  stateFrame: Frame;
  featureRows: Int32Array;
  manifestInput: Omit<SourceManifestInput, 'datasetHash'>;
  frozenScores: FrozenScores;
}

export interface StateContinueOutcome {
  /** The nine artifacts, in the seed's order (with `deferArtifacts`, the six made by the verdict until `writeArtifacts`). */
  artifacts: Artifact[];
  /**
   * Writes the train and predictions parquet files and the experiment manifest (once; later calls get the same
   * answer) and resolves to all nine artifacts in the seed's order; `outcome.artifacts`, `manifest`, `stageMs`
   * (`artifacts`) and `log` follow.
   */
  writeArtifacts(): Promise<Artifact[]>;
  results: Results;
  verdict: Verdict;
  manifest: SourceManifest;
  stateFrame: Frame;
  predictions: Frame;
  stageMs: Record<string, number>;
  /** When each stage ran (wall clock), as `stageMs` follows. */
  stageSpans: StageSpans;
  fits: FitRecord[];
  log: string[];
  report: string;
  /** The validated parameters (to refit the same tasks, e.g. on the float64 path). */
  params: ResolvedParams;
  /** The frozen scores (for the onnxruntime cross-check after the verdict). */
  frozenScores: FrozenScores;
  /** The feature frame's rows kept by the seed's filter (the report's drift plot). */
  featureRows: Int32Array;
}

/**
 * How a run whose fits ran (partly) in float32 compares with the exact float64 path on the same tasks (issue 4):
 * the run_record.json's `float64_comparison`. Differences are |run − float64| over the result's numeric leaves.
 */
export interface Float64ComparisonRecord {
  /** The float32 backend(s) of the run's fits, e.g. "wasm". */
  backend: string;
  same_verdict: boolean;
  /** What differs in the verdict, in words (empty when the same). */
  verdict_differences: string[];
  largest_abs_difference: number | null;
  /** The leaf of the largest absolute difference, e.g. `long_market_plus_state.validation_locked.continue_auc`. */
  where: string | null;
  largest_rel_difference: number | null;
  where_relative: string | null;
  /** The float64 verdict's status. */
  float64_status: string;
  /** Wall time of the float64 refit and its metrics. */
  ms: number;
}

function paramError(field: string, message: string): InputError {
  const problem: InputProblem = { file: '', field, message };
  return new InputError(message, [problem]);
}

/** Validate the parameters as the seed and its runner do (bad ages: `invalid ages-minutes: RAW`). */
export function resolveParams(params: StateContinueParams): ResolvedParams {
  const ages = parseAges(params.agesMinutes);
  if (params.regressorKind !== 'huber' && params.regressorKind !== 'ridge') {
    throw paramError('regressor_kind', `unsupported state continue regressor kind: ${String(params.regressorKind)}`);
  }
  const positiveInt = (v: number, field: string) => {
    if (!Number.isSafeInteger(v) || v <= 0) throw paramError(field, `${field} must be a positive integer, found ${String(v)}`);
  };
  positiveInt(params.continueHorizonMinutes, 'continue_horizon_minutes');
  positiveInt(params.huberMaxIter, 'huber_max_iter');
  if (!Number.isSafeInteger(params.maxRowsPerSplit) || params.maxRowsPerSplit < 0) {
    throw paramError('max_rows_per_split', `max_rows_per_split must be 0 (off) or a positive integer, found ${String(params.maxRowsPerSplit)}`);
  }
  for (const [field, v] of [
    ['ridge_alpha', params.ridgeAlpha],
    ['regression_target_clip_bps', params.regressionTargetClipBps],
    ['min_continue_edge_bps', params.minContinueEdgeBps],
  ] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw paramError(field, `${field} must be a number, found ${String(v)}`);
  }
  if (params.ridgeAlpha < 0) throw paramError('ridge_alpha', `ridge_alpha must be ≥ 0, found ${params.ridgeAlpha}`);
  return {
    runId: params.runId,
    ages,
    regressorKind: params.regressorKind,
    ridgeAlpha: params.ridgeAlpha,
    huberMaxIter: params.huberMaxIter,
    regressionTargetClipBps: params.regressionTargetClipBps,
    maxRowsPerSplit: params.maxRowsPerSplit,
    continueHorizonMinutes: params.continueHorizonMinutes,
    minContinueEdgeBps: params.minContinueEdgeBps,
  };
}

function checkPricePlan(inputs: BaselineInputs): void {
  for (const key of ['stopDistanceBps', 'targetDistanceBps', 'costBps'] as const) {
    const v = inputs.pricePlan?.[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new InputError(`label/price_plan_context.json: ${key} must be a number, found ${JSON.stringify(v ?? null)}`, [
        { file: 'label/price_plan_context.json', field: key, message: `must be a number, found ${JSON.stringify(v ?? null)}` },
      ]);
    }
  }
}

class Stages {
  readonly ms: Record<string, number> = {};
  /** When each stage ran (wall clock): the bench takes each stage's memory over its own span. */
  readonly spans: StageSpans = {};
  /** The inputs' sizes, for an out-of-memory message. */
  sizes = '';
  constructor(private readonly hooks: StateContinueHooks) {}

  check(): void {
    if (this.hooks.signal?.aborted) throw new CancelledError();
  }

  async run<T>(stage: StageName, work: () => T | Promise<T>): Promise<T> {
    this.check();
    const started = performance.now();
    const startedEpoch = epochNow();
    try {
      return await work();
    } catch (error) {
      // an allocation that does not fit becomes a message that says so (the tab itself survives it)
      throw outOfMemoryError(error, stage, this.sizes) ?? error;
    } finally {
      this.ms[stage] = (this.ms[stage] ?? 0) + (performance.now() - started);
      addSpan(this.spans, stage, startedEpoch, epochNow());
    }
  }
}

/** The replay's name as the user knows it: the base name in split_manifest.json's source_replay_path. */
function replayFileName(inputs: BaselineInputs): string {
  const source = inputs.splitManifest?.source_replay_path;
  if (typeof source !== 'string' || !source) return 'replay parquet';
  return source.replace(/\\/g, '/').split('/').pop() || 'replay parquet';
}

const outDir = (runId: string) => `trader-v4/runs/${runId}/experiments/state_continue`;

/**
 * Everything up to the dataset: frozen scores, path stats, the state frame (and its cap), and the five
 * artifacts that exist before training (train parquet, experiment manifest, state feature schema/order, source
 * manifest).
 */
export async function buildPreTrainingArtifacts(inputs: BaselineInputs, params: StateContinueParams, hooks: StateContinueHooks = {}): Promise<PreTraining> {
  const stages = new Stages(hooks);
  const log: string[] = [];
  const data = await buildDataset(inputs, params, hooks, stages, log);
  const { artifacts, manifest } = await stages.run('artifacts', () => preTrainingArtifacts(data.stateFrame, data.manifestInput));
  emitLine(log, hooks, datasetWrittenLine(data.params, data.stateFrame));
  return { params: data.params, stateFrame: data.stateFrame, artifacts, manifest, frozenScores: data.frozenScores, stageMs: stages.ms, stageSpans: stages.spans, log };
}

function emitLine(log: string[], hooks: StateContinueHooks, line: string): void {
  log.push(line);
  hooks.log?.(line);
}

function datasetWrittenLine(params: ResolvedParams, stateFrame: Frame): string {
  const splitCounts = Object.fromEntries(valueCounts(stateFrame, 'split_id'));
  return `trader.training.state_continue_dataset_written runId=${params.runId} rowCount=${stateFrame.length} splitCounts=${pyRepr(splitCounts)} path=${outDir(params.runId)}/state_continue_train.parquet`;
}

async function buildDataset(
  inputs: BaselineInputs,
  rawParams: StateContinueParams,
  hooks: StateContinueHooks,
  stages: Stages,
  log: string[],
): Promise<Dataset> {
  const emit = (line: string) => emitLine(log, hooks, line);
  const progress = hooks.progress ?? (() => {});
  const params = resolveParams(rawParams);
  checkPricePlan(inputs);
  const rowsOf = (f: Frame) => `${f.length.toLocaleString('en-US')} rows × ${f.names.length} columns`;
  stages.sizes = `feature frame ${rowsOf(inputs.featureFrame)}, entry labels ${rowsOf(inputs.entryLabels)}, replay ${rowsOf(inputs.replay)}`;
  const stopBps = inputs.pricePlan.stopDistanceBps;
  const targetBps = inputs.pricePlan.targetDistanceBps;
  const costBps = inputs.pricePlan.costBps;
  emit(
    `trader.training.state_continue_experiment_started runId=${params.runId} baselineRunId=${inputs.baselineRunId} ages=${pyRepr(params.ages)} regressorKind=${params.regressorKind} ridgeAlpha=${showPyFloat(params.ridgeAlpha)} huberMaxIter=${params.huberMaxIter} regressionTargetClipBps=${showPyFloat(params.regressionTargetClipBps)}`,
  );
  // Begun ahead (when the files were checked), the stage counts its own computing time, not the wait for it.
  const frozenStarted = performance.now();
  const { featureRows, scores, entry, symbols, ms: frozenMs, span: frozenSpan } = await stages.run('frozen_scores', async () => {
    progress({ stage: 'frozen_scores', done: 0, total: 1 });
    const frozen = await (hooks.frozen ?? startFrozenStage(inputs));
    progress({ stage: 'frozen_scores', done: 1, total: 1, rows: frozen.scores.sampleRows.length });
    return frozen;
  });
  // A run that owns its inputs keeps of the frozen scores only what is read after the verdict (the cross-check's
  // rows): the entry set holds copies of what the state frame takes of them (~24 MB on L).
  const frozenScores = hooks.releaseInputs ? keepCrossCheckScores(scores) : scores;
  // The frozen stage and the entry set were the last to match sample_ids against the feature frame's.
  const featureIds = inputs.featureFrame.columns.sample_id;
  if (featureIds?.kind === 'string') forgetDictionaryTable(featureIds.utf8 ?? featureIds.dictionary);
  // The entry labels are read by nothing after the entry set (which holds what the state frame takes of them).
  if (hooks.releaseInputs) {
    releaseFrame(inputs.entryLabels);
    inputs.entryLabels = makeFrame([], {});
  }
  if (hooks.frozen) {
    stages.ms.frozen_scores = frozenMs;
    // its own time, not the wait for it
    stages.spans.frozen_scores = frozenSpan;
    emit(`frozen scores: computed ahead of Run, from the files' check (${Math.round(frozenMs)} ms; the run waited ${Math.round(performance.now() - frozenStarted)} ms for them)`);
  }

  const { replay, stats } = await stages.run('path_stats', () => {
    progress({ stage: 'path_stats', done: 0, total: 1 });
    const replay = sortReplay(inputs.replay, symbols, replayFileName(inputs), { consume: hooks.releaseInputs });
    // the run reads its own sorted copy from here on
    if (hooks.releaseInputs) {
      releaseFrame(inputs.replay);
      inputs.replay = makeFrame([], {});
    }
    // the state frame reads the outcome's return and adverse excursion only (not the other 22 MB on L)
    const stats = buildPathStats(replay, params.continueHorizonMinutes, targetBps, stopBps, { outcomeOnly: true });
    progress({ stage: 'path_stats', done: 1, total: 1, rows: stats.length });
    return { replay, stats };
  });

  const stateFrame = await stages.run('state_frame', () => {
    progress({ stage: 'state_frame', done: 0, total: 1 });
    const built = buildStateFrame(inputs.featureFrame, featureRows, entry, replay, stats, symbols, {
      featureOrder: inputs.featureOrder,
      ages: params.ages,
      stopBps,
      targetBps,
      costBps,
      minContinueEdgeBps: params.minContinueEdgeBps,
      // read by nothing after the frame (~110 MB on L): freed inside, as soon as the joins are done
      consumeSources: true,
    });
    for (const { age, rows } of built.ageRowCounts) {
      if (rows > 0) emit(`trader.training.state_continue_age_built ageMinutes=${age} rowCount=${rows}`);
    }
    let frame = built.frame;
    if (params.maxRowsPerSplit) {
      const capped = capRowsPerSplit(frame, params.maxRowsPerSplit);
      for (const { splitId, rows } of capped.splits) {
        emit(`trader.training.state_continue_split_capped splitId=${splitId} rowCount=${rows} maxRows=${params.maxRowsPerSplit}`);
      }
      frame = capped.frame;
    }
    progress({ stage: 'state_frame', done: 1, total: 1, rows: frame.length });
    return frame;
  });
  // the entry set was the state frame's
  if (hooks.releaseInputs) releaseEntrySet(entry);

  return {
    params,
    stateFrame,
    featureRows,
    frozenScores,
    manifestInput: {
      runId: params.runId,
      baselineRunId: inputs.baselineRunId,
      ages: params.ages,
      stopBps,
      targetBps,
      costBps,
      continueHorizonMinutes: params.continueHorizonMinutes,
      minContinueEdgeBps: params.minContinueEdgeBps,
      regressorKind: params.regressorKind,
      ridgeAlpha: params.ridgeAlpha,
      huberMaxIter: params.huberMaxIter,
      regressionTargetClipBps: params.regressionTargetClipBps,
      marketFeatureCount: inputs.featureOrder.length,
    },
  };
}

/** The model_train_manifest, with Python's float/int distinction when its text is at hand. */
function trainManifest(inputs: BaselineInputs): unknown | null {
  if (inputs.modelTrainManifestText) return parsePyJson(inputs.modelTrainManifestText, MODEL_TRAIN_MANIFEST_FILE);
  return inputs.modelTrainManifest ?? null;
}

function trainingParamsOf(inputs: BaselineInputs, params: ResolvedParams): TrainingParams {
  return {
    featureOrder: inputs.featureOrder,
    regressorKind: params.regressorKind,
    ridgeAlpha: params.ridgeAlpha,
    huberMaxIter: params.huberMaxIter,
    regressionTargetClipBps: params.regressionTargetClipBps,
  };
}

/**
 * When any of the run's fits ran in float32 (wasm, webgpu), fit the same tasks on the exact float64 cpu path and
 * compare the metrics and the verdict with the run's (issue 4). The state frame is the run's own; only the fits
 * and the metrics are redone. `runFits` gets the tasks to fit on cpu (inline by default). Null for a cpu run.
 */
export async function compareRunToFloat64(
  outcome: Pick<StateContinueOutcome, 'stateFrame' | 'params' | 'results' | 'verdict' | 'fits'>,
  inputs: Pick<BaselineInputs, 'featureOrder'>,
  options: { runFits?: (tasks: FitTask[]) => Promise<FitResult[]>; signal?: AbortSignal } = {},
): Promise<Float64ComparisonRecord | null> {
  const float32 = [...new Set(outcome.fits.map((f) => f.backend).filter((b) => b !== 'cpu'))];
  if (float32.length === 0) return null;
  const started = performance.now();
  const training = trainingParamsOf(inputs as BaselineInputs, outcome.params);
  // Planned and fitted afresh (the run's own task matrices were moved to its fit workers), without the run's log.
  const { results, fitRecords } = await trainAndScore(outcome.stateFrame, training, outcome.params.runId, { runFits: options.runFits, signal: options.signal }, new Stages({ signal: options.signal }), () => {});
  const nonCpu = fitRecords.find((f) => f.backend !== 'cpu');
  if (nonCpu) throw new Error(`the float64 refit ran ${nonCpu.key} on ${nonCpu.backend}, not cpu`);
  const verdict = buildVerdict(results);
  // Compared as the seed writes them (state_continue_result.json / _verdict.json).
  const comparison = compareToFloat64(
    { results: plainPy(resultsToPy(outcome.results)), verdict: plainPy(verdictToPy(outcome.verdict)) },
    { results: plainPy(resultsToPy(results)), verdict: plainPy(verdictToPy(verdict)) },
  );
  const finite = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? null : v);
  return {
    backend: float32.join(', '),
    same_verdict: comparison.sameVerdict,
    verdict_differences: comparison.verdictDifferences,
    largest_abs_difference: finite(comparison.largest?.absolute),
    where: comparison.largest?.path ?? null,
    largest_rel_difference: finite(comparison.largestRelative?.relative),
    where_relative: comparison.largestRelative?.path ?? null,
    float64_status: String(verdictToPy(verdict).status ?? ''),
    ms: Math.round((performance.now() - started) * 1000) / 1000,
  };
}

/** The seed's JSON as parsed back: Python floats (`PyFloat`, kept for their repr) as plain numbers. */
function plainPy(value: unknown): unknown {
  if (value instanceof PyFloat) return value.value;
  if (Array.isArray(value)) return value.map(plainPy);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainPy(v)]));
  return value;
}

/**
 * The eight fits and the four side models' metrics (apart from runStateContinue so that the side plans, each side's
 * rows, targets and splits, are not kept alive by the outcome's closures once the metrics are computed).
 */
async function trainAndScore(
  stateFrame: Frame,
  training: TrainingParams,
  runId: string,
  hooks: StateContinueHooks,
  stages: Stages,
  emit: (line: string) => void,
): Promise<{ results: Results; parts: SidePredictions[]; fitRecords: FitRecord[] }> {
  const progress = hooks.progress ?? (() => {});
  // A side's metrics start as soon as its two fits are done, one side after another, while the other fits run
  // (the metrics stage then times what is left after the last fit).
  type SideOutcome = Awaited<ReturnType<typeof finishSideModel>>;
  const sides = new Map<string, Promise<SideOutcome>>();
  const arrived = new Map<string, FitResult>();
  let sideQueue: Promise<unknown> = Promise.resolve();
  let planned: ReturnType<typeof planSideModels>['plans'] = [];
  const finishWhenReady = (fit: FitResult) => {
    arrived.set(fit.key, fit);
    for (const plan of planned) {
      const classifier = arrived.get(`${plan.resultKey}:classifier`);
      const regressor = arrived.get(`${plan.resultKey}:regressor`);
      if (!classifier || !regressor || sides.has(plan.resultKey)) continue;
      const side = sideQueue.then(() => {
        stages.check();
        return finishSideModel(plan, classifier, regressor, training);
      });
      side.catch(() => {}); // awaited by the metrics stage (unless a fit fails first)
      sides.set(plan.resultKey, side);
      sideQueue = side.catch(() => {});
    }
  };

  const { plans, tasks, fits } = await stages.run('train_fits', async () => {
    const { plans, tasks, buildMatrix } = planSideModels(stateFrame, training, { deferMatrices: Boolean(hooks.runFits && hooks.deferFitMatrices) });
    planned = plans;
    progress({ stage: 'train_fits', done: 0, total: tasks.length });
    let fits: FitResult[];
    if (hooks.runFits) fits = await hooks.runFits(tasks, finishWhenReady, buildMatrix);
    else {
      fits = [];
      for (const task of tasks) {
        stages.check();
        fits.push(executeFit(task, undefined, hooks.signal));
        progress({ stage: 'train_fits', done: fits.length, total: tasks.length, rows: task.rows });
      }
    }
    if (fits.length !== tasks.length) throw new Error(`runFits returned ${fits.length} results for ${tasks.length} tasks`);
    return { plans, tasks, fits };
  });
  const byKey = new Map(fits.map((f) => [f.key, f]));

  const { results, parts } = await stages.run('metrics', async () => {
    let done = 0;
    // the sides not begun yet (every one on the inline path) in plan order, from the fits as returned
    for (const fit of fits) if (!arrived.has(fit.key)) finishWhenReady(fit);
    const results: Results = {};
    const parts: SidePredictions[] = [];
    for (const plan of plans) {
      const side = sides.get(plan.resultKey);
      if (!side) throw new Error(`fit results lack ${plan.resultKey}`);
      const { result, predictions } = await side;
      results[plan.resultKey] = result;
      parts.push(predictions);
      const tune = result.splits[TUNE_SPLIT];
      emit(
        `trader.training.state_continue_model_trained runId=${runId} side=${plan.side} featureSet=${plan.featureSet} tuneAuc=${showPyFloat(tune?.continue_auc)} tuneMaeRatio=${showPyFloat(tune?.edge_mae_vs_constant_ratio)}`,
      );
      progress({ stage: 'metrics', done: ++done, total: plans.length });
    }
    // the sides' rows, splits and targets (shared by a side's two plans) are read by nothing after their metrics
    for (const plan of plans) release(plan.rows, plan.split, plan.yCls, plan.yReg, plan.fitPositions);
    return { results, parts };
  });

  const fitRecords: FitRecord[] = tasks.map((task) => {
    const f = byKey.get(task.key)!;
    return { key: task.key, resultKey: task.resultKey, model: task.model, rows: task.rows, cols: task.cols, iterations: f.iterations, converged: f.converged, objective: f.objective, backend: f.backend, ms: f.ms };
  });
  return { results, parts, fitRecords };
}

export async function runStateContinue(inputs: BaselineInputs, rawParams: StateContinueParams, hooks: StateContinueHooks = {}): Promise<StateContinueOutcome> {
  const stages = new Stages(hooks);
  const log: string[] = [];
  const emit = (line: string) => emitLine(log, hooks, line);
  const progress = hooks.progress ?? (() => {});
  const { params, stateFrame, manifestInput, frozenScores, featureRows } = await buildDataset(inputs, rawParams, hooks, stages, log);
  if (hooks.releaseInputs) releaseInputFrames(inputs);
  const training = trainingParamsOf(inputs, params);

  const { results, parts, fitRecords } = await trainAndScore(stateFrame, training, params.runId, hooks, stages, emit);

  // The verdict, its report and the JSON artifacts that need no parquet bytes (the report reads the manifest's
  // counts and parameters, not the train parquet's hash, which experiment_manifest.json gets once it is written).
  const { verdict, report, predictions, ready, reportManifest } = await stages.run('verdict', async () => {
    progress({ stage: 'verdict', done: 0, total: 1 });
    // (consumes `parts`: their arrays are freed once copied into the frame)
    const predictions = predictionsFrame(stateFrame, parts);
    const verdict = buildVerdict(results);
    const reportManifest = buildSourceManifest({ ...manifestInput, datasetHash: '' }, stateFrame);
    const report = buildReport(params.runId, inputs.baselineRunId, reportManifest, results, verdict, trainManifest(inputs));
    const ready = [...(await stateFeatureArtifacts(stateFrame)), ...verdictArtifacts(results, verdict, report)];
    progress({ stage: 'verdict', done: 1, total: 1 });
    return { verdict, report, predictions, ready, reportManifest };
  });

  let written: Promise<Artifact[]> | null = null;
  const outcome: StateContinueOutcome = {
    artifacts: inSeedOrder(ready),
    results,
    verdict,
    // dataset_hash_sha256 is filled in once the train parquet is written (writeArtifacts)
    manifest: reportManifest,
    stateFrame,
    predictions,
    stageMs: stages.ms,
    stageSpans: stages.spans,
    fits: fitRecords,
    log,
    report,
    params,
    frozenScores,
    featureRows,
    writeArtifacts() {
      // The parquet files are written after the verdict: the seed's own timing leaves parquet I/O out too, and
      // the page shows the verdict while they are written (the run is stored once they are).
      written ??= stages.run('artifacts', async () => {
        progress({ stage: 'artifacts', done: 0, total: 3 });
        const { train, manifest, manifestArtifact } = await trainArtifacts(stateFrame, manifestInput);
        emit(datasetWrittenLine(params, stateFrame));
        progress({ stage: 'artifacts', done: 2, total: 3 });
        const { artifact: predictionsArtifact } = await parquetArtifact('state_continue_predictions.parquet', predictions);
        emit(`trader.training.state_continue_experiment_finished runId=${params.runId} report=${outDir(params.runId)}/state_continue_experiment_report.md`);
        progress({ stage: 'artifacts', done: 3, total: 3 });
        outcome.manifest = manifest;
        outcome.artifacts = inSeedOrder([...ready, train, manifestArtifact, predictionsArtifact]);
        return outcome.artifacts;
      });
      return written;
    },
  };
  if (!hooks.deferArtifacts) await outcome.writeArtifacts();
  return outcome;
}

/**
 * The pipeline worker's page-start warm-up on a small run (the demo): every stage up to the verdict once, with
 * zero coefficients in place of the fits and no parquet written, so that the stages' code is compiled past the
 * engine's first tiers before a real run. Nothing of it is kept; an abort stops it between stages.
 */
export async function warmUpStages(inputs: BaselineInputs, signal: AbortSignal): Promise<void> {
  const zeroFits = async (tasks: FitTask[]): Promise<FitResult[]> =>
    tasks.map((task) => ({ key: task.key, model: task.model, coef: new Float64Array(task.cols), intercept: 0, iterations: 0, converged: true, objective: 0, backend: 'cpu', ms: 0 }));
  try {
    await runStateContinue(inputs, { ...defaultParams(), runId: 'warm-up' }, { signal, runFits: zeroFits, deferArtifacts: true });
  } catch (error) {
    if (!(error instanceof CancelledError)) throw error;
  }
}
