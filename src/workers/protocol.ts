/**
 * The one typed protocol between the page and its workers (DuckDB-WASM / Squoosh pattern).
 *
 * Every call carries a message id; the worker answers with any number of `progress` messages and then exactly one
 * `result` or `error`. A worker may call back into the page (`host-call`, answered by `host-reply`, with `host-partial` messages before it for results ready early): the pipeline
 * worker uses it to hand its eight model fits to the page's pool of fit workers. Large byte buffers travel in
 * transfer lists. Cancelling terminates the worker (the only way to give back wasm memory); `cancel` messages
 * exist for transports that cannot be terminated (tests over a MessageChannel).
 */
import { CancelledError, InputError, type InputProblem } from '../core/errors.ts';
import type { Artifact, BackendChoice, StateContinueParams } from '../experiments/stateContinue/inputs.ts';
import type { FitRecord, InputFingerprint } from '../store/runTypes.ts';
import type { FitResult, FitTask } from '../experiments/stateContinue/training.ts';
import type { RunInsights } from '../analysis/runInsights.ts';
import type { Frame } from '../data/frame.ts';
import type { StageSpans } from '../core/stageSpans.ts';
import type { Float64ComparisonRecord } from '../experiments/stateContinue/pipeline.ts';

// ---------------------------------------------------------------------------------------------------------------
// Payloads

/** A file as the page received it: its path inside the run (folder walk, zip entry or bare name) and its bytes. */
export interface DroppedFile {
  path: string;
  file: Blob | Uint8Array;
}

/** A dropped file, what the intake took it for, and (for the files the run reads) its fingerprint. */
export interface DetectedFile {
  /** The path as dropped. */
  path: string;
  name: string;
  size: number;
  /** SHA-256 of the file ('' for a file the run does not read). */
  sha256: string;
  /** Its path inside the run ('feature/feature_frame.parquet', the replay's path), or null when it is not used. */
  role: string | null;
}

/** The run's record of an input: named by its path inside the run. */
export function inputFingerprint(file: DetectedFile): InputFingerprint {
  return { path: file.role ?? file.path, name: file.name, size: file.size, sha256: file.sha256 };
}

export interface IntakeReport {
  /** The run folder's name (the seed's baseline_run_id), '' when unknown. */
  baselineRunId: string;
  files: DetectedFile[];
  /** Every problem found, all at once; empty when the run is complete and well-formed. */
  problems: InputProblem[];
}

/** Progress vocabulary (transformers.js style): a stage starts, reports rows or steps, and is done. */
export type Progress =
  | { kind: 'stage'; stage: string; state: 'start' | 'progress' | 'done'; rows?: number; done?: number; total?: number; message?: string }
  | { kind: 'fit'; key: string; model: string; state: 'start' | 'progress' | 'done'; iteration?: number; maxIter?: number; backend?: string; ms?: number; message?: string }
  | { kind: 'log'; line: string };

/** What a finished state-continue run hands back to the page. */
export interface RunOutcome {
  baselineRunId: string;
  inputs: InputFingerprint[];
  /**
   * The artifacts made by the verdict (the JSON and the report); the two parquet files and the experiment
   * manifest follow by `followUp` (`artifacts`), and the page stores the run once they are there.
   */
  artifacts: Artifact[];
  /** state_continue_result.json and state_continue_verdict.json as objects (parsed from the artifacts if need be). */
  results: Record<string, unknown> | null;
  verdict: Record<string, unknown> | null;
  /** Wall time of each stage, measured in the worker, in the order the stages ran. */
  stageTimingsMs: Record<string, number>;
  /** When each stage ran (ms since the epoch): the load and frozen scores ran during the drop-time check. */
  stageSpans: StageSpans;
  fits: FitRecord[];
  log: string[];
  /**
   * Always null since the verdict comes first: the report's plots arrive by the `followUp` call (`insights`),
   * after the run's total_ms has ended. Kept for callers that read it.
   */
  insights: RunInsights | null;
}

