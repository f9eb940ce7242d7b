/**
 * The page's state (Svelte 5 runes) and the commands views send. Views render this and call these; they never
 * compute. The work itself runs in workers (src/workers); what is kept goes to IndexedDB (src/store).
 */
import { CancelledError, InputError, type InputProblem } from '../core/errors.ts';
import { defaultParams, type Artifact, type BackendChoice, type StateContinueParams } from '../experiments/stateContinue/inputs.ts';
import { parametersRecord } from '../store/runRecord.ts';
import { deleteRun as deleteStoredRun, getRun, getRunArtifacts, listRuns, saveRun } from '../store/runs.ts';
import type { RunStatus, StoredRun } from '../store/runTypes.ts';
import { loadSettings, saveSettings } from '../store/settings.ts';
import { inputFingerprint, type DetectedFile, type DroppedFile, type FollowUpKind, type IntakeReport, type Progress, type RunFollowUp, type RunOutcome } from '../workers/protocol.ts';
import { openWorkbenchDb } from '../store/db.ts';
import { inSeedOrder } from '../core/constants.ts';
import type { Float64ComparisonRecord } from '../experiments/stateContinue/pipeline.ts';
import { createPipelineClient, prewarmFitWorkers } from './workers.ts';
import { fetchDemo } from './files.ts';
import { defaultForm, paramsOfForm, type ParamForm } from './params.ts';
import { decodeVerdictFragment, isVerdictFragment, type SharedVerdict } from '../share/verdictLink.ts';
import { insightsForRun } from '../analysis/insightsForRun.ts';
import { inputsMatch, rerunForm, rerunId } from '../analysis/rerun.ts';
import type { RunInsights } from '../analysis/runInsights.ts';

export const SCREENS = ['intake', 'experiment', 'report', 'runs', 'compare', 'riskfilter', 'registry', 'settings'] as const;
export type Screen = (typeof SCREENS)[number];

export type IntakeState = 'empty' | 'checking' | 'valid' | 'invalid';
export type RunState = 'idle' | 'running' | 'done' | 'failed' | 'cancelled' | 'input-error';

export interface StageView {
  stage: string;
  state: 'running' | 'done';
  startedAt: number;
  endedAt: number | null;
  rows: number | null;
  done: number | null;
  total: number | null;
  message: string;
}

export interface FitView {
  key: string;
  model: string;
  state: 'running' | 'done';
  iteration: number;
  maxIter: number;
  backend: string;
  ms: number | null;
  startedAt: number;
}

export interface ReportView {
  run: StoredRun;
  artifacts: Artifact[];
  /** The plots' data: stored with the run, or rebuilt from its predictions artifact (null: none to draw). */
  insights: RunInsights | null;
  /** What is still being computed after the verdict (plots, float64 check); empty when nothing is. */
  pending?: FollowUpKind[];
}

export interface StorageView {
  usage: number | null;
  quota: number | null;
  persisted: boolean | null;
}

/** Wall clock of the page; the run's timings are differences of it. */
const clock = () => performance.now();

/** How often the workers' progress is shown while a run goes (`onProgress`). */
const PROGRESS_SHOW_MS = 100;

class Workbench {
  screen = $state<Screen>('intake');

  // Intake
  files = $state.raw<DroppedFile[]>([]);
  intakeState = $state<IntakeState>('empty');
  intakeMessage = $state('Drop a baseline run to start.');
  intake = $state.raw<IntakeReport | null>(null);
  /** When the files reached the page: the start of the run's total_ms. */
  private intakeStartedAt = 0;
  private intakeStartedIso = '';
  private intakePromise: Promise<IntakeReport | null> = Promise.resolve(null);
  private intakeGeneration = 0;
  /** How long the page took to recognise, validate and fingerprint the dropped files (the run's intake stage). */
  private intakeMs = 0;

