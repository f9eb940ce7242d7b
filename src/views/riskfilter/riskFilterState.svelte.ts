/**
 * The page state of the risk filter and the registry (one instance shared by both screens): what the user chose,
 * what the core computed, what the store holds. Views render this and call its actions; the numbers come from
 * src/experiments/riskFilter (pure) and persistence from src/store/riskStore.ts.
 */
import { InputError } from '../../core/errors.ts';
import { RISK_FILTER_DEFAULTS } from '../../core/constants.ts';
import { datasetMetadata, type DatasetMetadata } from '../../experiments/riskFilter/dataset.ts';
import { curves, evaluationSeries } from '../../experiments/riskFilter/evaluation.ts';
import { ledgerFormatOf, readLedger, type ImportReport, type LedgerSource } from '../../experiments/riskFilter/ledger.ts';
import { marketConfigProblems, marketStatus, type MarketConfig, type MarketStatus } from '../../experiments/riskFilter/marketClock.ts';
import { candidateMetrics, runOfflineCycle } from '../../experiments/riskFilter/offlineCycle.ts';
import { riskModelToOnnx, verifyOnnxExport } from '../../experiments/riskFilter/onnxExport.ts';
import {
  candidateId,
  exportModel,
  lockRegistry,
  promoteCandidate,
  registerCandidate,
  rollback,
  unlockRegistry,
  type HistoryEntry,
  type RegisteredModel,
  type RegistryOutcome,
  type RegistryState,
} from '../../experiments/riskFilter/registry.ts';
import { checkSignal, checkSignals, startSession, type BatchCheckRow, type RiskCheckResult, type TradingSession } from '../../experiments/riskFilter/riskCheck.ts';
import { swingRunOn, swingResultText, type SwingRun } from '../../experiments/riskFilter/swingResult.ts';
import type { RiskParams } from '../../experiments/riskFilter/trainer.ts';
import type { RiskFitter } from '../../experiments/riskFilter/riskFit.ts';
import * as store from '../../store/riskStore.ts';
import { saveRun } from '../../store/runs.ts';
import type { StoredRun } from '../../store/runTypes.ts';
import { workerRiskFitter } from './riskFitWorker.ts';
import { importLedgerOffThread } from './ledgerClient.ts';
import { DEFAULT_RISK_FORM, parseRiskParams, type RiskParamForm } from './riskParams.ts';

export { DEFAULT_RISK_FORM, parseRiskParams, type RiskParamForm };

export type RiskState = 'idle' | 'running' | 'done' | 'failed' | 'input-error';

export interface ChartSeries {
  label: string;
  cumulative: number[];
  drawdown: number[];
}

function download(name: string, bytes: Uint8Array | string, mime: string): { name: string; url: string; size: number } {
  const blob = new Blob([bytes as BlobPart], { type: mime });
  return { name, url: URL.createObjectURL(blob), size: blob.size };
}

class RiskFilterPage {
  // ledger and dataset
  ledgerFile = $state<File | null>(null);
  importReport = $state<ImportReport | null>(null);
  lastSource = $state<{ file: string; sha256: string; lines: number; format: string } | null>(null);
  reimportAdded = $state(0);
  metadata = $state<DatasetMetadata | null>(null);
  form = $state<RiskParamForm>({ ...DEFAULT_RISK_FORM });

  // run
  status = $state<RiskState>('idle');
  message = $state('Choose a trade ledger (JSON Lines, CSV or parquet) and import it.');
  problems = $state<string[]>([]);
  run = $state.raw<SwingRun | null>(null);
  swingText = $state<string | null>(null);
  downloads = $state<{ name: string; url: string; size: number }[]>([]);
  candidateId = $state<string | null>(null);
  /** The exported ONNX model re-scored by onnxruntime-web in this page: the largest |risk difference| over the trades. */
  onnxCheck = $state<{ rows: number; maxAbsDiff: number; error?: string } | null>(null);

  // registry
  registry = $state.raw<RegistryState | null>(null);
  models = $state.raw<RegisteredModel[]>([]);
  history = $state.raw<HistoryEntry[]>([]);
  registryMessage = $state('');
  registryMessageTone = $state<'ok' | 'error'>('ok');

