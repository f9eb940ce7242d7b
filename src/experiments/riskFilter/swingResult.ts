/**
 * swing_result.json exactly as /opt/ref/swing_reference.py writes it (`json.dumps(result, indent=2,
 * ensure_ascii=False)` + newline, keys in the order the reference builds them, floats marked as Python floats),
 * so that a risk-filter run of the workbench and the reference can be compared field by field.
 */
import { pyFloat, pyJsonDumps, type PyFloat } from '../../core/pyjson.ts';
import { datasetMetadata, type DatasetMetadata } from './dataset.ts';
import { evaluateTrained, type Evaluation, type PerformanceTable, type RiskEvaluation } from './evaluation.ts';
import { importLedger, TradeDataset, type ImportReport, type LedgerSource } from './ledger.ts';
import { trainRiskFilter, type RiskParams, type TrainingOutcome } from './trainer.ts';
import type { RiskFitter } from './riskFit.ts';

export const TEST_FRACTION = 0.2;

export interface SwingInput {
  file: string;
  sha256: string;
  lines: number;
}

export interface SwingRun {
  input: SwingInput;
  params: RiskParams;
  import: ImportReport;
  reimportAdded: number;
  dataset: DatasetMetadata;
  training: TrainingOutcome;
  evaluation: RiskEvaluation | null;
}

const f = (value: number): PyFloat => pyFloat(value);
const fOrNull = (value: number | null): PyFloat | null => (value === null ? null : pyFloat(value));

function tableJson(t: PerformanceTable): Record<string, unknown> {
  return {
    trade_count: t.trade_count,
    bad_trades: t.bad_trades,
    win_rate: fOrNull(t.win_rate),
    expectancy: fOrNull(t.expectancy),
    max_drawdown: f(t.max_drawdown),
  };
}

function evaluationJson(e: Evaluation): Record<string, unknown> {
  return {
    rules_only: tableJson(e.rules_only),
    rules_ml: tableJson(e.rules_ml),
    bad_trades_avoided: e.bad_trades_avoided,
    good_trades_blocked: e.good_trades_blocked,
  };
}

function importJson(r: ImportReport): Record<string, unknown> {
  return {
    records: r.records,
    closed_added: r.closed_added,
    identical_duplicates: r.identical_duplicates,
    conflicts: r.conflicts.map((c) => ({ line: c.line, trade_id: c.trade_id, fields: [...c.fields] })),
    open_skipped: r.open_skipped,
    bad_records: r.bad_records.map((b) => ({ line: b.line, kind: b.kind, reason: b.reason })),
  };
}

function trainingJson(t: TrainingOutcome): Record<string, unknown> {
  if (t.status === 'refused') {
    const out: Record<string, unknown> = { status: 'refused', message: t.message };
    if (t.n_train !== undefined) out.n_train = t.n_train;
    if (t.n_test !== undefined) out.n_test = t.n_test;
    return out;
  }
  return {
    status: 'trained',
    n_train: t.n_train,
    n_test: t.n_test,
    train_range: [...t.train_range],
    test_range: t.test_range ? [...t.test_range] : null,
    train_bad_rate: f(t.train_bad_rate),
    test_bad_rate: fOrNull(t.test_bad_rate),
    train_accuracy: f(t.train_accuracy),
    test_accuracy: fOrNull(t.test_accuracy),
    test_auc: fOrNull(t.test_auc),
    test_brier: fOrNull(t.test_brier),
    confusion_matrix: { ...t.confusion_matrix },
    coefficients: t.coefficients.map((c) => ({ feature: c.feature, coefficient: f(c.coefficient) })),
    intercept: f(t.model.intercept),
    scaler: { mean: t.model.scaler.mean.map(f), scale: t.model.scaler.scale.map(f) },
    iterations: t.model.iterations,
    test_trade_ids: [...t.test_trade_ids],
    test_risk: t.test_risk.map(f),
  };
}

/** The result object with Python float markers, keys in the reference's order. */
export function swingResultObject(run: SwingRun): Record<string, unknown> {
  const result: Record<string, unknown> = {
    input: { file: run.input.file, sha256: run.input.sha256, lines: run.input.lines },
    params: {
      mae_threshold: f(run.params.maeThreshold),
      min_rows: run.params.minRows,
      risk_threshold: f(run.params.riskThreshold),
      test_fraction: f(TEST_FRACTION),
    },
    import: importJson(run.import),
    reimport_added: run.reimportAdded,
    dataset: {
      row_count: run.dataset.row_count,
      time_range: run.dataset.time_range ? [...run.dataset.time_range] : null,
      feature_names: [...run.dataset.feature_names],
      bad_trade_rate: fOrNull(run.dataset.bad_trade_rate),
    },
    training: trainingJson(run.training),
  };
  if (run.evaluation) result.evaluation = { test: evaluationJson(run.evaluation.test), all: evaluationJson(run.evaluation.all) };
  return result;
}

/** The text of swing_result.json. */
export function swingResultText(run: SwingRun): string {
  return `${pyJsonDumps(swingResultObject(run), { indent: 2 })}\n`;
}

/** swing_result.json of a run (the same as swingResultText). */
export const swingResult = swingResultText;

/** What the reference does with one ledger: import it into an empty dataset, import it again, train, evaluate. */
export async function runSwingReference(source: LedgerSource, params: RiskParams, fitter?: RiskFitter): Promise<SwingRun & { datasetRows: TradeDataset }> {
  const dataset = new TradeDataset();
  const first = importLedger(source.entries, dataset);
  const second = importLedger(source.entries, dataset);
  return { ...(await swingRunOn(dataset, source, first, second.closed_added, params, fitter)), datasetRows: dataset };
}

/** Train and evaluate on a dataset (the page's stored one, which may hold earlier imports too). */
export async function swingRunOn(
  dataset: TradeDataset,
  source: SwingInput,
  report: ImportReport,
  reimportAdded: number,
  params: RiskParams,
  fitter?: RiskFitter,
): Promise<SwingRun> {
  const training = await trainRiskFilter(dataset.rows, params, fitter);
  return {
    input: { file: source.file, sha256: source.sha256, lines: source.lines },
    params,
    import: report,
    reimportAdded,
    dataset: datasetMetadata(dataset, params.maeThreshold),
    training,
    evaluation: training.status === 'trained' ? evaluateTrained(training, params.riskThreshold) : null,
  };
}