  // Experiment
  /** The parameters as typed; checked when Run is pressed. */
  form = $state<ParamForm>(defaultForm());
  runState = $state<RunState>('idle');
  runMessage = $state('No run yet.');
  stages = $state<StageView[]>([]);
  fits = $state<FitView[]>([]);
  runLog = $state<string[]>([]);
  now = $state(clock());
  /** When the current (or last) run was started with the Run button, and when it ended. */
  runStartedAt = $state<number | null>(null);
  runEndedAt = $state<number | null>(null);
  private controller: AbortController | null = null;
  /** The plots and float64 check of the last run, computed after its verdict. */
  private followUpController: AbortController | null = null;
  /** The last run's parquet artifacts being written and the run stored (a new run waits for it: nothing is lost). */
  private storing: Promise<void> | null = null;
  private ticker: ReturnType<typeof setInterval> | null = null;
  /** Progress received and not shown yet, each with the time it arrived (`onProgress`). */
  private pendingProgress: [Progress, number][] = [];
  private progressTimer: ReturnType<typeof setTimeout> | null = null;

  // Report and runs
  report = $state.raw<ReportView | null>(null);
  runs = $state.raw<StoredRun[]>([]);
  runsMessage = $state('');

  /** A verdict opened from a link (read-only, not stored), or the reason it could not be read. */
  shared = $state.raw<{ verdict: SharedVerdict | null; error: string | null } | null>(null);

  // Settings
  backend = $state<BackendChoice>('auto');
  storage = $state<StorageView>({ usage: null, quota: null, persisted: null });
  notice = $state('');

  private readonly pipeline = createPipelineClient((error) => {
    this.notice = `A worker stopped and will be restarted: ${error.message}`;
  });

  /** The page has started: settings read, runs listed, the pipeline worker's decoder loaded (`main[data-ready]`). */
  ready = $state(false);

  async init(): Promise<void> {
    try {
      const settings = await loadSettings();
      this.backend = settings.backend;
      this.form.backend = settings.backend;
    } catch (error) {
      this.notice = `Settings could not be read: ${(error as Error).message}`;
    }
    this.openSharedLink();
    window.addEventListener('hashchange', () => this.openSharedLink());
    // The pipeline worker starts with the page (its module and parquet decoder load while the user picks files);
    // left idle it is ended like any other time. A failure here shows up, with its message, at the drop. A shared
    // verdict link only reads: no worker for it.
    // The demo run (bundled, same origin) is what the pipeline worker warms its stages up on.
    const warm = this.shared
      ? Promise.resolve()
      : fetchDemo(new URL('./', document.baseURI))
          .catch(() => undefined)
          .then((demo) => this.pipeline.call('warm', { demo }))
          .catch(() => {});
    await Promise.all([this.refreshRuns(), this.refreshStorage(), warm]);
    // The fit workers start too: each warms up on a small made-up fit (fitService.warmUpFits) while the page is idle.
    if (!this.shared) prewarmFitWorkers();
    this.ready = true;
  }

  /** A verdict link (`#verdict=…`) opens the read-only shared view; nothing from it is stored. */
  private openSharedLink(): void {
    if (!isVerdictFragment(location.hash)) return;
    try {
      this.shared = { verdict: decodeVerdictFragment(location.hash), error: null };
    } catch (error) {
      this.shared = { verdict: null, error: (error as Error).message };
    }
  }

  /** Leave the shared view for the workbench itself (the fragment goes, the page stays). */
  closeShared(): void {
    this.shared = null;
    history.replaceState(null, '', location.pathname + location.search);
    this.screen = 'runs';
    void this.refreshRuns();
  }

  navigate(screen: Screen): void {
    // Navigating leaves a shared verdict for the workbench itself.
    if (this.shared) this.closeShared();
    this.screen = screen;
    if (screen === 'runs' || screen === 'compare') {
      this.runsMessage = '';
      void this.refreshRuns();
    }
    if (screen === 'settings') void this.refreshStorage();
  }

  // ---------------------------------------------------------------------------------------------------------
  // Intake