  // session, market, checks, cycle
  session = $state.raw<TradingSession | null>(null);
  market = $state.raw<MarketConfig | null>(null);
  marketNow = $state.raw<MarketStatus | null>(null);
  singleCheck = $state.raw<RiskCheckResult | null>(null);
  batchChecks = $state.raw<BatchCheckRow[]>([]);
  batchFile = $state('');
  cycleLog = $state<string[]>([]);
  cycleStatus = $state<'idle' | 'running' | 'refused' | 'registered' | 'not_trained' | 'failed'>('idle');

  private loaded: Promise<void> | null = null;
  /** Wall times of the last import and training, for the stored run (SPEC §5: the time of each stage). */
  private timings: Record<string, number> = {};
  private lastFit: { backend: string; ms: number } | null = null;

  /** Load what the store holds (once per page). */
  load(): Promise<void> {
    this.loaded ??= (async () => {
      try {
        const dataset = await store.loadDataset();
        this.metadata = dataset.size ? datasetMetadata(dataset, this.paramsOrDefault().maeThreshold) : null;
        await this.refreshRegistry();
        this.session = await store.loadSession();
        this.market = await store.loadMarket();
        this.tickMarket();
        const last = await store.loadLastRiskRun();
        if (last && !this.swingText) {
          this.swingText = last.swingResultText;
          this.downloads = [download('swing_result.json', last.swingResultText, 'application/json')];
          this.message = `Last result (${last.at}) restored from this browser's storage.`;
        }
      } catch (error) {
        this.message = `Could not read the stored risk-filter data: ${(error as Error).message}`;
      }
    })();
    return this.loaded;
  }

  tickMarket(): void {
    if (this.market) this.marketNow = marketStatus(this.market, new Date());
  }

  private paramsOrDefault(): RiskParams {
    const parsed = parseRiskParams(this.form);
    return parsed.ok ? parsed.params : { maeThreshold: RISK_FILTER_DEFAULTS.maeThreshold, minRows: RISK_FILTER_DEFAULTS.minRows, riskThreshold: RISK_FILTER_DEFAULTS.riskThreshold };
  }

  private async readSource(file: File): Promise<LedgerSource> {
    const bytes = new Uint8Array(await file.arrayBuffer());
    if (ledgerFormatOf(file.name, bytes) === 'parquet') {
      const { ensureParquetWasm } = await import('../../data/parquetInit.ts');
      await ensureParquetWasm();
    }
    return readLedger(bytes, file.name);
  }

  /** Import the chosen ledger into the stored dataset (append-only). */
  async importChosenLedger(): Promise<void> {
    await this.load();
    const file = this.ledgerFile;
    if (!file) {
      this.fail('input-error', 'Choose a ledger file first.', ['#ledger-input: expected a .jsonl, .csv or .parquet file, found none']);
      return;
    }
    this.status = 'running';
    this.message = `Importing ${file.name}…`;
    this.problems = [];
    try {
      // read and import in the ledger worker: a large ledger does not freeze the page
      const t0 = performance.now();
      const bytes = new Uint8Array(await file.arrayBuffer());
      const stored = await store.loadStoredTradeJson();
      const result = await importLedgerOffThread({ bytes, file: file.name, stored, maeThreshold: this.paramsOrDefault().maeThreshold });
      await store.appendTradeRows(result.added, file.name, new Date());
      this.timings = { import_ledger: Math.round(performance.now() - t0) };
      const report = result.report;
      this.importReport = report;
      this.reimportAdded = result.reimportAdded;
      this.lastSource = { ...result.source };
      this.metadata = result.metadata;
      this.status = 'done';
      this.message = `Imported ${file.name}: ${report.closed_added} closed trades added, ${report.identical_duplicates} identical duplicates, ${report.conflicts.length} conflicts, ${report.open_skipped} open skipped, ${report.bad_records.length} bad records. Dataset: ${result.metadata.row_count} trades.`;
    } catch (error) {
      if (error instanceof InputError) this.fail('input-error', error.message, error.problems.map((p) => (p.file ? `${p.file}: ${p.message}` : p.message)));
      else this.fail('failed', `Import failed: ${(error as Error).message}`);
    }
  }

