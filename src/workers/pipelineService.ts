/**
 * What the pipeline worker does, independent of its transport (tested in Node over a MessageChannel): intake
 * (recognise, validate all at once, fingerprint), then load and run the state-continue experiment, handing its
 * eight fits to the page's pool. Stage timings are measured here, where the stages run.
 */
import { CancelledError, type InputProblem } from '../core/errors.ts';
import { addSpan, epochNow, type StageSpans } from '../core/stageSpans.ts';
import { artifactText, type Artifact, type BaselineInputs, type StateContinueParams } from '../experiments/stateContinue/inputs.ts';
import type { Float64ComparisonRecord, FrozenStage, StateContinueHooks, StateContinueOutcome } from '../experiments/stateContinue/pipeline.ts';
import type { InputFingerprint } from '../store/runTypes.ts';
import type { FitResult, FitTask } from '../experiments/stateContinue/training.ts';
import type { RunInsights } from '../analysis/runInsights.ts';
import type { CallContext, Handlers } from './dispatcher.ts';
import { artifactBuffers, inputFingerprint, withTransfer, type DetectedFile, type DroppedFile, type FitJob, type FollowUpKind, type PipelineApi, type Progress, type RunFollowUp, type RunOutcome } from './protocol.ts';

/**
 * The core modules the worker runs, injected so that tests run the very same ones in Node. `FileSet` is the
 * intake's recognised run (opaque here).
 */
export interface PipelineCore<FileSet = unknown> {
  /** Browser wasm init (parquet-wasm); a no-op in Node. */
  ensureWasm(): Promise<void>;
  /** Run the parquet path once on made-up data, so that the first real decode is not the engine's first (optional). */
  warmUp?(): void;
  /** Run the stages once on a small run without fitting (zero coefficients), stopping when `signal` aborts (optional). */
  warmUpStages?(inputs: BaselineInputs, signal: AbortSignal): Promise<void>;
  /** Recognise the run among the dropped files (expanding a .zip). */
  recognize(files: DroppedFile[]): Promise<FileSet>;
  baselineRunId(set: FileSet): string;
  /** Every problem of the run at once (empty when it can be loaded). */
  validate(set: FileSet): Promise<InputProblem[]>;
  /** What each dropped file was taken for, with the fingerprints (name, size, SHA-256) of the files the run reads. */
  detect(set: FileSet): Promise<DetectedFile[]>;
  /** Validate (one InputError listing every problem; not again when `validated`) and load; `progress` hears of each piece of a large parquet. */
  load(set: FileSet, hooks?: { progress?: (file: string, done: number, total: number) => void; log?: (line: string) => void; validated?: boolean }): Promise<BaselineInputs>;
  runStateContinue(inputs: BaselineInputs, params: StateContinueParams, hooks: StateContinueHooks): Promise<StateContinueOutcome>;
  /** The run's stage that needs no parameter (frozen scores, entry set), begun as soon as the inputs are loaded. */
  startFrozenStage(inputs: BaselineInputs): FrozenStage;
  /** The report's plots of a finished run (its inputs released: `releaseInputFrames`). */
  insights(run: { outcome: StateContinueOutcome; baseline: BaselineInputs; fits: FitResult[] }): RunInsights;
  /** The run's frozen scores against its ONNX graphs run by onnxruntime: lines for the run's log. */
  crossCheck(run: { outcome: StateContinueOutcome; baseline: BaselineInputs }): Promise<string[]>;
  /** Frees what the run's follow-ups not yet done (`done` holds those answered) will not read (optional). */
  releaseFollowedUp?(run: { outcome: StateContinueOutcome; baseline: BaselineInputs }, done: ReadonlySet<FollowUpKind>): void;
  /** Refit the run's tasks on the float64 cpu path (through `runFits`) and compare; null when every fit was cpu. */
  float64Comparison(
    run: { outcome: StateContinueOutcome; baseline: BaselineInputs },
    runFits: (tasks: FitTask[]) => Promise<FitResult[]>,
    signal: AbortSignal,
  ): Promise<Float64ComparisonRecord | null>;
}

export interface StageContext {
  signal: AbortSignal;
  progress(progress: Progress): void;
  log(line: string): void;
}