  /** New files reached the page: check them all at once in the pipeline worker. */
  receiveFiles(files: DroppedFile[], startedAt = clock()): Promise<IntakeReport | null> {
    this.intakeStartedAt = startedAt;
    this.intakeStartedIso = new Date(Date.now() - (clock() - startedAt)).toISOString();
    const generation = ++this.intakeGeneration;
    this.files = files;
    this.intake = null;
    if (files.length === 0) {
      this.intakeState = 'empty';
      this.intakeMessage = 'No files were received.';
      this.intakePromise = Promise.resolve(null);
      return this.intakePromise;
    }
    this.intakeState = 'checking';
    this.intakeMessage = `Checking ${files.length} file${files.length === 1 ? '' : 's'}…`;
    this.intakePromise = this.pipeline.call('intake', { files }).then(
      (report) => {
        if (generation !== this.intakeGeneration) return report;
        this.intakeMs = clock() - startedAt;
        this.intake = report;
        this.intakeState = report.problems.length === 0 ? 'valid' : 'invalid';
        this.intakeMessage =
          report.problems.length === 0
            ? `Baseline run ${report.baselineRunId || ''} is complete: ${report.files.filter((f) => f.role).length} files recognised.`
            : `${report.problems.length} problem${report.problems.length === 1 ? '' : 's'} found: nothing will run until they are fixed.`;
        return report;
      },
      (error: Error) => {
        if (generation !== this.intakeGeneration) return null;
        // The worker was ended under this check (a run finishing or cancelled frees its memory): check again.
        if (error instanceof CancelledError) return this.receiveFiles(files, startedAt);
        const problems: InputProblem[] = error instanceof InputError ? error.problems : [{ file: '', message: `The files could not be checked: ${error.message}` }];
        this.intake = { baselineRunId: '', files: [], problems };
        this.intakeState = 'invalid';
        this.intakeMessage = `${problems.length} problem${problems.length === 1 ? '' : 's'} found.`;
        return this.intake;
      },
    );
    return this.intakePromise;
  }