  /** Train on the stored dataset, evaluate, keep the run, register the model as a candidate (never promoted). */
  async train(): Promise<void> {
    await this.load();
    const parsed = parseRiskParams(this.form);
    if (!parsed.ok) {
      this.fail('input-error', parsed.problems.join('\n'), parsed.problems);
      return;
    }
    this.status = 'running';
    this.message = 'Training…';
    this.problems = [];
    const startedAt = new Date();
    const tStart = performance.now();
    try {
      const dataset = await store.loadDataset();
      const source = this.lastSource ?? { file: '(stored dataset)', sha256: '', lines: 0, format: 'jsonl' };
      const report = this.importReport ?? { records: 0, closed_added: 0, identical_duplicates: 0, conflicts: [], open_skipped: 0, bad_records: [] };
      const tLoaded = performance.now();
      this.lastFit = null;
      const fitter: RiskFitter = async (input) => {
        const t = performance.now();
        const out = await workerRiskFitter(input);
        this.lastFit = { backend: out.backend ?? 'cpu', ms: out.ms ?? performance.now() - t };
        return out;
      };
      const run = await swingRunOn(dataset, source, report, this.reimportAdded, parsed.params, fitter);
      this.timings = { ...this.timings, load_dataset: Math.round(tLoaded - tStart), train_and_evaluate: Math.round(performance.now() - tLoaded) };
      const text = swingResultText(run);
      this.run = run;
      this.swingText = text;
      this.metadata = run.dataset;
      const files = [download('swing_result.json', text, 'application/json')];
      let candidate: RegisteredModel | null = null;
      if (run.training.status === 'trained') {
        const existing = (await store.loadRegistry()).state.models;
        candidate = {
          id: candidateId(startedAt, existing),
          trained_at: startedAt.toISOString(),
          model: run.training.model,
          metrics: candidateMetrics(run),
          source: { file: source.file, sha256: source.sha256, rows: run.dataset.row_count },
        };
        const onnx = riskModelToOnnx(run.training.model, candidate.id);
        files.push(download('risk_model.onnx', onnx, 'application/octet-stream'));
        // what the live side will load, re-scored here by onnxruntime-web against the model's own risk
        this.onnxCheck = await verifyOnnxExport(onnx, run.training.model, dataset.rows).catch((error: Error) => ({ rows: 0, maxAbsDiff: NaN, error: error.message }));
        const outcome = await store.registerModel(candidate, startedAt);
        this.candidateId = outcome.ok ? candidate.id : null;
        await this.refreshRegistry();
      } else this.candidateId = null;
      for (const d of this.downloads) URL.revokeObjectURL(d.url);
      this.downloads = files;
      await this.keepRun(run, text, startedAt, candidate);
      this.status = 'done';
      this.message =
        run.training.status === 'trained'
          ? `Trained on ${run.training.n_train} trades, tested on ${run.training.n_test}: test accuracy ${run.training.test_accuracy?.toFixed(3)}, test AUC ${run.training.test_auc?.toFixed(3) ?? 'n/a'}. Candidate ${this.candidateId ?? '(not registered)'} registered, awaiting promotion.`
          : `Training refused: ${run.training.message}`;
    } catch (error) {
      this.fail('failed', `Training failed: ${(error as Error).message}`);
    }
  }

  private async keepRun(run: SwingRun, text: string, startedAt: Date, candidate: RegisteredModel | null): Promise<void> {
    const finishedAt = new Date();
    const bytes = new TextEncoder().encode(text);
    const runId = `risk_filter_${startedAt.toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15)}`;
    const record: StoredRun = {
      id: runId,
      kind: 'risk_filter',
      status: 'ok',
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      parameters: { mae_threshold: run.params.maeThreshold, min_rows: run.params.minRows, risk_threshold: run.params.riskThreshold },
      inputs: this.lastSource ? [{ path: this.lastSource.file, name: this.lastSource.file, size: this.ledgerFile?.size ?? 0, sha256: this.lastSource.sha256 }] : [],
      stageTimingsMs: { ...this.timings },
      totalMs: finishedAt.getTime() - startedAt.getTime(),
      fits:
        run.training.status === 'trained'
          ? [{ key: 'risk_filter', model: 'logistic', backend: this.lastFit?.backend ?? 'cpu', ms: Math.round((this.lastFit?.ms ?? 0) * 1000) / 1000, iterations: run.training.model.iterations, converged: run.training.model.converged }]
          : [],
      verdict: { status: run.training.status === 'trained' ? 'TRAINED' : 'TRAINING_REFUSED', candidate: candidate?.id ?? null },
      metrics: candidate ? candidate.metrics : { training: run.training },
      log: [this.message],
      error: null,
      problems: [],
      artifacts: [{ name: 'swing_result.json', mime: 'application/json', size: bytes.length }],
    };
    try {
      const saved = await saveRun(record, [{ name: 'swing_result.json', mime: 'application/json', bytes }]);
      await store.saveLastRiskRun({ at: finishedAt.toISOString(), runId: saved.id, swingResultText: text });
    } catch (error) {
      // Keeping the run is a convenience; the result on screen and its download stand without it.
      console.warn('risk filter: could not keep the run', error);
    }
  }