/** What the pipeline worker computes after the verdict, from the frames it still holds (`followUp`). */
export type FollowUpKind = 'artifacts' | 'insights' | 'cross_check' | 'float64';
export interface RunFollowUp {
  /** The artifacts written after the verdict (train and predictions parquet, experiment manifest). */
  artifacts?: Artifact[];
  /** The report's plots (null when they could not be made; `error` says why). */
  insights?: RunInsights | null;
  /** The float64 check of a run with float32 fits (null for a cpu run). */
  float64Comparison?: Float64ComparisonRecord | null;
  /** Lines for the run's log (the onnxruntime cross-check of the frozen scores). */
  log?: string[];
  /** Wall time of this follow-up, under the stage name the run record keeps (`artifacts`, `insights`, `onnx_cross_check`, `float64_check`). */
  stageTimingsMs: Record<string, number>;
  /** When it ran (ms since the epoch), under the same stage name. */
  stageSpans: StageSpans;
  /** Why it could not be computed (the run stands: a follow-up costs the plots or the check, not the run). */
  error?: string;
}

/** One fit as the pool hands it to a fit worker, with the backend the user asked for. */
export interface FitJob {
  task: FitTask;
  backend: BackendChoice;
}

/** A fit worker's answer: training.ts's result and how the fit went. */
export interface FitJobResult {
  result: FitResult;
  record: FitRecord;
}

// ---------------------------------------------------------------------------------------------------------------
// Methods: request and response per method name, one map per worker kind.

export type PipelineApi = {
  /** Get the worker's decoder ready (its wasm compiled) before the first files arrive. */
  /** Page start: load the decoder and run the pipeline's code once on made-up data / the demo run (`demo`). */
  warm: { request: { demo?: DroppedFile[] }; response: null };
  intake: { request: { files: DroppedFile[] }; response: IntakeReport };
  run: {
    request: { files: DroppedFile[]; params: StateContinueParams; fingerprints?: InputFingerprint[] };
    response: RunOutcome;
  };
  /** After `run` answered: its plots, the onnxruntime cross-check of its frozen scores, or its float64 check. Rejects when no run is held. */
  followUp: { request: { what: FollowUpKind }; response: RunFollowUp };
  /**
   * While `run` waits on its fits: the fit matrix a job names (`FitTask.matrix`), built now and moved to the
   * page, which asks for it when a fit worker is free to take it (`runFitJobs`' `materialize`).
   */
  fitMatrix: { request: { name: string }; response: Float32Array };
}

export type FitApi = {
  fit: { request: FitJob; response: FitJobResult };
  /**
   * Fits whose tasks share one design matrix (a side's classifier and regressor), one after the other on the same
   * worker: the matrix crosses once, moved, and the backend holds it once for all of them.
   */
  fitGroup: { request: { jobs: FitJob[] }; response: FitJobResult[] };
}

/** A decode worker (started by the pipeline worker): one parquet input decoded into a Frame, moved back. */
export type DecodeApi = {
  read: { request: { file: Blob | Uint8Array; path: string; columns: string[] }; response: Frame };
}

/** Calls a worker makes back into the page. */
export type HostApi = {
  /**
   * Every job's result in the jobs' order; each one also as a partial answer as soon as its fit is done. A job
   * whose task names its matrix (`FitTask.matrix`, x empty) gets it from the calling worker's `fitMatrix`.
   */
  runFits: { request: { jobs: FitJob[] }; response: FitJobResult[]; partial: FitJobResult };
}

/** What a host call may send back before its answer (`host-partial`). */
export type HostPartial<K extends keyof HostApi> = HostApi[K]['partial'];

export type ApiMap = Record<string, { request: object; response: unknown }>;
export type RequestOf<Api extends ApiMap, K extends keyof Api = keyof Api> = { [M in K]: { type: M } & Api[M]['request'] }[K];
export type ResponseOf<Api extends ApiMap, K extends keyof Api> = Api[K]['response'];

