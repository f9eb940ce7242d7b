/** What the workbench keeps of a run (SPEC §5). Plain structured-cloneable data: it goes into IndexedDB as is. */
import type { InputProblem } from '../core/errors.ts';
import type { RunInsights } from '../analysis/runInsights.ts';
import type { Float64ComparisonRecord } from '../experiments/stateContinue/pipeline.ts';
import type { StageSpans } from '../core/stageSpans.ts';

export type RunStatus = 'ok' | 'failed' | 'cancelled' | 'input-error';
export type RunKind = 'state_continue' | 'risk_filter';

/** One input file as the run saw it. `path` is the path inside the run; `name` its base name. */
export interface InputFingerprint {
  path: string;
  name: string;
  size: number;
  sha256: string;
}

/** One model fit: where it ran and how it ended. */
export interface FitRecord {
  key: string;
  model: string;
  backend: string;
  ms: number;
  iterations: number;
  converged: boolean;
}

export interface ArtifactInfo {
  name: string;
  mime: string;
  size: number;
}

export interface StoredRun {
  /** Unique key in the store: the run id the user chose, suffixed (`-2`, `-3`, …) when already taken. */
  id: string;
  kind: RunKind;
  status: RunStatus;
  /** ISO-8601 UTC: when the files reached the page, and when the run ended. */
  startedAt: string;
  finishedAt: string;
  parameters: Record<string, unknown>;
  inputs: InputFingerprint[];
  /** Wall time of each stage, in the order the stages ran. */
  stageTimingsMs: Record<string, number>;
  /** When each stage ran (ms since the epoch); absent from runs stored before it was recorded and from risk-filter runs. */
  stageSpans?: StageSpans;
  /** From the moment the files reached the page (intake start) to the verdict (or the end of a failed run). */
  totalMs: number;
  fits: FitRecord[];
  /** The seed's verdict object (`status`, `reasons`, `passed_checks`, `acceptance_rule`), null when none. */
  verdict: Record<string, unknown> | null;
  /** The seed's results object (state_continue_result.json): per model key, per split metrics. */
  metrics: Record<string, unknown> | null;
  log: string[];
  /** Failure or cancellation message; the full problems text for an input error. */
  error: string | null;
  problems: InputProblem[];
  artifacts: ArtifactInfo[];
  /** What the report's plots draw (curves, rows, coefficients, drift), computed with the run; absent on older runs. */
  insights?: RunInsights | null;
  /** A run with float32 fits (wasm, webgpu) refit on the exact float64 path, compared (issue 4); null for cpu runs. */
  float64Comparison?: Float64ComparisonRecord | null;
}

export interface StoredArtifact {
  runId: string;
  name: string;
  mime: string;
  /** Parquet artifacts of runs made since the page writes them as Blobs are Blobs; the rest are bytes. */
  bytes: Uint8Array | Blob;
}