  private fail(state: RiskState, message: string, problems: string[] = []): void {
    this.status = state;
    this.message = message;
    this.problems = problems;
  }

  /** Equity (cumulative pnl) and drawdown of rules-only and rules+ML, on the test trades and on all. */
  chartSeries(part: 'test' | 'all'): ChartSeries[] {
    const run = this.run;
    if (!run || run.training.status !== 'trained') return [];
    const series = evaluationSeries(run.training, run.params.riskThreshold)[part];
    const make = (label: string, pnl: number[]) => {
      const c = curves(pnl);
      return { label, cumulative: Array.from(c.cumulative), drawdown: Array.from(c.drawdown) };
    };
    return [make('Rules only', series.rulesOnly), make('Rules + ML', series.rulesMl)];
  }

  async clearDataset(): Promise<void> {
    await store.clearDataset();
    this.metadata = null;
    this.importReport = null;
    this.message = 'The stored dataset was cleared.';
    this.status = 'idle';
  }

  // -------------------------------------------------------------------------------------------------------------
  // registry

  async refreshRegistry(): Promise<void> {
    const snapshot = await store.loadRegistry();
    this.registry = snapshot.state;
    this.models = snapshot.models;
    this.history = snapshot.history;
  }

  private async command(run: (state: RegistryState) => RegistryOutcome, done: string): Promise<boolean> {
    try {
      const outcome = await store.applyRegistryCommand(run);
      await this.refreshRegistry();
      this.registryMessageTone = outcome.ok ? 'ok' : 'error';
      this.registryMessage = outcome.ok ? done : outcome.message;
      return outcome.ok;
    } catch (error) {
      this.registryMessageTone = 'error';
      this.registryMessage = `The registry could not be changed: ${(error as Error).message}`;
      return false;
    }
  }

  promote(id: string, reason: string): Promise<boolean> {
    return this.command((s) => promoteCandidate(s, id, reason, new Date()), `Model ${id} promoted: it becomes the active model at the next trading session.`);
  }

  rollback(reason: string): Promise<boolean> {
    return this.command((s) => rollback(s, reason, new Date()), 'Rolled back to the previous active model (from the next trading session).');
  }

  lock(reason: string): Promise<boolean> {
    return this.command((s) => lockRegistry(s, reason, new Date()), 'Registry locked for the trading session.');
  }

  unlock(reason: string): Promise<boolean> {
    return this.command((s) => unlockRegistry(s, reason, new Date()), 'Registry unlocked.');
  }

  async exportRegistry(): Promise<{ name: string; url: string }> {
    const file = await store.exportRegistryFile();
    return download('risk_registry.json', `${JSON.stringify(file, null, 2)}\n`, 'application/json');
  }

  exportModel(model: RegisteredModel, kind: 'json' | 'onnx'): { name: string; url: string } {
    if (kind === 'onnx') return download(`risk_model_${model.id}.onnx`, riskModelToOnnx(model.model, model.id), 'application/octet-stream');
    return download(`risk_model_${model.id}.json`, `${JSON.stringify(exportModel(model), null, 2)}\n`, 'application/json');
  }

  async importRegistryOrModel(file: File): Promise<void> {
    let value: unknown;
    try {
      value = JSON.parse(await file.text());
    } catch (error) {
      this.registryMessageTone = 'error';
      this.registryMessage = `${file.name}: not a JSON file (${(error as Error).message})`;
      return;
    }
    const kind = (value as { kind?: unknown } | null)?.kind;
    const result = kind === 'ml-workbench.risk-model' ? await store.importModelFile(value, file.name, new Date()) : await store.importRegistryFile(value, file.name, new Date());
    await this.refreshRegistry();
    this.registryMessageTone = result.ok ? 'ok' : 'error';
    this.registryMessage = result.ok ? `${file.name} imported.` : result.problems.join('\n');
  }