// ---------------------------------------------------------------------------------------------------------------
// Wire messages

export interface SerializedError {
  name: string;
  message: string;
  problems?: InputProblem[];
  stack?: string;
}

export type ToWorker =
  | { kind: 'call'; id: number; request: { type: string } & Record<string, unknown> }
  | { kind: 'cancel'; id: number }
  | { kind: 'host-partial'; callId: number; value: unknown }
  | { kind: 'host-reply'; callId: number; ok: true; value: unknown }
  | { kind: 'host-reply'; callId: number; ok: false; error: SerializedError };

export type FromWorker =
  | { kind: 'progress'; id: number; progress: Progress }
  | { kind: 'result'; id: number; value: unknown }
  | { kind: 'error'; id: number; error: SerializedError }
  | { kind: 'host-call'; id: number; callId: number; request: { type: string } & Record<string, unknown> };

/** The part of a Worker / MessagePort / DedicatedWorkerGlobalScope both sides need. */
export interface Endpoint {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener?(type: 'message', listener: (event: MessageEvent) => void): void;
  start?(): void;
}

// ---------------------------------------------------------------------------------------------------------------
// Transfer lists: a value marked with `withTransfer` is posted with those buffers moved, not copied.

const transfers = new WeakMap<object, Transferable[]>();

export function withTransfer<T extends object>(value: T, list: Transferable[]): T {
  transfers.set(value, list);
  return value;
}

export function takeTransfer(value: unknown): Transferable[] {
  if (value === null || typeof value !== 'object') return [];
  const list = transfers.get(value) ?? [];
  transfers.delete(value);
  // A buffer may appear once only in a transfer list; shared or already-detached ones must not be listed.
  return [...new Set(list)].filter((t) => !(t instanceof ArrayBuffer) || t.byteLength > 0);
}

/**
 * The buffers of artifacts, for a transfer list (Blobs cross by reference and need none). Views on a shared
 * buffer are copied first by the caller.
 */
export function artifactBuffers(artifacts: { bytes: Uint8Array | Blob }[]): Transferable[] {
  const out: ArrayBuffer[] = [];
  for (const a of artifacts) if (a.bytes instanceof Uint8Array && a.bytes.buffer instanceof ArrayBuffer) out.push(a.bytes.buffer);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Errors cross the boundary as plain data and come back as the same classes.

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const out: SerializedError = { name: error.name, message: error.message, stack: error.stack };
    const problems = (error as { problems?: InputProblem[] }).problems;
    if (Array.isArray(problems)) out.problems = problems.map((p) => ({ ...p }));
    return out;
  }
  return { name: 'Error', message: String(error) };
}

/** A worker died (uncaught error, wasm panic, out of memory) while a call was running; it is restarted on next use. */
export class WorkerCrashError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerCrashError';
  }
}

export function reviveError(error: SerializedError): Error {
  let out: Error;
  // InputError and its subclasses (a parquet decoder panic on a bad file) carry their problems: still bad input.
  if (error.name === 'InputError' || error.problems) {
    out = new InputError(error.message, error.problems ?? [{ file: '', message: error.message }]);
    out.name = error.name;
  }
  else if (error.name === 'CancelledError') out = new CancelledError(error.message);
  else if (error.name === 'WorkerCrashError') out = new WorkerCrashError(error.message);
  else {
    out = new Error(error.message);
    out.name = error.name;
  }
  if (error.stack) out.stack = error.stack;
  return out;
}

/** Errors after which the worker's wasm state cannot be trusted: the worker is restarted. */
export function isFatalWorkerError(error: SerializedError | Error): boolean {
  return error.name === 'RuntimeError' || error.name === 'WorkerCrashError' || error.name === 'ParquetDecoderPanic' || /unreachable|memory access out of bounds|out of memory/i.test(error.message);
}
