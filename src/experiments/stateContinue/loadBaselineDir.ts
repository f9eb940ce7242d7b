/**
 * Load a baseline run folder from disk (Node only: tests, scripts) into `BaselineInputs`, the way SPEC §1 lays it
 * out: fixed paths, the replay found by the base name of split_manifest.json's source_replay_path.
 * The app uses `src/data/intake.ts` (files dropped in the browser); this is the test-side equivalent.
 */
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { readParquet } from '../../data/parquet.ts';
import { readOnnx } from '../../data/onnx.ts';
import { InputError } from '../../core/errors.ts';
import type { BaselineInputs } from './inputs.ts';

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else out.push(path);
  }
  return out;
}

export function loadBaselineDir(dir: string, baselineRunId = basename(dir)): BaselineInputs {
  const need = (rel: string) => {
    const path = join(dir, rel);
    if (!existsSync(path)) throw new InputError(`baseline run is missing: ${rel}`, [{ file: rel, message: 'missing' }]);
    return path;
  };
  const json = (rel: string) => JSON.parse(readFileSync(need(rel), 'utf8')) as unknown;
  const bytes = (rel: string) => new Uint8Array(readFileSync(need(rel)));
  const featureOrder = json('feature/feature_order.json') as string[];
  const splitManifest = json('split/split_manifest.json') as Record<string, unknown>;
  const replayName = basename(String(splitManifest.source_replay_path).replace(/\\/g, '/'));
  const matches = walk(dir).filter((p) => basename(p) === replayName);
  if (matches.length !== 1) {
    throw new InputError(`replay parquet: base name '${replayName}' matches ${matches.length} files`, [{ file: 'split/split_manifest.json', field: 'source_replay_path', message: `found ${matches.length} files` }]);
  }
  const replayRel = relative(dir, matches[0]);
  const manifestPath = join(dir, 'model/model_train_manifest.json');
  const manifestText = existsSync(manifestPath) ? readFileSync(manifestPath, 'utf8') : null;
  return {
    baselineRunId,
    featureOrder,
    featureFrame: readParquet(bytes('feature/feature_frame.parquet'), 'feature/feature_frame.parquet'),
    entryLabels: readParquet(bytes('label/entry_labels.parquet'), 'label/entry_labels.parquet'),
    replay: readParquet(new Uint8Array(readFileSync(matches[0])), replayRel),
    pricePlan: json('label/price_plan_context.json') as BaselineInputs['pricePlan'],
    splitManifest,
    directionInitializers: readOnnx(bytes('model/direction/direction.onnx'), 'model/direction/direction.onnx').initializers,
    entryInitializers: readOnnx(bytes('model/entry/entry.onnx'), 'model/entry/entry.onnx').initializers,
    directionOnnxBytes: bytes('model/direction/direction.onnx'),
    entryOnnxBytes: bytes('model/entry/entry.onnx'),
    modelTrainManifest: manifestText === null ? null : (JSON.parse(manifestText) as unknown),
    modelTrainManifestText: manifestText,
  };
}
