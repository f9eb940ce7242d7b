/**
 * run_record.json: what the page measured and decided for one run (the page's automation contract). The headless
 * runner writes timings.json from it, so its keys are stable: parameters, inputs, stage_timings_ms, stage_spans_epoch_ms, total_ms,
 * fits [{key, model, backend, ms, iterations, converged}], verdict, log.
 */
import type { StateContinueParams } from '../experiments/stateContinue/inputs.ts';
import type { StoredRun } from './runTypes.ts';

export const RUN_RECORD_NAME = 'run_record.json';

/** The experiment's parameters under the seed's argument names. */
export function parametersRecord(params: StateContinueParams): Record<string, unknown> {
  return {
    run_id: params.runId,
    ages_minutes: params.agesMinutes,
    regressor_kind: params.regressorKind,
    ridge_alpha: params.ridgeAlpha,
    huber_max_iter: params.huberMaxIter,
    regression_target_clip_bps: params.regressionTargetClipBps,
    max_rows_per_split: params.maxRowsPerSplit,
    continue_horizon_minutes: params.continueHorizonMinutes,
    min_continue_edge_bps: params.minContinueEdgeBps,
    backend: params.backend,
  };
}

export function runRecord(run: StoredRun): Record<string, unknown> {
  return {
    run_id: run.id,
    kind: run.kind,
    status: run.status,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    parameters: run.parameters,
    inputs: run.inputs.map((f) => ({ path: f.path, name: f.name, size: f.size, sha256: f.sha256 })),
    stage_timings_ms: run.stageTimingsMs,
    // when each stage ran, [start, end] in ms since the epoch (the page's clock is the machine's)
    stage_spans_epoch_ms: run.stageSpans ?? {},
    total_ms: run.totalMs,
    fits: run.fits.map((f) => ({ key: f.key, model: f.model, backend: f.backend, ms: f.ms, iterations: f.iterations, converged: f.converged })),
    verdict: run.verdict,
    // Set after the verdict when a fit ran in float32: { backend, same_verdict, largest_abs_difference, where, … }.
    float64_comparison: run.float64Comparison ?? null,
    error: run.error,
    problems: run.problems,
    artifacts: run.artifacts,
    log: run.log,
  };
}

export function runRecordText(run: StoredRun): string {
  return `${JSON.stringify(runRecord(run), null, 2)}\n`;
}