/** Times stages as they report themselves: a stage runs from its `start` to its `done` (or to the next stage). */
export class StageClock {
  readonly timings: Record<string, number> = {};
  readonly spans: StageSpans = {};
  private current: { stage: string; t0: number; epoch0: number } | null = null;

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly epoch: () => number = epochNow,
  ) {}

  observe(progress: Progress): void {
    if (progress.kind !== 'stage') return;
    if (progress.state === 'start' && this.current?.stage !== progress.stage) {
      this.close();
      this.current = { stage: progress.stage, t0: this.now(), epoch0: this.epoch() };
    } else if (progress.state === 'done' && this.current?.stage === progress.stage) this.close();
  }

  close(): void {
    if (!this.current) return;
    const ms = this.now() - this.current.t0;
    this.timings[this.current.stage] = Math.round(((this.timings[this.current.stage] ?? 0) + ms) * 1000) / 1000;
    addSpan(this.spans, this.current.stage, this.current.epoch0, this.epoch());
    this.current = null;
  }
}

const round3 = (ms: number) => Math.round(ms * 1000) / 1000;

/** The fits' buffers, each listed once (a side's classifier and regressor share one matrix; a repeat is a DataCloneError). */
function fitTransfer(tasks: FitTask[]): ArrayBuffer[] {
  return [...new Set(tasks.flatMap((task) => [task.x, task.y]).filter(ownsBuffer).map((a) => a.buffer as ArrayBuffer))];
}

/**
 * The work on a checked run that needs no parameter, begun when its files pass the check: while the user (or the
 * runner) sets the parameters, the inputs are decoded and the frozen stage computed. Run adopts it when its files
 * are the same ones (by path and SHA-256); anything else (a new drop) replaces it.
 */
interface Ahead {
  /** The files' key (`filesKey`), set once they are fingerprinted; '' matches no run. */
  key: string;
  stale: boolean;
  baseline: Promise<BaselineInputs>;
  frozen: Promise<FrozenStage>;
  loadMs: number | null;
  /** When the load ran (wall clock), once it is done. */
  loadSpan: [number, number] | null;
  /** The load's log lines, for the run that adopts it. */
  log: string[];
  /** The run's load bar, once a run waits on this load. */
  progress: ((file: string, done: number, total: number) => void) | null;
}

/** Which files a run reads, by path and content. */
function filesKey(inputs: InputFingerprint[]): string {
  return JSON.stringify(inputs.map((f) => [f.path, f.sha256]).sort());
}

