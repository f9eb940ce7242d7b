/**
 * The nine artifacts of a run, with the seed's names and contents (JSON as the seed's write_json writes it:
 * sorted keys, indent 2, UTF-8 unescaped, trailing newline; Python floats stay floats).
 *
 * `baseline_root` is `trader-v4/runs/<baselineRunId>`: the seed writes its machine's absolute data_root there,
 * which means nothing in a browser. `dataset_hash_sha256` is the SHA-256 of our own train parquet bytes (the
 * seed's is of DuckDB's bytes; the two writers differ, so only self-consistency can be checked).
 */
import type { Frame } from '../../data/frame.ts';
import { writeParquetStreamed } from '../../data/parquet.ts';
import { zipToBlob } from '../../data/zip.ts';
import { canonicalJson, pyFloat, writeJsonText } from '../../core/pyjson.ts';
import { sha256Hex } from '../../core/hash.ts';
import { STATE_FEATURES } from '../../core/constants.ts';
import type { Artifact, RegressorKind } from './inputs.ts';
import { resultsToPy, type Results } from './metrics.ts';
import { verdictToPy, type Verdict } from './verdict.ts';
import { valueCounts } from './stateFrame.ts';
import { STATE_CONTINUE_ARTIFACTS } from '../../core/constants.ts';

export const ARTIFACT_NAMES = STATE_CONTINUE_ARTIFACTS;

const PARQUET_MIME = 'application/vnd.apache.parquet';
const JSON_MIME = 'application/json';
const MARKDOWN_MIME = 'text/markdown; charset=utf-8';

export interface SourceManifestInput {
  runId: string;
  baselineRunId: string;
  ages: number[];
  stopBps: number;
  targetBps: number;
  costBps: number;
  continueHorizonMinutes: number;
  minContinueEdgeBps: number;
  regressorKind: RegressorKind;
  ridgeAlpha: number;
  huberMaxIter: number;
  regressionTargetClipBps: number;
  marketFeatureCount: number;
  datasetHash: string;
}

/** The experiment manifest as plain values (numbers as JS numbers); `sourceManifestToPy` gives it Python's types. */
export interface SourceManifest {
  experiment: string;
  run_id: string;
  baseline_run_id: string;
  baseline_root: string;
  ages_minutes: number[];
  target_bps: number;
  stop_bps: number;
  cost_bps: number;
  continue_horizon_minutes: number;
  min_continue_edge_bps: number;
  regressor_kind: RegressorKind;
  ridge_alpha: number | null;
  huber_max_iter: number | null;
  regression_target_clip_bps: number | null;
  dataset_hash_sha256: string;
  row_count: number;
  split_counts: [string, number][];
  side_counts: [string, number][];
  market_feature_count: number;
}

export function baselineRoot(baselineRunId: string): string {
  return `trader-v4/runs/${baselineRunId}`;
}

export function buildSourceManifest(input: SourceManifestInput, stateFrame: Frame): SourceManifest {
  return {
    experiment: 'state_continue_diagnostic_v1',
    run_id: input.runId,
    baseline_run_id: input.baselineRunId,
    baseline_root: baselineRoot(input.baselineRunId),
    ages_minutes: input.ages,
    target_bps: input.targetBps,
    stop_bps: input.stopBps,
    cost_bps: input.costBps,
    continue_horizon_minutes: input.continueHorizonMinutes,
    min_continue_edge_bps: input.minContinueEdgeBps,
    regressor_kind: input.regressorKind,
    ridge_alpha: input.regressorKind === 'ridge' ? input.ridgeAlpha : null,
    huber_max_iter: input.regressorKind === 'huber' ? input.huberMaxIter : null,
    regression_target_clip_bps: input.regressionTargetClipBps > 0 ? input.regressionTargetClipBps : null,
    dataset_hash_sha256: input.datasetHash,
    row_count: stateFrame.length,
    split_counts: valueCounts(stateFrame, 'split_id'),
    side_counts: valueCounts(stateFrame, 'position_side'),
    market_feature_count: input.marketFeatureCount,
  };
}

