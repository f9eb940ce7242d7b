/**
 * The offline cycle as one action (the seed's OfflineMLOrchestrator.run_offline_ml_cycle): build the dataset,
 * train if there are enough rows, evaluate, register a candidate. Never promotes (a human does, with a reason).
 * Refused while the configured market is open (no online learning), unless forced; a forced run says so.
 */
import { importLedger, type ImportReport, type LedgerSource, type TradeDataset } from './ledger.ts';
import { marketStatus, type MarketConfig } from './marketClock.ts';
import { candidateId, registerCandidate, type HistoryEntry, type RegisteredModel, type RegistryState } from './registry.ts';
import type { RiskFitter } from './riskFit.ts';
import { swingRunOn, type SwingRun } from './swingResult.ts';
import type { RiskParams } from './trainer.ts';

export interface OfflineCycleInput {
  /** The stored dataset; the ledger (if any) is imported into it first. */
  dataset: TradeDataset;
  ledger: LedgerSource | null;
  params: RiskParams;
  market: MarketConfig;
  now: Date;
  force: boolean;
  registry: RegistryState;
  fitter?: RiskFitter;
}

export interface OfflineCycleResult {
  status: 'refused' | 'registered' | 'not_trained';
  log: string[];
  importReport: ImportReport | null;
  run: SwingRun | null;
  candidate: RegisteredModel | null;
  registry: RegistryState;
  entry: HistoryEntry | null;
}

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
const signed = (x: number | null) => (x === null ? '—' : `${x >= 0 ? '+' : ''}${x.toFixed(4)}`);

export async function runOfflineCycle(input: OfflineCycleInput): Promise<OfflineCycleResult> {
  const { dataset, ledger, params, market, now, force } = input;
  const log: string[] = [];
  const out = (line: string) => log.push(line);
  const none = { importReport: null, run: null, candidate: null, registry: input.registry, entry: null };
  out(`OFFLINE ML CYCLE at ${now.toISOString()}`);
  const clock = marketStatus(market, now);
  out(`Market ${market.name}: ${clock.reason} (local ${clock.local} ${clock.weekday})`);
  if (clock.open && !force) {
    out('REFUSED: the market is open; training runs after the close only. Tick "force" to run anyway.');
    return { status: 'refused', log, ...none };
  }
  if (clock.open) out('FORCED: running while the market is open, at the user\'s request.');

  out('— DATASET BUILDING');
  let importReport: ImportReport | null = null;
  const before = dataset.size;
  if (ledger) {
    importReport = importLedger(ledger.entries, dataset);
    out(`Ledger ${ledger.file}: ${importReport.records} records`);
    out(`Closed trades added: ${importReport.closed_added}; identical duplicates: ${importReport.identical_duplicates}; conflicts: ${importReport.conflicts.length}; open skipped: ${importReport.open_skipped}; bad records: ${importReport.bad_records.length}`);
  } else out('No new ledger: using the stored dataset.');
  out(`Rows added: ${dataset.size - before}; dataset total: ${dataset.size}`);

  out('— OFFLINE MODEL TRAINING');
  const source = ledger ?? { file: '(stored dataset)', sha256: '', lines: 0 };
  const report = importReport ?? { records: 0, closed_added: 0, identical_duplicates: 0, conflicts: [], open_skipped: 0, bad_records: [] };
  const run = await swingRunOn(dataset, source, report, 0, params, input.fitter);
  const training = run.training;
  if (training.status === 'refused') {
    out(`Training skipped: ${training.message}`);
    out('No candidate registered.');
    return { status: 'not_trained', log, ...none, importReport, run };
  }
  out(`Training on ${run.dataset.row_count} closed trades; bad trades: ${pct(run.dataset.bad_trade_rate)}`);
  out(`Features: ${training.model.feature_names.join(', ')}`);
  out(`Train: ${training.n_train} | Test: ${training.n_test} (chronological)`);
  out(`Train accuracy: ${training.train_accuracy.toFixed(3)}; test accuracy: ${training.test_accuracy?.toFixed(3) ?? '—'}; test AUC: ${training.test_auc?.toFixed(3) ?? '—'}`);
  out(`Top features: ${training.coefficients.slice(0, 3).map((c) => `${c.feature} ${signed(c.coefficient)}`).join(', ')}`);

  out('— OFFLINE EVALUATION (test trades)');
  const e = run.evaluation!.test;
  out(`Trade count ${e.rules_only.trade_count} → ${e.rules_ml.trade_count}; bad trades ${e.rules_only.bad_trades} → ${e.rules_ml.bad_trades}`);
  out(`Win rate ${pct(e.rules_only.win_rate)} → ${pct(e.rules_ml.win_rate)}; expectancy ${signed(e.rules_only.expectancy)} → ${signed(e.rules_ml.expectancy)}; max drawdown ${signed(e.rules_only.max_drawdown)} → ${signed(e.rules_ml.max_drawdown)}`);

  out('— REGISTRY');
  const id = candidateId(now, input.registry.models);
  const registered = registerCandidate(input.registry, id, now);
  if (!registered.ok) {
    out(`Not registered: ${registered.message}`);
    return { status: 'not_trained', log, ...none, importReport, run };
  }
  const candidate: RegisteredModel = {
    id,
    trained_at: now.toISOString(),
    model: training.model,
    metrics: candidateMetrics(run),
    source: { file: source.file, sha256: source.sha256, rows: run.dataset.row_count },
  };
  out(`New candidate: ${id}`);
  out('Status: registered (awaiting manual promotion)');
  out(`Active: ${input.registry.active ?? 'none'}`);
  return { status: 'registered', log, importReport, run, candidate, registry: registered.state, entry: registered.entry };
}

/** What the registry shows next to a candidate. */
export function candidateMetrics(run: SwingRun): Record<string, unknown> {
  const t = run.training;
  if (t.status !== 'trained') return {};
  return {
    n_train: t.n_train,
    n_test: t.n_test,
    train_accuracy: t.train_accuracy,
    test_accuracy: t.test_accuracy,
    test_auc: t.test_auc,
    test_brier: t.test_brier,
    confusion_matrix: t.confusion_matrix,
    coefficients: t.coefficients,
    evaluation: run.evaluation,
  };
}
