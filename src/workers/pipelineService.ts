/**
 * What the pipeline worker does, independent of its transport (tested in Node over a MessageChannel): intake
 * (recognise, validate all at once, fingerprint), then load and run the state-continue experiment, handing its
 * fits to the page's pool. Stage timings are measured here, where the stages run.
 */
import { InputError, inputErrorFrom, type InputProblem } from '../core/errors.ts';
import { sha256Hex } from '../core/hash.ts';
import type { Artifact, BaselineInputs, StateContinueParams } from '../experiments/stateContinue/inputs.ts';
import type { FitRecord, InputFingerprint } from '../store/runTypes.ts';
import type { CallContext, Handlers } from './dispatcher.ts';
import { artifactBuffers, withTransfer, type DetectedFile, type DroppedFile, type FitJob, type IntakeReport, type PipelineApi, type Progress, type RunOutcome } from './protocol.ts';
import { unzipSync } from 'fflate';

/** The core modules the worker runs; injected so tests can run the real ones in Node. */
export interface PipelineCore {
  /** Browser wasm init (parquet-wasm); a no-op in Node. */
  ensureWasm(): Promise<void>;
  /** Recognise, validate (all problems at once) and fingerprint; never throws on bad input, reports it. */
  checkBaseline(files: LoadedFile[], context: StageContext): Promise<IntakeReport>;
  loadBaseline(files: LoadedFile[], report: IntakeReport, context: StageContext): Promise<BaselineInputs>;
  runExperiment(inputs: BaselineInputs, params: StateContinueParams, context: StageContext & { runFits(jobs: FitJob[]): Promise<{ results: unknown[]; records: FitRecord[] }> }): Promise<{
    artifacts: Artifact[];
    results?: Record<string, unknown> | null;
    verdict?: Record<string, unknown> | null;
    log?: string[];
  }>;
}

export interface LoadedFile {
  path: string;
  bytes: Uint8Array;
}

export interface StageContext {
  signal: AbortSignal;
  progress(progress: Progress): void;
  log(line: string): void;
}

/** Read every dropped Blob into bytes and open .zip files (their entries keep their paths inside the zip). */
export async function readDroppedFiles(files: DroppedFile[]): Promise<LoadedFile[]> {
  const out: LoadedFile[] = [];
  for (const { path, file } of files) {
    const bytes = file instanceof Uint8Array ? file : new Uint8Array(await file.arrayBuffer());
    if (/\.zip$/i.test(path)) {
      let entries: Record<string, Uint8Array>;
      try {
        entries = unzipSync(bytes);
      } catch (error) {
        throw new InputError(`${path}: expected a .zip archive of a baseline run, but it could not be opened (${(error as Error).message}).`, [
          { file: path, message: `expected a .zip archive of a baseline run, but it could not be opened (${(error as Error).message})` },
        ]);
      }
      for (const [name, data] of Object.entries(entries)) {
        // Directories and macOS resource forks are not files of the run.
        if (name.endsWith('/') || name.startsWith('__MACOSX/') || /(^|\/)\.DS_Store$/.test(name)) continue;
        out.push({ path: name, bytes: data });
      }
    } else out.push({ path, bytes });
  }
  return out;
}

export async function fingerprint(file: LoadedFile): Promise<InputFingerprint> {
  return { path: file.path, name: file.path.split('/').pop() ?? file.path, size: file.bytes.byteLength, sha256: await sha256Hex(file.bytes) };
}

/** Times stages as they report themselves: a stage runs from its `start` to its `done` (or to the next stage). */
export class StageClock {
  readonly timings: Record<string, number> = {};
  private current: { stage: string; t0: number } | null = null;

  constructor(private readonly now: () => number = () => performance.now()) {}

  observe(progress: Progress): void {
    if (progress.kind !== 'stage') return;
    if (progress.state === 'start' && this.current?.stage !== progress.stage) {
      this.close();
      this.current = { stage: progress.stage, t0: this.now() };
    } else if (progress.state === 'done' && this.current?.stage === progress.stage) this.close();
  }

  close(): void {
    if (!this.current) return;
    const ms = this.now() - this.current.t0;
    this.timings[this.current.stage] = Math.round(((this.timings[this.current.stage] ?? 0) + ms) * 1000) / 1000;
    this.current = null;
  }
}

export function pipelineHandlers(core: PipelineCore): Handlers<PipelineApi> {
  return {
    async intake(request, context) {
      const clock = new StageClock();
      const stage = stageContext(context, clock, []);
      const files = await readDroppedFiles(request.files);
      return core.checkBaseline(files, stage);
    },

    async run(request, context) {
      const clock = new StageClock();
      const log: string[] = [];
      const stage = stageContext(context, clock, log);
      stage.progress({ kind: 'stage', stage: 'intake', state: 'start', total: request.files.length });
      await core.ensureWasm();
      const files = await readDroppedFiles(request.files);
      const report = await core.checkBaseline(files, stage);
      if (report.problems.length > 0) throw inputErrorFrom(report.problems);
      stage.progress({ kind: 'stage', stage: 'intake', state: 'done', done: files.length, total: files.length });
      context.signal.throwIfAborted();

      stage.progress({ kind: 'stage', stage: 'load', state: 'start' });
      const inputs = await core.loadBaseline(files, report, stage);
      stage.progress({ kind: 'stage', stage: 'load', state: 'done', rows: inputs.featureFrame.length });
      context.signal.throwIfAborted();

      const fits: FitRecord[] = [];
      const outcome = await core.runExperiment(inputs, request.params, {
        ...stage,
        runFits: async (jobs) => {
          const answers = await context.host('runFits', { jobs });
          fits.push(...answers.map((a) => a.record));
          return { results: answers.map((a) => a.result), records: answers.map((a) => a.record) };
        },
      });
      clock.close();
      // Copy artifacts that share a buffer with something else, so the transfer moves exactly their bytes.
      const artifacts = outcome.artifacts.map((a) => (a.bytes.byteOffset === 0 && a.bytes.byteLength === a.bytes.buffer.byteLength ? a : { ...a, bytes: a.bytes.slice() }));
      const result: RunOutcome = {
        baselineRunId: report.baselineRunId,
        inputs: report.files.filter((f) => f.role !== null).map(stripRole),
        artifacts,
        results: outcome.results ?? parseArtifactJson(artifacts, 'state_continue_result.json'),
        verdict: outcome.verdict ?? parseArtifactJson(artifacts, 'state_continue_verdict.json'),
        stageTimingsMs: clock.timings,
        fits,
        log: [...log, ...(outcome.log ?? [])],
      };
      return withTransfer(result, artifactBuffers(artifacts));
    },
  };
}

function stripRole(file: DetectedFile): InputFingerprint {
  return { path: file.path, name: file.name, size: file.size, sha256: file.sha256 };
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
  const text = new TextDecoder().decode(artifact.bytes);
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return JSON.parse(text.replace(/(?<=[:\[,]\s*)(-?Infinity|NaN)(?=\s*[,\]}])/g, 'null')) as Record<string, unknown>;
  }
}

export type { InputProblem };
