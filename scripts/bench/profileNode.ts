/**
 * Node-side stage times of the state-continue pipeline on one baseline run folder (no browser): parquet decode
 * of each input, every pipeline stage, each fit (inline, cpu backend), artifact writing, and peak RSS / heap.
 * Issue 4's profiling aid; the page's own figures come from `npm run bench`.
 *
 *   node --import tsx scripts/bench/profileNode.ts --baseline-dir /tmp/bench/M [--out DIR] [--repeat N]
 *   node --cpu-prof --cpu-prof-dir /tmp/prof --import tsx scripts/bench/profileNode.ts --baseline-dir …
 *
 * With --out, the nine artifacts are written there (to compare byte for byte before/after a change).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readParquetAsync } from '../../src/data/parquet.ts';
import { readOnnx } from '../../src/data/onnx.ts';
import { runStateContinue } from '../../src/experiments/stateContinue/pipeline.ts';
import { executeFit } from '../../src/experiments/stateContinue/training.ts';
import { artifactBytes, defaultParams, type BaselineInputs } from '../../src/experiments/stateContinue/inputs.ts';
import { frameBytes } from './decoded.ts';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const dir = flag('baseline-dir');
if (!dir) {
  process.stderr.write('usage: profileNode.ts --baseline-dir DIR [--out DIR] [--repeat N]\n');
  process.exit(2);
}
const out = flag('out');
const repeat = Number(flag('repeat') ?? '1');

let peakRss = 0;
/** RSS when each stage ends (the stages are synchronous: timer samples only land between them). */
let stageNow = 'load';
const stagePeak: Record<string, number> = {};
const sample = () => {
  const rss = process.memoryUsage().rss;
  peakRss = Math.max(peakRss, rss);
  stagePeak[stageNow] = Math.max(stagePeak[stageNow] ?? 0, rss);
};
const sampler = setInterval(sample, 20);
const MB = 1024 * 1024;