/** The promise's outcome, or a CancelledError as soon as the signal aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new CancelledError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new CancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export function pipelineHandlers<FileSet>(core: PipelineCore<FileSet>): Handlers<PipelineApi> {
  // The last run's frames, for what is computed after its verdict (`followUp`); replaced by the next run.
  /** The finished run, for its follow-ups (`done`: those answered, whose frames it may then free). */
  let held: { outcome: StateContinueOutcome; baseline: BaselineInputs; fits: FitResult[]; done: Set<FollowUpKind> } | null = null;
  let ahead: Ahead | null = null;
  /** Stops the page-start warm-up when files arrive. */
  let warmingStop: AbortController | null = null;
  /** The run's deferred fit matrices (`fitMatrix`), while it waits on its fits. */
  let fitMatrices: ((name: string) => Float32Array) | null = null;

  const startAhead = (set: FileSet): Ahead => {
    const started: Ahead = { key: '', stale: false, baseline: null!, frozen: null!, loadMs: null, loadSpan: null, log: [], progress: null };
    started.baseline = (async () => {
      await core.ensureWasm();
      const t0 = performance.now();
      const epoch0 = epochNow();
      // validated by the check that started this work
      const baseline = await core.load(set, { validated: true, progress: (file, done, total) => started.progress?.(file, done, total), log: (line) => started.log.push(line) });
      started.loadMs = performance.now() - t0;
      started.loadSpan = [epoch0, epochNow()];
      return baseline;
    })();
    started.frozen = started.baseline.then(async (baseline) => {
      // a message (Run, a new drop) gets its turn before the stage takes the thread
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (started.stale) throw new CancelledError();
      return core.startFrozenStage(baseline);
    });
    // awaited by the run that adopts them; a failure meanwhile must not be an unhandled rejection
    started.baseline.catch(() => {});
    started.frozen.catch(() => {});
    return started;
  };

  return {
    async warm(request) {
      await core.ensureWasm();
      // a drop that came first is not delayed by the warm-up; a failed warm-up costs nothing but itself
      if (!ahead) {
        try {
          core.warmUp?.();
        } catch {
          /* the run reports any real decoder problem */
        }
      }
      if (request.demo && core.warmUpStages && !ahead) {
        // the stages once on the demo run, given up at the first drop (checked between stages)
        const stop = new AbortController();
        warmingStop = stop;
        try {
          const set = await core.recognize(request.demo);
          if (!ahead) await core.warmUpStages(await core.load(set), stop.signal);
        } catch {
          /* a warm-up that fails or is given up costs nothing but itself */
        } finally {
          if (warmingStop === stop) warmingStop = null;
        }
      }
      return null;
    },

    async intake(request) {
      warmingStop?.abort();
      // The check reads JSON, parquet footers and ONNX only: no parquet decoder needed to answer.
      const set = await core.recognize(request.files);
      // Fingerprinting reads every byte (SHA-256): it runs on while the checked run starts decoding.
      const detecting = core.detect(set);
      detecting.catch(() => {}); // awaited below
      const problems = await core.validate(set);
      if (ahead) ahead.stale = true;
      ahead = problems.length === 0 ? startAhead(set) : null;
      // Get the decoder ready for Run while the user reads the answer (a failure here is reported by the run).
      if (!ahead) core.ensureWasm().catch(() => {});
      const started = ahead;
      let files: DetectedFile[];
      try {
        files = await detecting;
      } catch (error) {
        if (started) started.stale = true;
        if (ahead === started) ahead = null;
        throw error;
      }
      // A run adopts this work only for these very files (known once they are fingerprinted, before any Run).
      if (started) started.key = filesKey(files.filter((f) => f.role !== null).map(inputFingerprint));
      return { baselineRunId: core.baselineRunId(set), files, problems };
    },

    async run(request, context) {
      const clock = new StageClock();
      const log: string[] = [];
      const stage = stageContext(context, clock, log);
      stage.progress({ kind: 'stage', stage: 'intake', state: 'start', total: request.files.length });
      await core.ensureWasm();
      const set = await core.recognize(request.files);
      // The page fingerprinted these files when they were dropped; a run without that step does it here.
      const inputs: InputFingerprint[] = request.fingerprints ?? (await core.detect(set)).filter((f) => f.role !== null).map(inputFingerprint);
      stage.progress({ kind: 'stage', stage: 'intake', state: 'done', done: request.files.length, total: request.files.length });
      context.signal.throwIfAborted();

      // The load (and the frozen stage) begun when these very files were checked, if they were.
      const adopted = ahead && ahead.key === filesKey(inputs) ? ahead : null;
      if (ahead && !adopted) ahead.stale = true;
      ahead = null;
      stage.progress({ kind: 'stage', stage: 'load', state: 'start' });
      let baseline: BaselineInputs;
      if (adopted) {
        adopted.progress = loadProgress(inputs, stage);
        baseline = await untilAborted(adopted.baseline, context.signal);
      } else baseline = await core.load(set, { progress: loadProgress(inputs, stage), log: stage.log });
      stage.progress({ kind: 'stage', stage: 'load', state: 'done', rows: baseline.featureFrame.length + baseline.entryLabels.length + baseline.replay.length });
      context.signal.throwIfAborted();
      if (adopted) {
        // The stage's time is the decoding's own, not the run's wait for it.
        clock.timings.load = round3(adopted.loadMs ?? clock.timings.load ?? 0);
        if (adopted.loadSpan) clock.spans.load = adopted.loadSpan;
        for (const line of adopted.log) stage.log(line);
        stage.log(`inputs: decoded ahead of Run, from the files' check (${Math.round(adopted.loadMs ?? 0)} ms)`);
      }

      held = null;
      let fitResults: FitResult[] = [];
      const frozen = adopted ? untilAborted(adopted.frozen, context.signal) : undefined;
      frozen?.catch(() => {}); // awaited by the run's frozen stage (unless the parameters are refused first)
      const outcome = await core.runStateContinue(baseline, request.params, {
        signal: context.signal,
        frozen,
        deferArtifacts: true,
        log: stage.log,
        // each input frame goes once read, but for what the follow-ups read: this worker decodes the files per run
        // (an adopted load is this run's own too)
        releaseInputs: true,
        progress: (p) => {
          const state = p.done === 0 ? 'start' : p.done >= p.total ? 'done' : 'progress';
          stage.progress({ kind: 'stage', stage: p.stage, state, done: p.done, total: p.total, rows: p.rows });
        },
        // The fits go to the page's pool without their matrices: the pool asks for each one (`fitMatrix`) when a
        // worker is free to fit on it, so no matrix waits in memory for a worker (on L the two short-side matrices,
        // 51 MB, waited the first fits' seconds, and all four, 149 MB, stood at once as the fits began). Each
        // task's matrix and target are its own (training.ts makes them for the fit) and the pipeline does not
        // read them again: they are moved, not copied.
        deferFitMatrices: true,
        runFits: async (tasks, onResult, buildMatrix) => {
          fitMatrices = buildMatrix ?? null;
          try {
            const answers = await context.host(
              'runFits',
              { jobs: tasks.map((task) => ({ task, backend: request.params.backend })) },
              fitTransfer(tasks),
              onResult && ((answer) => onResult(answer.result)),
            );
            fitResults = answers.map((a) => a.result);
            return fitResults;
          } finally {
            fitMatrices = null;
          }
        },
      });
      clock.close();

      // The parquet artifacts, the plots and the float64 check come after the verdict (`followUp`), from the
      // frames this worker keeps.
      held = { outcome, baseline, fits: fitResults, done: new Set() };

      const artifacts = outcome.artifacts.map(ownedArtifact);
      const stageTimingsMs: Record<string, number> = { intake: round3(clock.timings.intake ?? 0), load: round3(clock.timings.load ?? 0) };
      for (const [name, ms] of Object.entries(outcome.stageMs)) stageTimingsMs[name] = round3(ms);
      const result: RunOutcome = {
        baselineRunId: core.baselineRunId(set),
        inputs,
        artifacts,
        results: parseArtifactJson(artifacts, 'state_continue_result.json'),
        verdict: parseArtifactJson(artifacts, 'state_continue_verdict.json') ?? (outcome.verdict as unknown as Record<string, unknown>),
        stageTimingsMs,
        stageSpans: { ...clock.spans, ...outcome.stageSpans },
        fits: outcome.fits.map((f) => ({ key: f.key, model: f.model, backend: f.backend, ms: round3(f.ms), iterations: f.iterations, converged: f.converged })),
        log: [...log],
        insights: null,
      };
      return withTransfer(result, artifactBuffers(artifacts));
    },

    async fitMatrix({ name }) {
      if (!fitMatrices) throw new Error(`fit matrix ${name}: no run is waiting on its fits`);
      const x = fitMatrices(name);
      return withTransfer(x, [x.buffer as ArrayBuffer]);
    },

    async followUp(request, context): Promise<RunFollowUp> {
      if (!held) throw new Error('followUp: no finished run is held by this worker');
      const run = held;
      const started = performance.now();
      const startedEpoch = epochNow();
      /** This follow-up's time, under the stage name the run record keeps. */
      const timed = (stage: string): Pick<RunFollowUp, 'stageTimingsMs' | 'stageSpans'> => ({
        stageTimingsMs: { [stage]: round3(performance.now() - started) },
        stageSpans: { [stage]: [startedEpoch, epochNow()] },
      });
      /** A follow-up answered: what the others will not read goes. */
      const finished = (what: FollowUpKind) => {
        run.done.add(what);
        core.releaseFollowedUp?.(run, run.done);
      };
      if (request.what === 'artifacts') {
        const before = new Set(run.outcome.artifacts.map((a) => a.name));
        const logFrom = run.outcome.log.length;
        try {
          const all = await run.outcome.writeArtifacts();
          const artifacts = all.filter((a) => !before.has(a.name)).map(ownedArtifact);
          const answer: RunFollowUp = { artifacts, log: run.outcome.log.slice(logFrom), ...timed('artifacts') };
          finished('artifacts');
          return withTransfer(answer, artifactBuffers(artifacts));
        } catch (error) {
          return { artifacts: [], ...timed('artifacts'), error: `the parquet artifacts could not be written: ${(error as Error).message}` };
        }
      }
      if (request.what === 'insights') {
        try {
          const insights = core.insights(run);
          finished('insights');
          return { insights, ...timed('insights') };
        } catch (error) {
          return { insights: null, ...timed('insights'), error: `the report's plots could not be computed: ${(error as Error).message}` };
        }
      }
      if (request.what === 'cross_check') {
        try {
          const log = await core.crossCheck(run);
          finished('cross_check');
          return { log, ...timed('onnx_cross_check') };
        } catch (error) {
          return { log: [], ...timed('onnx_cross_check'), error: `the frozen scores could not be cross-checked by onnxruntime: ${(error as Error).message}` };
        }
      }
      try {
        const float64Comparison = await core.float64Comparison(
          run,
          async (tasks) => {
            const jobs: FitJob[] = tasks.map((task) => ({ task, backend: 'cpu' }));
            return (await context.host('runFits', { jobs }, fitTransfer(tasks))).map((a) => a.result);
          },
          context.signal,
        );
        finished('float64');
        return { float64Comparison, ...timed('float64_check') };
      } catch (error) {
        return { float64Comparison: null, ...timed('float64_check'), error: `the float64 check could not be made: ${(error as Error).message}` };
      }
    },
  };
}

