/**
 * The seed's `_report` (markdown), with `spec_departures.wrap_report`: without model_train_manifest.json the
 * "## Baseline run-10 Continue" section (heading, blank line, table, blank line) is left out.
 * Values print as the seed's f-strings print them (`None`, `0.6123`, `[5, 15, 30, 60]`, `40.0`).
 */
import { PyFloat, pyStr } from '../../core/pyjson.ts';
import { InputError } from '../../core/errors.ts';
import { EVAL_SPLITS } from '../../core/constants.ts';
import type { Results } from './metrics.ts';
import { showPyFloat } from './verdict.ts';
import type { Verdict } from './verdict.ts';

export const MODEL_TRAIN_MANIFEST_FILE = 'model/model_train_manifest.json';

export interface ReportManifest {
  row_count: number;
  ages_minutes: number[];
  regressor_kind: string;
  huber_max_iter: number | null;
  regression_target_clip_bps: number | null;
  continue_horizon_minutes: number;
  min_continue_edge_bps: number;
}

/** str(value) of a value read from JSON (PyFloat keeps Python's float repr; str(nan) is 'nan'). */
function showJson(value: unknown): string {
  if (value instanceof PyFloat) return showPyFloat(value.value);
  if (typeof value === 'number' && !Number.isInteger(value)) return showPyFloat(value);
  return pyStr(value);
}

/** The four baseline cells, read like the seed does (`baseline["CONTINUE"]["metrics"][head].get(field)`). */
function baselineCells(manifest: unknown): string[] {
  const fail = (path: string): never => {
    throw new InputError(`${MODEL_TRAIN_MANIFEST_FILE}: expected an object at ${path}`, [
      { file: MODEL_TRAIN_MANIFEST_FILE, field: path, message: `expected an object at ${path}` },
    ]);
  };
  const obj = (v: unknown, path: string) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(path));
  const root = obj(manifest, '(top level)');
  const cont = obj(root.CONTINUE, 'CONTINUE');
  const metrics = obj(cont.metrics, 'CONTINUE.metrics');
  const get = (head: string, field: string) => {
    const h = obj(metrics[head], `CONTINUE.metrics.${head}`);
    return showJson(field in h ? h[field] : null);
  };
  return [
    get('long_continue_prob', 'auc'),
    get('short_continue_prob', 'auc'),
    get('long_expected_continue_edge_bps', 'mae_vs_constant_ratio'),
    get('short_expected_continue_edge_bps', 'mae_vs_constant_ratio'),
  ];
}

export function buildReport(
  runId: string,
  baselineRunId: string,
  manifest: ReportManifest,
  results: Results,
  verdict: Verdict,
  modelTrainManifest: unknown | null,
): string {
  const intOrNone = (v: number | null) => (v === null ? 'None' : String(v));
  const lines = [
    '# State Continue Experiment Report',
    '',
    `- run_id: \`${runId}\``,
    `- baseline_run_id: \`${baselineRunId}\``,
    `- row_count: \`${manifest.row_count}\``,
    `- ages_minutes: \`[${manifest.ages_minutes.join(', ')}]\``,
    `- regressor_kind: \`${manifest.regressor_kind}\``,
    `- huber_max_iter: \`${intOrNone(manifest.huber_max_iter)}\``,
    `- regression_target_clip_bps: \`${showPyFloat(manifest.regression_target_clip_bps)}\``,
    `- continue_horizon_minutes: \`${manifest.continue_horizon_minutes}\``,
    `- min_continue_edge_bps: \`${showPyFloat(manifest.min_continue_edge_bps)}\``,
    '',
  ];
  if (modelTrainManifest !== null && modelTrainManifest !== undefined) {
    const [longAuc, shortAuc, longMae, shortMae] = baselineCells(modelTrainManifest);
    lines.push(
      '## Baseline run-10 Continue',
      '',
      '| head | auc | mae_vs_constant |',
      '| --- | ---: | ---: |',
      `| long_continue_prob | ${longAuc} | |`,
      `| short_continue_prob | ${shortAuc} | |`,
      `| long_expected_continue_edge_bps | | ${longMae} |`,
      `| short_expected_continue_edge_bps | | ${shortMae} |`,
      '',
    );
  }
  lines.push(
    '## Diagnostic Result',
    '',
    '| side | feature_set | split | rows | auc | brier_ratio | mae_ratio |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: |',
  );
  for (const [key, item] of Object.entries(results)) {
    const cut = key.indexOf('_');
    const side = key.slice(0, cut);
    const featureSet = key.slice(cut + 1);
    for (const split of EVAL_SPLITS) {
      const m = item.splits[split];
      lines.push(
        `| ${side.toUpperCase()} | ${featureSet} | ${split} | ${m ? m.row_count : 'None'} | ${showPyFloat(m?.continue_auc)} | ${showPyFloat(m?.brier_vs_constant_ratio)} | ${showPyFloat(m?.edge_mae_vs_constant_ratio)} |`,
      );
    }
  }
  lines.push(
    '',
    '## Verdict Rule',
    '',
    '状态特征只有在 `market_plus_state` 同时好过 `market_only`,并且 validation_locked / latest_stress 没有反向变差时,才进入正式链路。',
    '',
    '## Verdict',
    '',
    `- status: \`${verdict.status}\``,
    `- reasons: \`${verdict.reasons.length}\``,
    '',
  );
  for (const reason of verdict.reasons) lines.push(`- ${reason}`);
  if (verdict.passed_checks.length) {
    lines.push('', '## Passed Checks', '');
    for (const item of verdict.passed_checks) lines.push(`- ${item}`);
  }
  return lines.join('\n');
}
