/**
 * The pipeline worker's core: the baseline intake (src/data/intake.ts) and the experiment's pipeline. The same
 * object runs in the browser worker and in Node tests; only `ensureWasm` differs (a no-op in Node).
 */
import { ensureParquetWasm } from '../data/parquetInit.ts';
import { warmUpParquet } from '../data/decoderWarmUp.ts';
import { fingerprintFiles, loadBaseline, recognizeDropped, validateBaseline, type BaselineFileSet } from '../data/intake.ts';
import { compareRunToFloat64, crossCheckRun, releaseFollowedUp, runStateContinue, startFrozenStage, warmUpStages } from '../experiments/stateContinue/pipeline.ts';
import { buildRunInsights } from '../analysis/runInsights.ts';
import type { DetectedFile } from './protocol.ts';
import { decodeWorkerReaders } from './decodeReaders.ts';
import type { PipelineCore } from './pipelineService.ts';

export function baselinePipelineCore(): PipelineCore<BaselineFileSet> {
  // Decode workers where the runtime has workers (the browser); in place otherwise (Node tests).
  const openReader = decodeWorkerReaders();
  return {
    ensureWasm: ensureParquetWasm,
    warmUp: warmUpParquet,
    warmUpStages: (inputs, signal) => warmUpStages(inputs, signal),
    recognize: (files) => recognizeDropped(files.map((f) => ({ path: f.path, data: f.file }))),
    baselineRunId: (set) => set.baselineRunId,
    validate: validateBaseline,
    detect: (set) => detectedFiles(set),
    load: (set, hooks) => loadBaseline(set, { ...hooks, openReader }),
    runStateContinue,
    startFrozenStage,
    crossCheck: ({ outcome, baseline }) => crossCheckRun(outcome, baseline),
    insights: ({ outcome, baseline, fits }) =>
      buildRunInsights({
        predictions: outcome.predictions,
        featureFrame: baseline.featureFrame,
        featureOrder: baseline.featureOrder,
        featureRows: outcome.featureRows,
        fits,
      }),
    releaseFollowedUp: ({ outcome, baseline }, done) => releaseFollowedUp(outcome, baseline.featureFrame, done),
    float64Comparison: ({ outcome, baseline }, runFits, signal) => compareRunToFloat64(outcome, baseline, { runFits, signal }),
  };
}

/** Every dropped file, what it was taken for (its path inside the run) and, for the ones the run reads, its fingerprint. */
export async function detectedFiles(set: BaselineFileSet): Promise<DetectedFile[]> {
  const fingerprints = await fingerprintFiles(set);
  const used = new Map<string, (typeof fingerprints)[number]>();
  const recognised = new Map(Object.values(set.files).map((f) => [f!.path, f!.runPath]));
  for (const fp of fingerprints) used.set(fp.path, fp);
  const out: DetectedFile[] = [];
  for (const entry of set.entries) {
    const runPath = recognised.get(entry.path) ?? entry.runPath;
    const fp = used.get(runPath);
    if (fp && fp.name === entry.name) {
      used.delete(runPath);
      out.push({ path: entry.path, name: fp.name, size: fp.size, sha256: fp.sha256, role: runPath });
    } else out.push({ path: entry.path, name: entry.name, size: entry.size, sha256: '', role: null });
  }
  return out;
}