const orNull = (x: number | null) => (x === null ? null : pyFloat(x));

export function sourceManifestToPy(m: SourceManifest): Record<string, unknown> {
  return {
    experiment: m.experiment,
    run_id: m.run_id,
    baseline_run_id: m.baseline_run_id,
    baseline_root: m.baseline_root,
    ages_minutes: m.ages_minutes,
    target_bps: pyFloat(m.target_bps),
    stop_bps: pyFloat(m.stop_bps),
    cost_bps: pyFloat(m.cost_bps),
    continue_horizon_minutes: m.continue_horizon_minutes,
    min_continue_edge_bps: pyFloat(m.min_continue_edge_bps),
    regressor_kind: m.regressor_kind,
    ridge_alpha: orNull(m.ridge_alpha),
    huber_max_iter: m.huber_max_iter,
    regression_target_clip_bps: orNull(m.regression_target_clip_bps),
    dataset_hash_sha256: m.dataset_hash_sha256,
    row_count: m.row_count,
    split_counts: Object.fromEntries(m.split_counts),
    side_counts: Object.fromEntries(m.side_counts),
    feature_inputs: {
      market_feature_count: m.market_feature_count,
      state_features: [...STATE_FEATURES],
      state_feature_count: STATE_FEATURES.length,
    },
    leakage_policy: {
      uses_future_entry_label_as_feature: false,
      uses_same_round_model_prediction_as_feature: false,
      entry_predicted_edge_bps: 'baseline frozen ENTRY ONNX output selected by side',
      entry_direction_prob: 'baseline frozen DIRECTION ONNX output selected by side',
      add_count: 'synthetic first-position diagnostic, fixed to 0',
      minutes_since_last_add: 'synthetic first-position diagnostic, fixed to 9999',
    },
  };
}

export function stateFeatureSchema(): Record<string, string>[] {
  const row = (name: string, unit: string, source: string, leakage_check: string) => ({ name, unit, source, leakage_check });
  return [
    row('position_side_sign', '-1/1', 'synthetic position state', 'known at current position time'),
    row('time_in_position_minutes', 'minute', 'entry time to current time', 'known at current position time'),
    row('unrealized_pnl_bps', 'bps', 'entry price and current close', 'uses <= current time price'),
    row('mfe_since_entry_bps', 'bps', 'high since entry', 'uses only entry..current high'),
    row('mae_since_entry_bps', 'bps', 'low/high since entry', 'uses only entry..current low/high'),
    row('distance_to_stop_bps', 'bps', 'price plan and current close', 'uses fixed plan and current price'),
    row('distance_to_target_bps', 'bps', 'price plan and current close', 'uses fixed plan and current price'),
    row('entry_predicted_edge_bps', 'bps', 'baseline frozen ENTRY ONNX', 'baseline model is fixed before this experiment'),
    row('entry_direction_prob', 'probability', 'baseline frozen DIRECTION ONNX', 'baseline model is fixed before this experiment'),
    row('add_count', 'count', 'synthetic position state', 'known at current position time'),
    row('minutes_since_last_add', 'minute', 'synthetic position state', 'known at current position time'),
  ];
}

/** `sha256_json(STATE_FEATURES)`: what the seed's write_json returns for position_state_feature_order.json. */
export function stateFeatureOrderHash(): Promise<string> {
  return sha256Hex(canonicalJson([...STATE_FEATURES]));
}

export function sourceManifestExtra(orderHash: string, stateFrame: Frame): Record<string, unknown> {
  return {
    entry_predicted_edge_bps: 'run-10 frozen ENTRY ONNX output selected by entry side',
    entry_direction_prob: 'run-10 frozen DIRECTION ONNX output selected by entry side',
    out_of_fold_used: false,
    frozen_model_output_used: true,
    frozen_model_output_policy: 'baseline model is fixed and is not retrained inside this experiment',
    replay_decision_trace_used: false,
    state_feature_order_hash: orderHash,
    row_count: stateFrame.length,
    split_counts: Object.fromEntries(valueCounts(stateFrame, 'split_id')),
  };
}