  // -------------------------------------------------------------------------------------------------------------
  // trading session and risk checks

  async startTradingSession(lock: boolean): Promise<void> {
    await this.refreshRegistry();
    const state = this.registry!;
    let active: RegisteredModel | null | { id: string; loadError: string } = null;
    if (state.active) {
      try {
        active = (await store.getRegisteredModel(state.active)) ?? { id: state.active, loadError: 'the model is missing from the registry store' };
      } catch (error) {
        active = { id: state.active, loadError: (error as Error).message };
      }
    }
    const session = startSession(active, new Date());
    await store.saveSession(session);
    this.session = session;
    if (lock && !state.locked) await this.lock(`trading session started ${session.started_at}`);
  }

  async endTradingSession(unlock: boolean): Promise<void> {
    await store.saveSession(null);
    this.session = null;
    if (unlock && this.registry?.locked) await this.unlock('trading session ended');
  }

  /** A session is needed to check; without one, the check uses a session started now (not stored). */
  private currentSession(): TradingSession | Promise<TradingSession> {
    if (this.session) return this.session;
    return (async () => {
      await this.refreshRegistry();
      const id = this.registry?.active;
      const model = id ? ((await store.getRegisteredModel(id)) ?? { id, loadError: 'the model is missing from the registry store' }) : null;
      return startSession(model, new Date());
    })();
  }

  async checkOne(values: Record<string, string>, threshold: number): Promise<void> {
    const session = await this.currentSession();
    const features: Record<string, unknown> = {};
    for (const [name, text] of Object.entries(values)) {
      const v = Number(text.trim());
      if (text.trim() !== '' && Number.isFinite(v)) features[name] = v;
    }
    this.singleCheck = checkSignal(session, { rule_features: features }, threshold);
  }

  async checkBatch(file: File, threshold: number): Promise<void> {
    const session = await this.currentSession();
    try {
      const source = await this.readSource(file);
      this.batchFile = file.name;
      this.batchChecks = checkSignals(session, source.entries, threshold);
    } catch (error) {
      this.batchFile = `${file.name}: ${(error as Error).message}`;
      this.batchChecks = [];
    }
  }

  /** The model features the current session would ask for. */
  async sessionFeatures(): Promise<string[]> {
    const session = await this.currentSession();
    return session.model?.feature_names ?? this.metadata?.feature_names ?? [];
  }

  // -------------------------------------------------------------------------------------------------------------
  // offline cycle and market

  async runCycle(force: boolean): Promise<void> {
    await this.load();
    const parsed = parseRiskParams(this.form);
    if (!parsed.ok) {
      this.cycleStatus = 'failed';
      this.cycleLog = parsed.problems;
      return;
    }
    this.cycleStatus = 'running';
    this.cycleLog = ['Running…'];
    try {
      const dataset = await store.loadDataset();
      const before = dataset.size;
      const ledger = this.ledgerFile ? await this.readSource(this.ledgerFile) : null;
      const registry = (await store.loadRegistry()).state;
      const now = new Date();
      const result = await runOfflineCycle({ dataset, ledger, params: parsed.params, market: this.market ?? (await store.loadMarket()), now, force, registry, fitter: workerRiskFitter });
      if (result.status !== 'refused') await store.appendTrades(dataset.rows.slice(before), ledger?.file ?? '(cycle)', now);
      if (result.candidate) {
        const outcome = await store.applyRegistryCommand((s) => registerCandidate(s, result.candidate!.id, now), result.candidate);
        if (!outcome.ok) result.log.push(`Not registered: ${outcome.message}`);
      }
      this.metadata = dataset.size ? datasetMetadata(dataset, parsed.params.maeThreshold) : null;
      await this.refreshRegistry();
      this.cycleLog = result.log;
      this.cycleStatus = result.status;
    } catch (error) {
      this.cycleStatus = 'failed';
      this.cycleLog = [...this.cycleLog, `Failed: ${(error as Error).message}`];
    }
  }

  async saveMarket(config: MarketConfig): Promise<string[]> {
    const problems = marketConfigProblems(config);
    if (problems.length) return problems;
    await store.saveMarket(config);
    this.market = config;
    this.tickMarket();
    return [];
  }
}

export const riskPage = new RiskFilterPage();

