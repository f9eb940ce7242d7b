/**
 * From a page run's outputs (timings.json, run_record.json, the result and manifest artifacts) and the baseline's
 * parquet footers to one row per stage: time, rows processed, rows per second, peak memory in that stage.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readParquetFooter } from '../../src/data/parquetFooter.ts';
import { peakBetween, type MemorySample } from './procMemory.ts';

export interface InputRows {
  feature_frame: number;
  entry_labels: number;
  replay: number;
}

export interface StageRow {
  stage: string;
  ms: number;
  /** What `rows` counts, e.g. "replay bars". */
  rows_of: string;
  rows: number;
  rows_per_s: number | null;
  /** Peak resident MB of the renderer (page + workers) while the stage ran (over its span; see below). */
  peak_renderer_mb: number | null;
  backend?: string;
  iterations?: number;
}

/** Row counts of the three parquet inputs, from their footers (no decoding). */
export function inputRows(baselineDir: string): InputRows {
  const rows = (path: string) => readParquetFooter(new Uint8Array(readFileSync(join(baselineDir, path)))).rowCount;
  const manifest = JSON.parse(readFileSync(join(baselineDir, 'split', 'split_manifest.json'), 'utf8')) as { source_replay_path: string };
  const replayName = manifest.source_replay_path.split('/').pop() ?? '';
  return {
    feature_frame: rows('feature/feature_frame.parquet'),
    entry_labels: rows('label/entry_labels.parquet'),
    replay: rows(join('replay', replayName)),
  };
}

/** The order the page runs its stages in; `artifacts` (the parquet files) and what follows come after the verdict. */
const EXECUTION_ORDER = ['intake', 'load', 'frozen_scores', 'path_stats', 'state_frame', 'train_fits', 'metrics', 'verdict', 'artifacts'];

const MB = 1024 * 1024;

export interface PageTimings {
  total_ms: number;
  stages_ms: Record<string, number>;
  /** When each stage ran, [start, end] in ms since the epoch (absent from timings.json of older runs). */
  stage_spans_epoch_ms?: Record<string, [number, number]>;
  fits: { key: string; model: string; backend: string; ms: number; iterations: number; converged: boolean }[];
  runner_ms: Record<string, number>;
}

export function stageRows(
  outDir: string,
  input: InputRows,
  samples: MemorySample[],
): { stages: StageRow[]; fits: StageRow[]; stateRows: number; timings: PageTimings; startedAt: number | null } {
  const timings = JSON.parse(readFileSync(join(outDir, 'timings.json'), 'utf8')) as PageTimings;
  const record = JSON.parse(readFileSync(join(outDir, 'run_record.json'), 'utf8')) as { started_at?: string };
  const manifest = JSON.parse(readFileSync(join(outDir, 'experiment_manifest.json'), 'utf8')) as { row_count: number };
  const results = JSON.parse(readFileSync(join(outDir, 'state_continue_result.json'), 'utf8')) as Record<
    string,
    { row_count: number; fit_inner?: { row_count: number } }
  >;
  const stateRows = manifest.row_count;
  const allInput = input.feature_frame + input.entry_labels + input.replay;
  const modelRows = Object.values(results).reduce((s, r) => s + r.row_count, 0);
  const fitRows = (key: string) => results[key.split(':')[0]]?.fit_inner?.row_count ?? 0;

  const counted: Record<string, [string, number]> = {
    intake: ['input rows (footers)', allInput],
    load: ['input rows decoded', allInput],
    frozen_scores: ['feature rows', input.feature_frame],
    path_stats: ['replay bars', input.replay],
    state_frame: ['state rows', stateRows],
    train_fits: ['fit_inner rows, all fits', timings.fits.reduce((s, f) => s + fitRows(f.key), 0)],
    // each side is scored as soon as its fits are done: what is timed here is what was left after the last fit
    metrics: ['model rows scored; the part after the last fit (the rest ran beside the fits)', modelRows],
    verdict: ['state rows', stateRows],
    artifacts: ['state rows, after the verdict', stateRows],
  };

  // Memory windows: each stage's own span, as the page recorded it (the page's clock is this machine's, as the
  // samples'); a run recorded without spans has its stages laid end to end from started_at in execution order.
  const spans = timings.stage_spans_epoch_ms ?? {};
  const startedAt = record.started_at ? Date.parse(record.started_at) : null;
  const names = [
    ...EXECUTION_ORDER.filter((s) => s in timings.stages_ms),
    ...Object.keys(timings.stages_ms).filter((s) => !EXECUTION_ORDER.includes(s)),
  ];
  let cursor = startedAt ?? 0;
  const stages: StageRow[] = names.map((stage) => {
    const ms = timings.stages_ms[stage];
    const [rowsOf, rows] = counted[stage] ?? ['state rows', stateRows];
    const span = spans[stage];
    const from = span ? span[0] : cursor;
    const to = span ? span[1] : cursor + ms;
    cursor += ms;
    return {
      stage,
      ms,
      rows_of: rowsOf,
      rows,
      rows_per_s: ms > 0 && stage !== 'metrics' ? Math.round(rows / (ms / 1000)) : null,
      peak_renderer_mb: startedAt === null && !span ? null : mb(peakNear(samples, from, to)),
    };
  });

  const fits: StageRow[] = timings.fits.map((fit) => {
    const rows = fitRows(fit.key);
    return {
      stage: `fit ${fit.key} (${fit.model})`,
      ms: fit.ms,
      rows_of: 'fit_inner rows',
      rows,
      rows_per_s: fit.ms > 0 ? Math.round(rows / (fit.ms / 1000)) : null,
      peak_renderer_mb: null,
      backend: fit.backend,
      iterations: fit.iterations,
    };
  });
  return { stages, fits, stateRows, timings, startedAt };
}

/** Peak in the window, or the sample nearest to it when the window is shorter than the sampling interval. */
function peakNear(samples: MemorySample[], from: number, to: number): number | null {
  const inside = peakBetween(samples, from, to, 'renderer');
  if (inside !== null) return inside;
  let best: MemorySample | null = null;
  const mid = (from + to) / 2;
  for (const s of samples) if (!best || Math.abs(s.t - mid) < Math.abs(best.t - mid)) best = s;
  return best ? best.renderer : null;
}

function mb(bytes: number | null): number | null {
  return bytes === null ? null : Math.round((bytes / MB) * 10) / 10;
}

export { mb };