/**
 * The load stage's bar from the pieces of large parquet files: each file counts for its size among the run's
 * parquet inputs (small files are read at once and report nothing), so the bar moves with the bytes decoded.
 * At most ten messages a second, and always a file's last piece.
 */
export function loadProgress(inputs: InputFingerprint[], stage: Pick<StageContext, 'progress'>): (file: string, done: number, total: number) => void {
  const sizes = new Map(inputs.filter((f) => f.path.endsWith('.parquet')).map((f) => [f.path, f.size]));
  const allBytes = [...sizes.values()].reduce((a, b) => a + b, 0);
  const fractions = new Map<string, number>();
  let lastSent = -Infinity;
  return (file, done, total) => {
    fractions.set(file, total > 0 ? Math.min(1, done / total) : 1);
    const now = performance.now();
    if (done < total && now - lastSent < 100) return;
    lastSent = now;
    const message = `${file}: piece ${done} of ${total}`;
    if (!sizes.has(file) || allBytes === 0) {
      stage.progress({ kind: 'stage', stage: 'load', state: 'progress', done, total, message });
      return;
    }
    let doneBytes = 0;
    for (const [f, fraction] of fractions) doneBytes += (sizes.get(f) ?? 0) * fraction;
    stage.progress({ kind: 'stage', stage: 'load', state: 'progress', done: Math.round(doneBytes), total: allBytes, message });
  };
}