  async tryDemo(): Promise<void> {
    this.intakeState = 'checking';
    this.intakeMessage = 'Fetching the demo run…';
    try {
      const files = await fetchDemo(new URL('./', document.baseURI));
      // The files reach the page once fetched: the run's total_ms starts here, like a drop.
      await this.receiveFiles(files);
    } catch (error) {
      this.intakeState = 'invalid';
      this.intakeMessage = (error as Error).message;
      this.intake = { baselineRunId: '', files: [], problems: [{ file: 'demo/manifest.json', message: (error as Error).message }] };
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Experiment

  resetParams(): void {
    this.form = { ...defaultForm(), backend: this.backend };
  }

  async startRun(): Promise<void> {
    if (this.runState === 'running') return;
    if (this.storing) {
      this.runMessage = 'Storing the last run before starting…';
      await this.storing;
      if ((this.runState as RunState) === 'running') return; // pressed again while waiting
    }
    // A new run supersedes the last one's follow-ups (its pipeline worker is ended with them).
    this.followUpController?.abort(new CancelledError());
    this.followUpController = null;
    if (this.rerunNotice && this.notice === this.rerunNotice) this.notice = '';
    const controller = new AbortController();
    this.controller = controller;
    const form = $state.snapshot(this.form) as ParamForm;
    // The record keeps the parameters even when they are wrong (as typed), so an input-error run says why.
    let params: StateContinueParams = { ...defaultParams(), runId: form.runId.trim() || defaultParams().runId };
    const startedAt = this.files.length ? this.intakeStartedAt : clock();
    const startedIso = this.files.length ? this.intakeStartedIso : new Date().toISOString();
    this.runState = 'running';
    this.runMessage = 'Running…';
    this.runStartedAt = clock();
    this.runEndedAt = null;
    // The verdict shown is this run's: the previous report stays in Runs.
    this.report = null;
    this.stages = [];
    this.fits = [];
    this.runLog = [];
    this.startTicker();
    let outcome: RunOutcome | null = null;
    let status: RunStatus = 'ok';
    let error: Error | null = null;
    const pendingTimings: Record<string, number> = {};
    let endedAt = 0;
    let paramsParsed = false;
    let workStarted = false;
    try {
      params = paramsOfForm(form);
      paramsParsed = true;
      if (this.files.length === 0) throw new InputError('No baseline run: drop a folder, several files or a .zip of a baseline run first (or try the demo).');
      // Cancel works while the drop-time check is still going too.
      const intake = await untilAborted(this.intakePromise, controller.signal);
      controller.signal.throwIfAborted();
      if (intake && intake.problems.length > 0) throw new InputError(problemsText(intake.problems), intake.problems);
      workStarted = true;
      prewarmFitWorkers();
      outcome = await this.pipeline.call(
        'run',
        { files: this.files, params, fingerprints: intake?.files.filter((f) => f.role !== null).map(inputFingerprint) },
        { signal: controller.signal, onProgress: (p) => this.onProgress(p) },
      );
      // total_ms ends at the verdict: the outcome carries it.
      endedAt = clock();
    } catch (caught) {
      endedAt = clock();
      error = caught as Error;
      status = error instanceof CancelledError || controller.signal.aborted ? 'cancelled' : error instanceof InputError ? 'input-error' : 'failed';
    } finally {
      this.showProgress();
      this.runEndedAt = clock();
      this.stopTicker();
      this.controller = null;
      // The pipeline worker holds the loaded frames in wasm memory: end it, the next call spawns a fresh one. A
      // finished run keeps it for the plots and the float64 check (runFollowUps ends it after them).
      if (!outcome) this.pipeline.terminate();
    }
    for (const s of this.stages) pendingTimings[s.stage] = Math.round(((s.endedAt ?? endedAt) - s.startedAt) * 1000) / 1000;
    const run: StoredRun = {
      id: params.runId,
      kind: 'state_continue',
      status,
      startedAt: startedIso,
      finishedAt: new Date().toISOString(),
      // Parameters that did not parse are kept as typed, so the stored input-error run shows why.
      parameters: paramsParsed ? parametersRecord(params) : parametersRecord(form as unknown as StateContinueParams),
      inputs: outcome?.inputs ?? (this.intake?.files ?? []).filter((f) => f.role !== null).map(inputFingerprint),
      stageTimingsMs: withIntake(outcome?.stageTimingsMs && Object.keys(outcome.stageTimingsMs).length ? outcome.stageTimingsMs : pendingTimings, this.files.length ? this.intakeMs : 0),
      // the intake's span is the check made when the files were dropped, where its time goes
      stageSpans: { ...(outcome?.stageSpans ?? {}), ...(this.files.length && this.intakeMs ? { intake: [performance.timeOrigin + this.intakeStartedAt, performance.timeOrigin + this.intakeStartedAt + this.intakeMs] as [number, number] } : {}) },
      totalMs: Math.round((endedAt - startedAt) * 1000) / 1000,
      fits: outcome?.fits ?? [],
      verdict: outcome?.verdict ?? null,
      metrics: outcome?.results ?? null,
      // Everything the run said, as it said it: the pipeline's log lines and where each fit ran and why.
      log: [...this.runLog],
      error: error ? (status === 'cancelled' ? 'Cancelled by the user.' : error.message) : null,
      problems: error instanceof InputError ? error.problems : [],
      artifacts: [],
      insights: outcome?.insights ?? null,
    };
    if (error && status === 'failed') run.log = [...run.log, `error: ${error.name}: ${error.message}`];
    let stored = run;
    // An attempt refused before any work (the intake's problems, parameters that do not parse) ran nothing and is
    // not kept; bad input found while running (a column that will not decode) is kept as an input-error run.
    const refusedBeforeWork = status === 'input-error' && !workStarted;
    if (status === 'ok' && outcome) {
      // The verdict is shown now; the run is stored once its parquet artifacts are written (runFollowUps).
      const float32 = run.fits.some((f) => f.backend !== 'cpu');
      this.report = { run, artifacts: outcome.artifacts, insights: outcome.insights ?? null, pending: followUpKinds(float32) };
      this.runMessage = `Run ${run.id} finished in ${formatMs(run.totalMs)}: ${String(run.verdict?.status ?? 'no verdict')}.`;
      this.runState = 'done';
      this.screen = 'report';
      void this.runFollowUps(run, outcome.artifacts, float32);
      return;
    }
    // The pool ended its fit workers with the fits: the next run's start now, warming up while the page is idle
    // (after a finished run's follow-ups: runFollowUps).
    if (workStarted) prewarmFitWorkers();
    if (!refusedBeforeWork) {
      try {
        stored = await saveRun(run, outcome?.artifacts ?? []);
      } catch (saveError) {
        this.notice = `The run could not be stored: ${(saveError as Error).message}`;
      }
    }
    if (status === 'cancelled') {
      this.runMessage = `Run ${stored.id} was cancelled after ${formatMs(run.totalMs)}.`;
      this.runState = 'cancelled';
    } else if (status === 'input-error') {
      this.runMessage = run.error ?? 'Input error.';
      this.runState = 'input-error';
    } else {
      this.runMessage = `Run ${stored.id} failed: ${run.error}`;
      this.runState = 'failed';
    }
    void this.refreshRuns();
    void this.refreshStorage();
  }

  /**
   * After the verdict (total_ms has ended): the parquet artifacts, after which the run is stored whole; then the
   * report's plots, the onnxruntime cross-check and, when a fit ran in float32, the same fits on the exact float64
   * path and the comparison (issue 4), each stored with the run when it arrives.
   */
  private async runFollowUps(run: StoredRun, artifacts: Artifact[], float32: boolean): Promise<void> {
    const controller = new AbortController();
    this.followUpController = controller;
    const storing = this.storeWithArtifacts(run, artifacts);
    const stored = storing.then(() => undefined);
    this.storing = stored;
    const runId = await storing;
    if (this.storing === stored) this.storing = null;
    const kinds = followUpKinds(float32).filter((k) => k !== 'artifacts');
    try {
      for (const what of kinds) {
        if (controller.signal.aborted) return;
        let answer: RunFollowUp;
        try {
          answer = await this.pipeline.call('followUp', { what }, { signal: controller.signal });
        } catch (error) {
          if (controller.signal.aborted) return;
          answer = { stageTimingsMs: {}, stageSpans: {}, error: (error as Error).message };
        }
        await this.storeFollowUp(runId, what, answer);
      }
    } finally {
      if (this.followUpController === controller) {
        this.followUpController = null;
        this.pipeline.terminate();
      }
      // The next run's fit workers, started once the parquet writing and the plots are done rather than beside
      // them, where two more isolates warming up (~15 MB idle) added to the pipeline worker's peak (the run's
      // frames and its parquet writer's wasm memory) and took CPU from it. A run started before this has
      // started them itself.
      prewarmFitWorkers();
      if (this.report?.run.id === runId && !controller.signal.aborted) this.report = { ...this.report, pending: [] };
    }
  }

  /**
   * The run's parquet artifacts (written by the pipeline worker after the verdict), then the run stored with all
   * its artifacts. Not cancellable: a new run waits for it (`storing`), so a finished run is never lost. Resolves
   * to the stored run's id (which may carry a suffix).
   */
  private async storeWithArtifacts(run: StoredRun, artifacts: Artifact[]): Promise<string> {
    let answer: RunFollowUp;
    try {
      answer = await this.pipeline.call('followUp', { what: 'artifacts' });
    } catch (error) {
      answer = { artifacts: [], stageTimingsMs: {}, stageSpans: {}, error: `the parquet artifacts could not be written: ${(error as Error).message}` };
    }
    const all = inSeedOrder([...artifacts, ...(answer.artifacts ?? [])]);
    const complete: StoredRun = {
      ...run,
      stageTimingsMs: { ...run.stageTimingsMs, ...answer.stageTimingsMs },
      stageSpans: { ...run.stageSpans, ...answer.stageSpans },
      log: [...run.log, ...(answer.log ?? []), ...(answer.error ? [`artifacts: ${answer.error}`] : [])],
    };
    let stored = complete;
    try {
      stored = await saveRun(complete, all);
    } catch (saveError) {
      this.notice = `The run could not be stored: ${(saveError as Error).message}`;
    }
    if (this.report?.run === run) {
      this.report = { ...this.report, run: stored, artifacts: all, pending: (this.report.pending ?? []).filter((k) => k !== 'artifacts') };
      if (stored.id !== run.id && this.runState === 'done') this.runMessage = this.runMessage.replace(`Run ${run.id} `, `Run ${stored.id} `);
    }
    void this.refreshRuns();
    void this.refreshStorage();
    return stored.id;
  }

  private async storeFollowUp(runId: string, what: FollowUpKind, answer: RunFollowUp): Promise<void> {
    const lines: string[] = [];
    if (answer.error) lines.push(`${FOLLOW_UP_NAMES[what]}: ${answer.error}`);
    lines.push(...(answer.log ?? []));
    if (answer.float64Comparison) lines.push(float64Line(answer.float64Comparison));
    let updated: StoredRun | null = null;
    try {
      const db = await openWorkbenchDb();
      const run = (await db.get('runs', runId)) as StoredRun | undefined;
      if (run) {
        updated = { ...run, stageTimingsMs: { ...run.stageTimingsMs, ...answer.stageTimingsMs }, stageSpans: { ...run.stageSpans, ...answer.stageSpans }, log: [...run.log, ...lines] };
        if (what === 'insights') updated.insights = answer.insights ?? null;
        else if (what === 'float64') updated.float64Comparison = answer.float64Comparison ?? null;
        await db.put('runs', updated);
      }
    } catch (error) {
      this.notice = `The ${what === 'insights' ? 'plots' : FOLLOW_UP_NAMES[what]} of run ${runId} could not be stored: ${(error as Error).message}`;
    }
    const report = this.report;
    if (report?.run.id !== runId) return;
    const run: StoredRun = updated ?? {
      ...report.run,
      stageTimingsMs: { ...report.run.stageTimingsMs, ...answer.stageTimingsMs },
      stageSpans: { ...report.run.stageSpans, ...answer.stageSpans },
      log: [...report.run.log, ...lines],
      ...(what === 'insights' ? { insights: answer.insights ?? null } : what === 'float64' ? { float64Comparison: answer.float64Comparison ?? null } : {}),
    };
    this.report = {
      ...report,
      run,
      insights: what === 'insights' ? (answer.insights ?? null) : report.insights,
      pending: (report.pending ?? []).filter((k) => k !== what),
    };
  }

  cancelRun(): void {
    this.controller?.abort(new CancelledError());
  }

  /**
   * The workers' progress, shown at most every PROGRESS_SHOW_MS, each message with the time it arrived. Shown as it
   * came, every message redrew the page (~55 frames a second during M's fits, with two fit workers reporting),
   * and the page's thread took ~40% of a core from the fits on a 2-core machine.
   */
  private onProgress(progress: Progress): void {
    this.pendingProgress.push([progress, clock()]);
    this.progressTimer ??= setTimeout(() => this.showProgress(), PROGRESS_SHOW_MS);
  }

  /** Applies the progress received so far (also when a run ends, before its stages are read). */
  private showProgress(): void {
    if (this.progressTimer !== null) clearTimeout(this.progressTimer);
    this.progressTimer = null;
    const pending = this.pendingProgress;
    if (pending.length === 0) return;
    this.pendingProgress = [];
    for (const [progress, t] of pending) this.applyProgress(progress, t);
    this.now = pending[pending.length - 1][1];
  }

  private applyProgress(progress: Progress, t: number): void {
    if (progress.kind === 'log') {
      this.runLog.push(progress.line);
      return;
    }
    if (progress.kind === 'stage') {
      let stage = this.stages.find((s) => s.stage === progress.stage);
      if (!stage) {
        // A new stage starting ends the one before it, if it did not say so itself.
        for (const s of this.stages) if (s.state === 'running') ((s.state = 'done'), (s.endedAt = t));
        this.stages.push({ stage: progress.stage, state: 'running', startedAt: t, endedAt: null, rows: null, done: null, total: null, message: '' });
        stage = this.stages[this.stages.length - 1];
        if (this.runState === 'running') this.runMessage = `Running: ${progress.stage.replace(/_/g, ' ')}…`;
      }
      if (progress.rows !== undefined) stage.rows = progress.rows;
      if (progress.done !== undefined) stage.done = progress.done;
      if (progress.total !== undefined) stage.total = progress.total;
      if (progress.message) stage.message = progress.message;
      if (progress.state === 'done') {
        stage.state = 'done';
        stage.endedAt = t;
      }
      return;
    }
    let fit = this.fits.find((f) => f.key === progress.key && f.model === progress.model);
    if (!fit) {
      this.fits.push({ key: progress.key, model: progress.model, state: 'running', iteration: 0, maxIter: 0, backend: '', ms: null, startedAt: t });
      fit = this.fits[this.fits.length - 1];
    }
    if (progress.iteration !== undefined) fit.iteration = progress.iteration;
    if (progress.maxIter !== undefined) fit.maxIter = progress.maxIter;
    if (progress.backend) fit.backend = progress.backend;
    if (progress.message && !this.runLog.includes(`${progress.key}: ${progress.message}`)) this.runLog.push(`${progress.key}: ${progress.message}`);
    if (progress.state === 'done') {
      fit.state = 'done';
      fit.ms = progress.ms ?? t - fit.startedAt;
      // The fits stage advances as the pool finishes fits (the pipeline only knows when all are back).
      const fitsStage = this.stages.find((s) => s.stage === 'train_fits');
      if (fitsStage) fitsStage.done = this.fits.filter((f) => f.state === 'done').length;
    }
  }

  private startTicker(): void {
    this.stopTicker();
    this.now = clock();
    this.ticker = setInterval(() => (this.now = clock()), 200);
  }

  private stopTicker(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    this.now = clock();
  }

  // ---------------------------------------------------------------------------------------------------------
  // Runs

  async refreshRuns(): Promise<void> {
    try {
      this.runs = await listRuns();
    } catch (error) {
      this.runsMessage = `Stored runs could not be read: ${(error as Error).message}`;
    }
  }

  async openRun(id: string): Promise<void> {
    let run: StoredRun | undefined;
    let artifacts: Artifact[];
    try {
      run = await getRun(id);
      artifacts = run ? (await getRunArtifacts(id)).map((a) => ({ name: a.name, mime: a.mime, bytes: a.bytes })) : [];
    } catch (error) {
      this.runsMessage = `Run ${id} could not be read: ${(error as Error).message}`;
      return;
    }
    if (!run) {
      this.runsMessage = `Run ${id} is no longer stored.`;
      return;
    }
    let insights: RunInsights | null = null;
    try {
      insights = await insightsForRun(run, artifacts);
    } catch (error) {
      this.notice = `The plots of run ${id} could not be rebuilt: ${(error as Error).message}`;
    }
    this.report = { run, artifacts, insights };
    this.screen = 'report';
  }

  /**
   * "Run again with changed parameters": the stored run's parameters in the form under a new id, and the
   * experiment screen open to change them. The run needs its baseline on the page; the notice says whether the
   * files dropped now are the ones the run read (by SHA-256), so the two runs compare like with like.
   */
  /** The notice runAgain showed: a new run makes it stale. */
  private rerunNotice = '';

  async runAgain(id: string): Promise<void> {
    const run = this.runs.find((r) => r.id === id) ?? (await getRun(id).catch(() => undefined));
    if (!run) {
      this.runsMessage = `Run ${id} is no longer stored.`;
      return;
    }
    const taken = new Set(this.runs.map((r) => r.id));
    this.form = { ...defaultForm(), backend: this.backend, ...rerunForm(run.parameters, rerunId(run.id, (x) => taken.has(x))) } as ParamForm;
    const current = (this.intake?.files ?? []).filter((f) => f.role !== null).map(inputFingerprint);
    const match = inputsMatch(run.inputs, current);
    this.notice = this.rerunNotice = match.same
      ? `The parameters of ${id} are in the form as ${this.form.runId}: change what you want and press Run.`
      : current.length === 0
        ? `The parameters of ${id} are in the form as ${this.form.runId}. Drop the baseline run it read (Intake) before pressing Run.`
        : `The parameters of ${id} are in the form as ${this.form.runId}, but the baseline on the page is not the one it read (${[...match.missing, ...match.changed].join(', ')}): drop that baseline to compare like with like.`;
    this.screen = 'experiment';
  }

  async deleteRun(id: string): Promise<void> {
    try {
      await deleteStoredRun(id);
    } catch (error) {
      this.runsMessage = `Run ${id} could not be deleted: ${(error as Error).message}`;
      return;
    }
    if (this.report?.run.id === id) this.report = null;
    await Promise.all([this.refreshRuns(), this.refreshStorage()]);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Settings

  async setBackend(backend: BackendChoice): Promise<void> {
    this.backend = backend;
    this.form.backend = backend;
    try {
      await saveSettings({ backend });
    } catch (error) {
      this.notice = `Settings could not be saved: ${(error as Error).message}`;
    }
  }

  async refreshStorage(): Promise<void> {
    if (typeof navigator === 'undefined' || !navigator.storage) return;
    const [estimate, persisted] = await Promise.all([
      navigator.storage.estimate?.().catch(() => null) ?? Promise.resolve(null),
      navigator.storage.persisted?.().catch(() => null) ?? Promise.resolve(null),
    ]);
    this.storage = { usage: estimate?.usage ?? null, quota: estimate?.quota ?? null, persisted };
  }

  /** Ask the browser not to evict the stored runs under storage pressure (page only: not in workers). */
  async requestPersistence(): Promise<void> {
    const granted = (await navigator.storage?.persist?.()) ?? false;
    this.notice = granted ? 'Storage is persistent: the browser will not evict the stored runs.' : 'The browser did not grant persistent storage (it may ask again later or after more use).';
    await this.refreshStorage();
  }
}

/**
 * What follows a finished run, in order: its parquet artifacts (then the run is stored), the report's plots, the
 * onnxruntime cross-check of the frozen scores and, when a fit ran in float32, the float64 check.
 */
function followUpKinds(float32: boolean): FollowUpKind[] {
  return float32 ? ['artifacts', 'insights', 'cross_check', 'float64'] : ['artifacts', 'insights', 'cross_check'];
}

const FOLLOW_UP_NAMES: Record<FollowUpKind, string> = { artifacts: 'parquet artifacts', insights: 'insights', cross_check: 'onnxruntime cross-check', float64: 'float64 check' };

/** `promise`, or a CancelledError as soon as `signal` aborts (the listener goes away either way). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new CancelledError());
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => (signal.removeEventListener('abort', onAbort), resolve(value)),
      (error: unknown) => (signal.removeEventListener('abort', onAbort), reject(error)),
    );
  });
}

/** The intake stage counts the check done when the files were dropped as well as the run's own pass. */
function withIntake(timings: Record<string, number>, intakeMs: number): Record<string, number> {
  const out: Record<string, number> = { intake: Math.round(((timings.intake ?? 0) + intakeMs) * 1000) / 1000 };
  for (const [stage, ms] of Object.entries(timings)) if (stage !== 'intake') out[stage] = ms;
  return out;
}

export function problemsText(problems: InputProblem[]): string {
  return problems.map((p) => (p.file ? `${p.file}: ${p.message}` : p.message)).join('\n');
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms - minutes * 60_000) / 1000)} s`;
}

export function formatBytes(bytes: number | null): string {
  if (bytes === null) return 'unknown';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

export type { DetectedFile };
export const workbench = new Workbench();

function float64Line(c: Float64ComparisonRecord): string {
  const verdict = c.same_verdict ? 'same verdict' : `verdict differs (${c.verdict_differences.join('; ')})`;
  return `float64 check: ${c.backend} against cpu: ${verdict}; largest absolute difference ${c.largest_abs_difference ?? 'none'} at ${c.where ?? '-'}, largest relative ${c.largest_rel_difference ?? 'none'} at ${c.where_relative ?? '-'} (${Math.round(c.ms)} ms)`;
}
