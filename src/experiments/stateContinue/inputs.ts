import type { Frame } from '../../data/frame.ts';
import { STATE_CONTINUE_DEFAULTS } from '../../core/constants.ts';

export interface OnnxTensor {
  name: string;
  dims: number[];
  data: Float32Array;
}

export interface PricePlan {
  stopDistanceBps: number;
  targetDistanceBps: number;
  costBps: number;
}

/** A baseline run (SPEC §1), validated and loaded. */
export interface BaselineInputs {
  /** The run folder's name (the seed's baseline_run_id). */
  baselineRunId: string;
  featureOrder: string[];
  /** feature/feature_frame.parquet */
  featureFrame: Frame;
  /** label/entry_labels.parquet */
  entryLabels: Frame;
  /** The replay parquet named (by base name) in split/split_manifest.json. */
  replay: Frame;
  pricePlan: PricePlan;
  splitManifest: Record<string, unknown>;
  /** Initializers of model/direction/direction.onnx and model/entry/entry.onnx, by name. */
  directionInitializers: Map<string, OnnxTensor>;
  entryInitializers: Map<string, OnnxTensor>;
  /** The two models' bytes, when at hand: their graphs are run in onnxruntime-web to cross-check the scores. */
  directionOnnxBytes?: Uint8Array;
  entryOnnxBytes?: Uint8Array;
  /** model/model_train_manifest.json, or null when absent (the report then leaves out its baseline section). */
  modelTrainManifest: unknown | null;
  /** The text of model/model_train_manifest.json when present (optional): lets the report print its numbers as
   * Python does (`1.0` stays `1.0`; JSON.parse would give `1`). */
  modelTrainManifestText?: string | null;
}

export type RegressorKind = 'huber' | 'ridge';
export type BackendChoice = 'auto' | 'cpu' | 'wasm' | 'webgpu';

export interface StateContinueParams {
  runId: string;
  /** Raw text as the user typed it ("5,15,30,60"); parsed like the seed's _parse_ages. */
  agesMinutes: string;
  regressorKind: RegressorKind;
  ridgeAlpha: number;
  huberMaxIter: number;
  regressionTargetClipBps: number;
  maxRowsPerSplit: number;
  continueHorizonMinutes: number;
  minContinueEdgeBps: number;
  backend: BackendChoice;
}

export function defaultParams(): StateContinueParams {
  return { ...STATE_CONTINUE_DEFAULTS };
}

/**
 * An output file of a run. The parquet artifacts are Blobs: written piece by piece into the browser's blob store
 * (outside the page's memory on Chromium) and stored, linked and zipped from there, never joined into one buffer;
 * the JSON and Markdown ones are bytes.
 */
export interface Artifact {
  name: string;
  mime: string;
  bytes: Uint8Array | Blob;
}

/** An artifact's size in bytes. */
export function artifactSize(a: Pick<Artifact, 'bytes'>): number {
  return a.bytes instanceof Uint8Array ? a.bytes.byteLength : a.bytes.size;
}

/** An artifact's bytes (a Blob's read into memory). */
export async function artifactBytes(a: Pick<Artifact, 'bytes'>): Promise<Uint8Array> {
  return a.bytes instanceof Uint8Array ? a.bytes : new Uint8Array(await a.bytes.arrayBuffer());
}

/** The text of a small bytes artifact (JSON, Markdown); empty for a Blob, which only parquet artifacts are. */
export function artifactText(a: Pick<Artifact, 'bytes'>): string {
  return a.bytes instanceof Uint8Array ? new TextDecoder().decode(a.bytes) : '';
}