/** Artifacts that share a buffer with something else are copied, so a transfer moves exactly their bytes. */
function ownedArtifact(a: Artifact): Artifact {
  const bytes = a.bytes;
  if (!(bytes instanceof Uint8Array)) return a;
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? a : { ...a, bytes: bytes.slice() };
}

/** A typed array that spans its whole buffer (so moving the buffer moves exactly it). */
function ownsBuffer(a: Float32Array | Float64Array): boolean {
  return a.buffer instanceof ArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && a.byteLength > 0;
}

function stageContext(context: CallContext, clock: StageClock, log: string[]): StageContext {
  return {
    signal: context.signal,
    progress(progress) {
      clock.observe(progress);
      if (progress.kind === 'log') log.push(progress.line);
      context.progress(progress);
    },
    log(line) {
      log.push(line);
      context.progress({ kind: 'log', line });
    },
  };
}

/** The seed writes JSON with Python's json.dumps, which may hold NaN/Infinity: read those as null for display. */
export function parseArtifactJson(artifacts: Artifact[], name: string): Record<string, unknown> | null {
  const artifact = artifacts.find((a) => a.name === name);
  if (!artifact) return null;
  const text = artifactText(artifact);
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return JSON.parse(text.replace(/(?<=[:\[,]\s*)(-?Infinity|NaN)(?=\s*[,\]}])/g, 'null')) as Record<string, unknown>;
  }
}
