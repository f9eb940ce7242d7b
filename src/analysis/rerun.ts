/**
 * "Run again with changed parameters": a stored run's parameters back into the experiment's form (the seed's
 * argument names → the form's fields, as text), and whether the baseline now on the page is the one the run read
 * (by SHA-256 of each input). DOM-free.
 */
import type { InputFingerprint } from '../store/runTypes.ts';

/** Seed argument name (run record) → form field. */
export const PARAMETER_FIELDS: Record<string, string> = {
  run_id: 'runId',
  ages_minutes: 'agesMinutes',
  regressor_kind: 'regressorKind',
  ridge_alpha: 'ridgeAlpha',
  huber_max_iter: 'huberMaxIter',
  regression_target_clip_bps: 'regressionTargetClipBps',
  max_rows_per_split: 'maxRowsPerSplit',
  continue_horizon_minutes: 'continueHorizonMinutes',
  min_continue_edge_bps: 'minContinueEdgeBps',
  backend: 'backend',
};

/** The form values of a stored run's parameters, with a new run id. Unknown names are left out. */
export function rerunForm(parameters: Record<string, unknown>, runId: string): Record<string, string> {
  const form: Record<string, string> = {};
  for (const [name, value] of Object.entries(parameters)) {
    const field = PARAMETER_FIELDS[name];
    if (!field || value === undefined || value === null) continue;
    form[field] = Array.isArray(value) ? value.join(',') : String(value);
  }
  form.runId = runId;
  return form;
}

/** A free id for the new run: `<id>-again`, `<id>-again-2`, … */
export function rerunId(id: string, taken: (id: string) => boolean): string {
  const base = `${id.replace(/-again(-\d+)?$/, '')}-again`;
  if (!taken(base)) return base;
  for (let n = 2; ; n++) if (!taken(`${base}-${n}`)) return `${base}-${n}`;
}

export interface InputsMatch {
  same: boolean;
  /** Inputs of the run that the page does not hold now. */
  missing: string[];
  /** Inputs present under the same path with other content. */
  changed: string[];
}

export function inputsMatch(runInputs: InputFingerprint[], current: InputFingerprint[]): InputsMatch {
  const now = new Map(current.map((f) => [f.path, f.sha256]));
  const missing: string[] = [];
  const changed: string[] = [];
  for (const f of runInputs) {
    const sha = now.get(f.path);
    if (sha === undefined) missing.push(f.path);
    else if (sha !== f.sha256) changed.push(f.path);
  }
  return { same: missing.length === 0 && changed.length === 0 && runInputs.length > 0, missing, changed };
}