/** CPU milliseconds of this process (user + system): wall time means little on a machine shared with others. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function timed<T>(label: string, times: Record<string, number>, cpu: Record<string, number>, work: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const c0 = cpuMs();
  const v = await work();
  stageNow = label;
  sample();
  times[label] = (times[label] ?? 0) + performance.now() - t0;
  cpu[label] = (cpu[label] ?? 0) + cpuMs() - c0;
  return v;
}

async function once(): Promise<void> {
  const times: Record<string, number> = {};
  const cpu: Record<string, number> = {};
  const json = (rel: string) => JSON.parse(readFileSync(join(dir!, rel), 'utf8')) as unknown;
  const splitManifest = json('split/split_manifest.json') as Record<string, unknown>;
  const replayName = basename(String(splitManifest.source_replay_path));
  const files = {
    feature: readFileSync(join(dir!, 'feature/feature_frame.parquet')),
    entry: readFileSync(join(dir!, 'label/entry_labels.parquet')),
    replay: readFileSync(join(dir!, 'replay', replayName)),
  };
  const inputBytes = files.feature.length + files.entry.length + files.replay.length;
  const rssBefore = process.memoryUsage().rss;
  peakRss = rssBefore;
  const t0 = performance.now();
  // as the page reads them: Blobs (over 32 MB decoded piece by piece)
  const featureFrame = await timed('read feature_frame', times, cpu, () => readParquetAsync(new Blob([files.feature]), 'feature/feature_frame.parquet'));
  const entryLabels = await timed('read entry_labels', times, cpu, () => readParquetAsync(new Blob([files.entry]), 'label/entry_labels.parquet'));
  const replay = await timed('read replay', times, cpu, () => readParquetAsync(new Blob([files.replay]), `replay/${replayName}`));
  const manifestText = readFileSync(join(dir!, 'model/model_train_manifest.json'), 'utf8');
  const inputs: BaselineInputs = {
    baselineRunId: basename(dir!),
    featureOrder: json('feature/feature_order.json') as string[],
    featureFrame,
    entryLabels,
    replay,
    pricePlan: json('label/price_plan_context.json') as BaselineInputs['pricePlan'],
    splitManifest,
    directionInitializers: readOnnx(new Uint8Array(readFileSync(join(dir!, 'model/direction/direction.onnx'))), 'direction.onnx').initializers,
    entryInitializers: readOnnx(new Uint8Array(readFileSync(join(dir!, 'model/entry/entry.onnx'))), 'entry.onnx').initializers,
    modelTrainManifest: JSON.parse(manifestText) as unknown,
    modelTrainManifestText: manifestText,
  };
  const decodedBytes = [featureFrame, entryLabels, replay].reduce((s, f) => s + frameBytes(f), 0);
  const params = { ...defaultParams(), runId: 'state_continue_reference', backend: 'cpu' as const };
  // Stage CPU time from the pipeline's own boundaries: a stage's first progress event starts it; the log line
  // after the pre-training artifacts and the final one close the two artifact stages.
  const stageCpu: Record<string, number> = {};
  let mark = cpuMs();
  let current = '';
  const switchTo = (stage: string) => {
    sample();
    stageNow = stage || 'between';
    const now = cpuMs();
    if (current) stageCpu[current] = (stageCpu[current] ?? 0) + now - mark;
    mark = now;
    current = stage;
  };
  const fitCpu = new Map<string, number>();
  const outcome = await runStateContinue(inputs, params, {
    progress: (p) => {
      if (p.stage !== current) switchTo(p.stage);
    },
    log: (line) => {
      if (line.includes('experiment_finished')) switchTo('');
    },
    runFits: async (tasks) => {
      switchTo('train_fits');
      const results = [];
      for (const task of tasks) {
        const c0 = cpuMs();
        results.push(executeFit(task));
        fitCpu.set(task.key, cpuMs() - c0);
      }
      return results;
    },
  });
  const total = performance.now() - t0;
  const rows = (name: string, f: { length: number }) => `${name} ${f.length}`;
  console.log(`\n${dir}: ${rows('feature rows', featureFrame)}, ${rows('entry rows', entryLabels)}, ${rows('replay rows', replay)}, state rows ${outcome.stateFrame.length}`);
  console.log(`input files ${(inputBytes / MB).toFixed(1)} MB, decoded frames ${(decodedBytes / MB).toFixed(1)} MB`);
  const row = (k: string, wall: number, c: number | undefined) =>
    console.log(
      `  ${k.padEnd(22)} wall ${wall.toFixed(0).padStart(7)} ms  cpu ${(c ?? NaN).toFixed(0).padStart(7)} ms${stagePeak[k] ? `  rss after ${(stagePeak[k] / MB).toFixed(0)} MB` : ''}`,
    );
  for (const [k, v] of Object.entries(times)) row(k, v, cpu[k]);
  for (const [k, v] of Object.entries(outcome.stageMs)) row(k, v, stageCpu[k]);
  let fitSum = 0;
  const fitCpus: number[] = [];
  for (const f of outcome.fits) {
    const c = fitCpu.get(f.key) ?? NaN;
    fitSum += c;
    fitCpus.push(c);
    console.log(`    fit ${f.key.padEnd(36)} ${f.rows}×${f.cols} it=${String(f.iterations).padStart(4)} cpu ${c.toFixed(0).padStart(6)} ms (${(c / Math.max(1, f.iterations)).toFixed(2)} ms/it)`);
  }
  const cpuTotal = Object.values(cpu).reduce((a, b) => a + b, 0) + Object.values(stageCpu).reduce((a, b) => a + b, 0);
  console.log(`  fits cpu sum ${fitSum.toFixed(0)} ms; two-lane estimate ${twoLanes(fitCpus).toFixed(0)} ms`);
  console.log(`  total wall ${total.toFixed(0)} ms, cpu ${cpuTotal.toFixed(0)} ms (two-lane fits: ${(cpuTotal - fitSum + twoLanes(fitCpus)).toFixed(0)} ms); peak RSS ${(peakRss / MB).toFixed(0)} MB (before decode ${(rssBefore / MB).toFixed(0)} MB)`);
  if (out) {
    mkdirSync(out, { recursive: true });
    for (const a of outcome.artifacts) writeFileSync(join(out, a.name), await artifactBytes(a));
  }
}

/** Greedy in-order assignment to two lanes, as the fit pool does. */
function twoLanes(ms: number[]): number {
  const lanes = [0, 0];
  for (const m of ms) {
    const i = lanes[0] <= lanes[1] ? 0 : 1;
    lanes[i] += m;
  }
  return Math.max(...lanes);
}

for (let r = 0; r < repeat; r++) await once();
clearInterval(sampler);
