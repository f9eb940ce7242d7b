/** The experiment's parameters as the form holds them (text, as typed) and their checked, typed form. */
import { inputErrorFrom, type InputProblem } from '../core/errors.ts';
import { defaultParams, type BackendChoice, type RegressorKind, type StateContinueParams } from '../experiments/stateContinue/inputs.ts';

export type ParamForm = { [K in keyof StateContinueParams]: string };

export interface ParamSpec {
  key: keyof StateContinueParams;
  id: string;
  label: string;
  help: string;
  options?: readonly string[];
}

/** Field ids are part of the page's automation contract. */
export const PARAM_SPECS: ParamSpec[] = [
  { key: 'runId', id: 'param-run-id', label: 'Run id', help: 'Name of this run in the artifacts and the runs list (suffixed when already taken).' },
  { key: 'agesMinutes', id: 'param-ages-minutes', label: 'Position ages (minutes)', help: 'Comma-separated ages at which an open position is examined; positive integers.' },
  { key: 'regressorKind', id: 'param-regressor-kind', label: 'Regressor', help: 'Model of the expected continue edge: Huber (robust) or Ridge.', options: ['huber', 'ridge'] },
  { key: 'ridgeAlpha', id: 'param-ridge-alpha', label: 'Ridge alpha', help: 'L2 penalty of the Ridge regressor (ignored for Huber).' },
  { key: 'huberMaxIter', id: 'param-huber-max-iter', label: 'Huber max iterations', help: 'Iteration cap of the Huber fit; non-convergence is reported in the verdict.' },
  { key: 'regressionTargetClipBps', id: 'param-regression-target-clip-bps', label: 'Target clip (bps)', help: 'Clip the regression target and predictions to ± this many bps; 0 or less turns it off (as the seed: clip > 0).' },
  { key: 'maxRowsPerSplit', id: 'param-max-rows-per-split', label: 'Max rows per split', help: 'Keep only the latest rows of each split (by event_time); 0 keeps all.' },
  { key: 'continueHorizonMinutes', id: 'param-continue-horizon-minutes', label: 'Continue horizon (minutes)', help: 'How far ahead the continue outcome of a position is judged.' },
  { key: 'minContinueEdgeBps', id: 'param-min-continue-edge-bps', label: 'Min continue edge (bps)', help: 'Net edge (after cost) a continuation must reach to count as positive.' },
  { key: 'backend', id: 'param-backend', label: 'Compute backend', help: 'Where fits run: cpu is the exact float64 path; auto uses it unless a real (non-fallback) WebGPU adapter meets a large fit; wasm and webgpu are float32, checked against cpu.', options: ['auto', 'cpu', 'wasm', 'webgpu'] },
];

export function formOf(params: StateContinueParams): ParamForm {
  const out = {} as ParamForm;
  for (const spec of PARAM_SPECS) out[spec.key] = String(params[spec.key]);
  return out;
}

export function defaultForm(): ParamForm {
  return formOf(defaultParams());
}

/** Check the form; every problem at once, each naming its parameter, what was expected and what was found. */
export function paramsOfForm(form: ParamForm): StateContinueParams {
  const problems: InputProblem[] = [];
  const label = (key: keyof StateContinueParams) => PARAM_SPECS.find((s) => s.key === key)?.id ?? key;
  const number = (key: keyof StateContinueParams, rule: 'nonnegative' | 'positive-int' | 'nonnegative-int' | 'finite'): number => {
    const text = form[key].trim();
    const value = text === '' ? NaN : Number(text);
    const ok =
      Number.isFinite(value) &&
      (rule === 'finite' ||
        (rule === 'nonnegative' && value >= 0) ||
        (rule === 'positive-int' && Number.isInteger(value) && value > 0) ||
        (rule === 'nonnegative-int' && Number.isInteger(value) && value >= 0));
    if (!ok) {
      const expected = { nonnegative: 'a number ≥ 0', 'positive-int': 'a positive integer', 'nonnegative-int': 'an integer ≥ 0', finite: 'a number' }[rule];
      problems.push({ file: '', field: label(key), message: `parameter ${label(key)}: expected ${expected}, found ${JSON.stringify(form[key])}` });
    }
    return value;
  };
  const ages = form.agesMinutes;
  const items = ages.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0 || items.some((s) => !/^[+]?\d+$/.test(s) || Number(s) <= 0)) {
    problems.push({ file: '', field: 'param-ages-minutes', message: `parameter param-ages-minutes: expected comma-separated positive integers (e.g. 5,15,30,60), found ${JSON.stringify(ages)}` });
  }
  const regressorKind = form.regressorKind as RegressorKind;
  if (regressorKind !== 'huber' && regressorKind !== 'ridge') {
    problems.push({ file: '', field: 'param-regressor-kind', message: `parameter param-regressor-kind: expected huber or ridge, found ${JSON.stringify(form.regressorKind)}` });
  }
  const backend = form.backend as BackendChoice;
  if (!['auto', 'cpu', 'wasm', 'webgpu'].includes(backend)) {
    problems.push({ file: '', field: 'param-backend', message: `parameter param-backend: expected auto, cpu, wasm or webgpu, found ${JSON.stringify(form.backend)}` });
  }
  if (form.runId.trim() === '' || /[\\/]/.test(form.runId)) {
    problems.push({ file: '', field: 'param-run-id', message: `parameter param-run-id: expected a non-empty name without slashes, found ${JSON.stringify(form.runId)}` });
  }
  const params: StateContinueParams = {
    runId: form.runId.trim(),
    agesMinutes: ages,
    regressorKind,
    ridgeAlpha: number('ridgeAlpha', 'nonnegative'),
    huberMaxIter: number('huberMaxIter', 'positive-int'),
    regressionTargetClipBps: number('regressionTargetClipBps', 'finite'),
    maxRowsPerSplit: number('maxRowsPerSplit', 'nonnegative-int'),
    continueHorizonMinutes: number('continueHorizonMinutes', 'positive-int'),
    minContinueEdgeBps: number('minContinueEdgeBps', 'finite'),
    backend,
  };
  if (problems.length > 0) throw inputErrorFrom(problems);
  return params;
}