const encoder = new TextEncoder();

export function jsonArtifact(name: string, value: unknown): Artifact {
  return { name, mime: JSON_MIME, bytes: encoder.encode(writeJsonText(value)) };
}

/**
 * A frame as a parquet artifact, a Blob (writeParquetStreamed): large frames go to the writer in row slices and
 * come back a piece at a time, without a whole-frame Arrow copy in JS or in wasm memory and without one buffer
 * of the whole file. With `sha256`, the file's hash is taken from the pieces as they come.
 */
export async function parquetArtifact(name: string, frame: Frame, options: { sha256?: boolean } = {}): Promise<{ artifact: Artifact; sha256: string | null }> {
  const { blob, sha256 } = await writeParquetStreamed(frame, { sha256: options.sha256 });
  return { artifact: { name, mime: PARQUET_MIME, bytes: blob }, sha256 };
}

export function textArtifact(name: string, text: string): Artifact {
  return { name, mime: MARKDOWN_MIME, bytes: encoder.encode(text) };
}

/** The three artifacts about the state features: their schema and order, and the source manifest. */
export async function stateFeatureArtifacts(stateFrame: Frame): Promise<Artifact[]> {
  const orderHash = await stateFeatureOrderHash();
  return [
    jsonArtifact('position_state_feature_schema.json', stateFeatureSchema()),
    jsonArtifact('position_state_feature_order.json', [...STATE_FEATURES]),
    jsonArtifact('position_state_source_manifest.json', sourceManifestExtra(orderHash, stateFrame)),
  ];
}

/** The train parquet and the experiment manifest, whose dataset_hash_sha256 is the parquet's SHA-256. */
export async function trainArtifacts(
  stateFrame: Frame,
  input: Omit<SourceManifestInput, 'datasetHash'>,
): Promise<{ train: Artifact; manifestArtifact: Artifact; manifest: SourceManifest }> {
  const { artifact: train, sha256 } = await parquetArtifact('state_continue_train.parquet', stateFrame, { sha256: true });
  const manifest = buildSourceManifest({ ...input, datasetHash: sha256! }, stateFrame);
  return { train, manifest, manifestArtifact: jsonArtifact('experiment_manifest.json', sourceManifestToPy(manifest)) };
}

/**
 * The five artifacts that exist before training: the train parquet, the experiment manifest, the state feature
 * schema and order, the source manifest.
 */
export async function preTrainingArtifacts(
  stateFrame: Frame,
  input: Omit<SourceManifestInput, 'datasetHash'>,
): Promise<{ artifacts: Artifact[]; manifest: SourceManifest }> {
  const { train, manifest, manifestArtifact } = await trainArtifacts(stateFrame, input);
  return { manifest, artifacts: [train, manifestArtifact, ...(await stateFeatureArtifacts(stateFrame))] };
}

/** The three artifacts of the verdict: the results, the verdict and the report. */
export function verdictArtifacts(results: Results, verdict: Verdict, report: string): Artifact[] {
  return [
    jsonArtifact('state_continue_result.json', resultsToPy(results)),
    jsonArtifact('state_continue_verdict.json', verdictToPy(verdict)),
    textArtifact('state_continue_experiment_report.md', report),
  ];
}

/** All artifacts in one .zip (stored flat, the seed's file names): parquet is compressed already and stored as is, text is deflated. */
export function artifactsZip(artifacts: Artifact[]): Promise<Blob> {
  return zipToBlob(artifacts.map((a) => ({ path: a.name, data: a.bytes, level: /\.parquet$/i.test(a.name) ? 0 : 6 })));
}
