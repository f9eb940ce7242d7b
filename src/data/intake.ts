/**
 * Baseline-run intake (SPEC §1): recognise the dropped files, validate every one of them before any work and
 * report all problems at once, fingerprint them, and load them into `BaselineInputs`.
 *
 * Accepted shapes: a folder drop/picker (paths like `run-10/feature/feature_frame.parquet`), loose files
 * recognised by name, or a .zip of the run (`recognizeDropped` expands it). The replay parquet is the dropped file
 * whose base name is the base name of `source_replay_path` in split/split_manifest.json (the path itself is
 * usually foreign: `/mnt/x/replay.parquet`, `C:\data\replay.parquet`).
 */
import { InputError, inputErrorFrom, type InputProblem } from '../core/errors.ts';
import { pyRepr } from '../core/pyjson.ts';
import { ENTRY_HEADS, DIRECTION_HEAD } from '../core/constants.ts';
import type { BaselineInputs, OnnxTensor, PricePlan } from '../experiments/stateContinue/inputs.ts';
import { IN_MEMORY_PARQUET_BYTES, readParquetAsync, parquetSchemaAsync, type FooterColumn } from './parquet.ts';
import { readOnnx } from './onnx.ts';
import { outOfMemoryError } from './outOfMemory.ts';
import type { Frame } from './frame.ts';
import { unzipEntriesAsync } from './zip.ts';
import { sha256OfData } from './sha256Stream.ts';
import { sha256Hex } from '../core/hash.ts';

export interface BaselineEntry {
  path: string;
  data: Blob | Uint8Array;
}

export type BaselineRole =
  | 'featureFrame'
  | 'featureOrder'
  | 'entryLabels'
  | 'pricePlan'
  | 'splitManifest'
  | 'directionOnnx'
  | 'entryOnnx'
  | 'modelTrainManifest';

/** SPEC §1's table: where each file sits inside the run. */
export const BASELINE_LAYOUT: { role: BaselineRole; path: string; required: boolean }[] = [
  { role: 'featureFrame', path: 'feature/feature_frame.parquet', required: true },
  { role: 'featureOrder', path: 'feature/feature_order.json', required: true },
  { role: 'entryLabels', path: 'label/entry_labels.parquet', required: true },
  { role: 'pricePlan', path: 'label/price_plan_context.json', required: true },
  { role: 'splitManifest', path: 'split/split_manifest.json', required: true },
  { role: 'directionOnnx', path: 'model/direction/direction.onnx', required: true },
  { role: 'entryOnnx', path: 'model/entry/entry.onnx', required: true },
  { role: 'modelTrainManifest', path: 'model/model_train_manifest.json', required: false },
];

const LAYOUT_PATH = Object.fromEntries(BASELINE_LAYOUT.map((l) => [l.role, l.path])) as Record<BaselineRole, string>;

/** Columns each parquet must hold (SPEC §1); FEATURE_ORDER is added to the feature frame. */
export const FEATURE_FRAME_COLUMNS = ['sample_id', 'symbol', 'event_time', 'open_time_ms', 'split_id', 'walk_forward_fold', 'data_quality_flag'];
export const ENTRY_LABEL_COLUMNS = ['sample_id', 'symbol', 'event_time', 'side', 'entry_target', 'split_id', 'walk_forward_fold'];
export const REPLAY_COLUMNS = ['symbol', 'event_time', 'open_time_ms', 'high', 'low', 'close', 'spread_bps'];

export interface BaselineFile {
  /** The path as dropped (normalised to `/`). */
  path: string;
  /** Where it sits inside the run (`feature/feature_frame.parquet`), or its dropped path for other files. */
  runPath: string;
  name: string;
  size: number;
  data: Blob | Uint8Array;
}

export interface BaselineFileSet {
  /** The run folder's name (`run-10`), the zip's base name, or `baseline` for loose files. */
  baselineRunId: string;
  /** The recognised files by role. */
  files: Partial<Record<BaselineRole, BaselineFile>>;
  /** Every dropped file (the replay is looked up among them by base name). */
  entries: BaselineFile[];
  /** Problems found while recognising (ambiguous names, several runs); validateBaseline reports them too. */
  problems: InputProblem[];
}

function normalise(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/^\/+/, '');
}

function baseName(path: string): string {
  const parts = normalise(path).split('/');
  return parts[parts.length - 1];
}

function sizeOf(data: Blob | Uint8Array): number {
  return data instanceof Uint8Array ? data.byteLength : data.size;
}

async function bytesOf(data: Blob | Uint8Array): Promise<Uint8Array> {
  return data instanceof Uint8Array ? data : new Uint8Array(await data.arrayBuffer());
}

/**
 * A parquet input decoded from one read (up to IN_MEMORY_PARQUET_BYTES, when the run decodes in place) is read
 * once for its two readers, the fingerprint (SHA-256) and the decoder, which run at the same time: reading a
 * dropped File goes through the browser process, and the decoder's read of M's feature frame took ~125 ms beside
 * the hash's read of the same file. The entry goes once both have it.
 */
const sharedReads = new WeakMap<Blob, { bytes: Promise<Uint8Array>; left: number }>();

function readShared(data: Blob): Promise<Uint8Array> {
  let entry = sharedReads.get(data);
  if (!entry) {
    entry = { bytes: bytesOf(data), left: 2 };
    sharedReads.set(data, entry);
  }
  if (--entry.left === 0) sharedReads.delete(data);
  return entry.bytes;
}

/** Whether the load decodes this run's parquet inputs in place, each from one read (no decode workers). */
function decodedInPlace(parquetBytes: number, remoteMinBytes = REMOTE_DECODE_MIN_BYTES): boolean {
  return parquetBytes < remoteMinBytes;
}

/** The promise cached under `key`, started by `start` on first use (its rejection is handled where awaited). */
function memo<K, V>(cache: Map<K, Promise<V>>, key: K, start: () => Promise<V>): Promise<V> {
  let promise = cache.get(key);
  if (!promise) {
    promise = start();
    promise.catch(() => {});
    cache.set(key, promise);
  }
  return promise;
}

/**
 * Recognises a baseline run among dropped files. Pure and synchronous; zips must be expanded first
 * (`recognizeDropped` does that).
 */
export function recognizeBaseline(entries: BaselineEntry[], options: { zipName?: string } = {}): BaselineFileSet {
  const all: BaselineFile[] = entries.map((e) => {
    const path = normalise(e.path);
    return { path, runPath: path, name: baseName(path), size: sizeOf(e.data), data: e.data };
  });
  const problems: InputProblem[] = [];
  const files: Partial<Record<BaselineRole, BaselineFile>> = {};

  // 1. by path inside the run: `<root>/feature/feature_frame.parquet`
  const byRoot = new Map<string, Map<BaselineRole, BaselineFile>>();
  for (const file of all) {
    for (const layout of BASELINE_LAYOUT) {
      let root: string | null = null;
      if (file.path === layout.path) root = '';
      else if (file.path.endsWith(`/${layout.path}`)) root = file.path.slice(0, -(layout.path.length + 1));
      if (root === null) continue;
      if (!byRoot.has(root)) byRoot.set(root, new Map());
      byRoot.get(root)!.set(layout.role, file);
    }
  }
  let root = '';
  if (byRoot.size > 0) {
    // the run is the root with the most recognised files
    const ranked = [...byRoot.entries()].sort((a, b) => b[1].size - a[1].size || a[0].localeCompare(b[0]));
    root = ranked[0][0];
    for (const [role, file] of ranked[0][1]) files[role] = { ...file, runPath: LAYOUT_PATH[role] };
    if (ranked.length > 1) {
      problems.push({
        file: '',
        message: `the dropped files hold more than one baseline run (${ranked.map(([r]) => r || '(top level)').join(', ')}); using ${root || 'the top level'} (expected the files of one run)`,
      });
    }
  }

  // 2. loose files by name, for roles still empty
  for (const layout of BASELINE_LAYOUT) {
    if (files[layout.role]) continue;
    const name = baseName(layout.path);
    const candidates = all.filter((f) => f.name === name);
    if (candidates.length === 1) files[layout.role] = { ...candidates[0], runPath: layout.path };
    else if (candidates.length > 1) {
      problems.push({
        file: layout.path,
        message: `several dropped files are named ${name}: ${candidates.map((c) => c.path).join(', ')} (expected one)`,
      });
    }
  }

  // other files keep their path relative to the run root
  for (const file of all) {
    if (!Object.values(files).some((f) => f!.path === file.path) && root && file.path.startsWith(`${root}/`)) {
      file.runPath = file.path.slice(root.length + 1);
    }
  }

  return { baselineRunId: runIdOf(root, all, options.zipName), files, entries: all, problems };
}

function runIdOf(root: string, all: BaselineFile[], zipName?: string): string {
  if (root) return root.split('/').pop()!;
  const tops = new Set(all.map((f) => (f.path.includes('/') ? f.path.split('/')[0] : '')));
  if (tops.size === 1 && !tops.has('')) return [...tops][0];
  if (zipName) return baseName(zipName).replace(/\.zip$/i, '') || 'baseline';
  return 'baseline';
}

/** Expands dropped .zip files (a run folder zipped) and recognises the run. */
export async function recognizeDropped(entries: BaselineEntry[]): Promise<BaselineFileSet> {
  const expanded: BaselineEntry[] = [];
  const zips: string[] = [];
  for (const entry of entries) {
    if (/\.zip$/i.test(entry.path)) {
      zips.push(entry.path);
      for (const inner of await unzipEntriesAsync(await bytesOf(entry.data), normalise(entry.path))) {
        expanded.push(inner);
      }
    } else expanded.push(entry);
  }
  return recognizeBaseline(expanded, { zipName: zips.length === 1 ? zips[0] : undefined });
}

// ---------------------------------------------------------------------------------------------------------------
// JSON as Python writes it (json.dump allows NaN and ±Infinity)

const PY_SPECIAL: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

export function parsePythonJson(text: string): unknown {
  const clean = text.replace(/^\uFEFF/, '');
  try {
    return JSON.parse(clean);
  } catch (error) {
    // Replace the bare tokens outside strings, then try again.
    const marker = '@@python-json-number@@';
    const replaced = clean.replace(/"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)/g, (match, token: string | undefined) => (token ? `"${marker}${token}"` : match));
    if (replaced === clean) throw error;
    return JSON.parse(replaced, (_key, value: unknown) => (typeof value === 'string' && value.startsWith(marker) ? PY_SPECIAL[value.slice(marker.length)] : value));
  }
}

async function readJson(
  file: BaselineFile,
  problems: InputProblem[],
  read: (file: BaselineFile) => Promise<Uint8Array> = (f) => bytesOf(f.data),
): Promise<{ ok: true; value: unknown } | { ok: false }> {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(await read(file));
    return { ok: true, value: parsePythonJson(text) };
  } catch (error) {
    problems.push({ file: file.runPath, message: `is not valid JSON (${(error as Error).message})` });
    return { ok: false };
  }
}

function typeOfJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${pyRepr(value)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// validation

type ColumnRule = 'string' | 'integer' | 'number' | 'numberOrBool' | 'timestampOrString' | 'stringOrInteger' | 'stringOrNumber';

const RULE_TEXT: Record<ColumnRule, string> = {
  string: 'a string column',
  integer: 'an integer column (int64 epoch milliseconds)',
  number: 'a numeric column (float32 or float64)',
  numberOrBool: 'a numeric or boolean column',
  timestampOrString: 'a timestamp (ms, us or ns; UTC) or an ISO-8601 string column',
  stringOrInteger: 'a string or integer column',
  stringOrNumber: 'a string or numeric column',
};

function matches(rule: ColumnRule, column: FooterColumn): boolean {
  const integer = column.kind === 'number' && /^u?int\d+$/.test(column.type);
  switch (rule) {
    case 'string':
      return column.kind === 'string';
    case 'integer':
      return integer;
    case 'number':
      return column.kind === 'number';
    case 'numberOrBool':
      return column.kind === 'number' || column.kind === 'bool';
    case 'timestampOrString':
      return column.kind === 'timestamp' || column.kind === 'string';
    case 'stringOrInteger':
      return column.kind === 'string' || integer;
    case 'stringOrNumber':
      return column.kind === 'string' || column.kind === 'number';
  }
}

const FEATURE_FRAME_RULES: Record<string, ColumnRule> = {
  sample_id: 'stringOrInteger',
  symbol: 'string',
  event_time: 'timestampOrString',
  open_time_ms: 'integer',
  split_id: 'string',
  walk_forward_fold: 'stringOrNumber',
  data_quality_flag: 'string',
};
const ENTRY_LABEL_RULES: Record<string, ColumnRule> = {
  sample_id: 'stringOrInteger',
  symbol: 'string',
  event_time: 'timestampOrString',
  side: 'string',
  entry_target: 'numberOrBool',
  split_id: 'string',
  walk_forward_fold: 'stringOrNumber',
};
const REPLAY_RULES: Record<string, ColumnRule> = {
  symbol: 'string',
  event_time: 'timestampOrString',
  open_time_ms: 'integer',
  high: 'number',
  low: 'number',
  close: 'number',
  spread_bps: 'number',
};

async function checkParquet(
  file: BaselineFile,
  rules: Record<string, ColumnRule>,
  featureColumns: string[] | null,
  problems: InputProblem[],
  footerOf: (file: BaselineFile) => Promise<{ rowCount: number; columns: FooterColumn[] }>,
): Promise<void> {
  let footer: { rowCount: number; columns: FooterColumn[] };
  try {
    footer = await footerOf(file);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    problems.push(...error.problems.map((p) => ({ ...p, file: file.runPath })));
    return;
  }
  const byName = new Map(footer.columns.map((c) => [c.name, c]));
  const found = footer.columns.map((c) => c.name).join(', ');
  for (const [name, rule] of Object.entries(rules)) {
    const column = byName.get(name);
    if (!column) problems.push({ file: file.runPath, field: name, message: `missing column ${name} (expected ${RULE_TEXT[rule]}; found columns: ${found})` });
    else if (!matches(rule, column)) problems.push({ file: file.runPath, field: name, message: `column ${name} must be ${RULE_TEXT[rule]}; found ${column.type}` });
  }
  if (featureColumns) {
    const missing = featureColumns.filter((name) => !byName.has(name));
    if (missing.length > 0) {
      problems.push({
        file: file.runPath,
        field: missing.join(', '),
        message: `missing ${missing.length} of the ${featureColumns.length} FEATURE_ORDER columns: ${pyRepr(missing)} (expected every name of feature/feature_order.json)`,
      });
    }
    for (const name of featureColumns) {
      const column = byName.get(name);
      if (column && column.kind !== 'number') {
        problems.push({ file: file.runPath, field: name, message: `feature column ${name} must be numeric (float32 or float64); found ${column.type}` });
      }
    }
  }
}

function checkFeatureOrder(value: unknown, problems: InputProblem[]): string[] | null {
  const file = LAYOUT_PATH.featureOrder;
  if (!Array.isArray(value)) {
    problems.push({ file, message: `must be a JSON array of feature names; found ${typeOfJson(value)}` });
    return null;
  }
  if (value.length === 0) {
    problems.push({ file, message: 'must list at least one feature name; found []' });
    return null;
  }
  let ok = true;
  const seen = new Set<string>();
  value.forEach((name, index) => {
    if (typeof name !== 'string' || name === '') {
      problems.push({ file, field: String(index), message: `entry ${index} must be a non-empty string (a feature name); found ${typeOfJson(name)}` });
      ok = false;
    } else if (seen.has(name)) {
      problems.push({ file, field: name, message: `lists ${pyRepr(name)} more than once (expected distinct feature names)` });
      ok = false;
    } else seen.add(name);
  });
  return ok ? (value as string[]) : null;
}

function checkPricePlan(value: unknown, problems: InputProblem[]): void {
  const file = LAYOUT_PATH.pricePlan;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ file, message: `must be a JSON object with stopDistanceBps, targetDistanceBps and costBps; found ${typeOfJson(value)}` });
    return;
  }
  for (const key of ['stopDistanceBps', 'targetDistanceBps', 'costBps']) {
    const v = (value as Record<string, unknown>)[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      problems.push({ file, field: key, message: `${key} must be a number, found ${v === undefined ? 'no such key' : pyRepr(v)}` });
    }
  }
}

/** The base name of a path written on any system (`/mnt/x/replay.parquet`, `C:\data\replay.parquet`). */
export function replayBaseName(sourceReplayPath: string): string {
  return baseName(sourceReplayPath);
}

function findReplay(set: BaselineFileSet, manifest: unknown, problems: InputProblem[]): BaselineFile | null {
  const file = LAYOUT_PATH.splitManifest;
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
    problems.push({ file, message: `must be a JSON object with source_replay_path; found ${typeOfJson(manifest)}` });
    return null;
  }
  const source = (manifest as Record<string, unknown>).source_replay_path;
  if (typeof source !== 'string' || source.trim() === '') {
    problems.push({
      file,
      field: 'source_replay_path',
      message: `source_replay_path must be a non-empty string, found ${source === undefined ? 'no such key' : pyRepr(source)}`,
    });
    return null;
  }
  const base = replayBaseName(source);
  const candidates = set.entries.filter((e) => e.name === base);
  if (candidates.length === 1) return { ...candidates[0] };
  problems.push({
    file,
    field: 'source_replay_path',
    message:
      candidates.length === 0
        ? `source_replay_path ${pyRepr(source)} has base name ${pyRepr(base)}; no dropped file has that name (expected the replay parquet among the dropped files)`
        : `source_replay_path base name ${pyRepr(base)} matches several dropped files: ${candidates.map((c) => c.path).join(', ')} (expected exactly one)`,
  });
  return null;
}

function checkOnnx(
  role: 'directionOnnx' | 'entryOnnx',
  initializers: Map<string, OnnxTensor>,
  featureCount: number | null,
  problems: InputProblem[],
): void {
  const file = LAYOUT_PATH[role];
  const heads: [string, number][] = role === 'directionOnnx' ? [[DIRECTION_HEAD, 3]] : ENTRY_HEADS.map((h) => [h, 1]);
  const F = featureCount === null ? 'F' : String(featureCount);
  for (const [head, width] of heads) {
    const weight = initializers.get(`${head}_W`);
    const bias = initializers.get(`${head}_B`);
    if (!weight || !bias) {
      const missing = [!weight ? `${head}_W` : null, !bias ? `${head}_B` : null].filter(Boolean).join(' and ');
      problems.push({
        file,
        field: head,
        message: `missing initializers ${head}_W / ${head}_B (expected ${head}_W [${F}, ${width}] and ${head}_B [${width}]; ${missing} not found among ${[...initializers.keys()].join(', ') || 'no initializers'})`,
      });
      continue;
    }
    const weightOk = weight.dims.length === 2 && weight.dims[1] === width && (featureCount === null || weight.dims[0] === featureCount);
    const biasOk = bias.data.length === width;
    if (!weightOk || !biasOk) {
      problems.push({
        file,
        field: head,
        message:
          `${head}_W has shape ${pyRepr(weight.dims)} and ${head}_B ${pyRepr(bias.dims)}; expected [${F}, ${width}] and [${width}]` +
          (featureCount === null ? '' : ` (F = len(feature_order.json) = ${featureCount})`),
      });
    }
  }
}

function checkTrainManifest(value: unknown, problems: InputProblem[]): void {
  const file = LAYOUT_PATH.modelTrainManifest;
  const metrics = (value as { CONTINUE?: { metrics?: Record<string, unknown> } } | null)?.CONTINUE?.metrics;
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !metrics || typeof metrics !== 'object') {
    problems.push({ file, field: 'CONTINUE.metrics', message: `must be a JSON object with CONTINUE.metrics (the baseline's continue heads); found ${value && typeof value === 'object' && !Array.isArray(value) ? 'no CONTINUE.metrics' : typeOfJson(value)}` });
    return;
  }
  const wanted: [string, string][] = [
    ['long_continue_prob', 'auc'],
    ['short_continue_prob', 'auc'],
    ['long_expected_continue_edge_bps', 'mae_vs_constant_ratio'],
    ['short_expected_continue_edge_bps', 'mae_vs_constant_ratio'],
  ];
  for (const [head, metric] of wanted) {
    const entry = metrics[head];
    const key = `CONTINUE.metrics.${head}`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      problems.push({ file, field: key, message: `${key} must be an object holding ${metric}; found ${entry === undefined ? 'no such key' : typeOfJson(entry)}` });
      continue;
    }
    const v = (entry as Record<string, unknown>)[metric];
    if (v !== undefined && v !== null && typeof v !== 'number') {
      problems.push({ file, field: `${key}.${metric}`, message: `${key}.${metric} must be a number; found ${typeOfJson(v)}` });
    }
  }
}

/**
 * Checks every input of the run and returns all problems at once (empty when the run can be loaded).
 * Reads only the JSON files, the parquet footers and the ONNX models; no parquet data is decoded.
 */
export async function validateBaseline(set: BaselineFileSet): Promise<InputProblem[]> {
  const problems: InputProblem[] = [...set.problems];
  const { files } = set;
  for (const layout of BASELINE_LAYOUT) {
    if (layout.required && !files[layout.role]) {
      problems.push({ file: layout.path, message: `missing (expected ${layout.path} in the run folder, or a dropped file named ${baseName(layout.path)})` });
    }
  }

  // Every read starts now, side by side (each read of a dropped File is a round trip to the browser, ~20 ms);
  // the checks below take the results in their order, so the problems are listed as before.
  const reads = new Map<BaselineFile, Promise<Uint8Array>>();
  const read = (file: BaselineFile) => memo(reads, file, () => bytesOf(file.data));
  const footers = new Map<BaselineFile, Promise<{ rowCount: number; columns: FooterColumn[] }>>();
  const footerOf = (file: BaselineFile) => memo(footers, file, () => parquetSchemaAsync(file.data, file.runPath));
  for (const role of ['featureOrder', 'pricePlan', 'splitManifest', 'directionOnnx', 'entryOnnx', 'modelTrainManifest'] as const) {
    const file = files[role];
    if (file) void read(file);
  }
  for (const file of [files.featureFrame, files.entryLabels]) if (file) void footerOf(file);

  let featureOrder: string[] | null = null;
  if (files.featureOrder) {
    const parsed = await readJson(files.featureOrder, problems, read);
    if (parsed.ok) featureOrder = checkFeatureOrder(parsed.value, problems);
  }
  if (files.pricePlan) {
    const parsed = await readJson(files.pricePlan, problems, read);
    if (parsed.ok) checkPricePlan(parsed.value, problems);
  }
  let replay: BaselineFile | null = null;
  if (files.splitManifest) {
    const parsed = await readJson(files.splitManifest, problems, read);
    if (parsed.ok) replay = findReplay(set, parsed.value, problems);
  }
  if (replay) void footerOf(replay);
  if (files.featureFrame) await checkParquet(files.featureFrame, FEATURE_FRAME_RULES, featureOrder, problems, footerOf);
  if (files.entryLabels) await checkParquet(files.entryLabels, ENTRY_LABEL_RULES, null, problems, footerOf);
  if (replay) await checkParquet(replay, REPLAY_RULES, null, problems, footerOf);

  for (const role of ['directionOnnx', 'entryOnnx'] as const) {
    const file = files[role];
    if (!file) continue;
    try {
      const model = readOnnx(await read(file), file.runPath);
      checkOnnx(role, model.initializers, featureOrder ? featureOrder.length : null, problems);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      for (const p of error.problems) problems.push({ ...p, file: file.runPath });
    }
  }
  if (files.modelTrainManifest) {
    const parsed = await readJson(files.modelTrainManifest, problems, read);
    if (parsed.ok) checkTrainManifest(parsed.value, problems);
  }
  return problems;
}

/** The files a run reads, in SPEC §1's order: recognised files, then the replay. */
async function inputFiles(set: BaselineFileSet): Promise<BaselineFile[]> {
  const out: BaselineFile[] = [];
  for (const layout of BASELINE_LAYOUT) {
    const file = set.files[layout.role];
    if (file) out.push(file);
  }
  const manifest = set.files.splitManifest;
  if (manifest) {
    const parsed = await readJson(manifest, []);
    if (parsed.ok) {
      const replay = findReplay(set, parsed.value, []);
      if (replay) out.push(replay);
    }
  }
  return out;
}

export interface InputFingerprint {
  /** Path inside the run. */
  path: string;
  name: string;
  size: number;
  sha256: string;
}

/** Name, size and SHA-256 of every input (WebCrypto off the main thread; files over 32 MB hashed in 8 MB slices). */
export async function fingerprintFiles(set: BaselineFileSet): Promise<InputFingerprint[]> {
  const out: InputFingerprint[] = [];
  const files = await inputFiles(set);
  const parquet = files.filter((f) => f.runPath.endsWith('.parquet'));
  const inPlace = decodedInPlace(parquet.reduce((s, f) => s + f.size, 0));
  for (const file of files) {
    // the decoder's own read, when it reads the whole file here (see readShared)
    const shared = inPlace && parquet.includes(file) && file.data instanceof Blob && file.size <= IN_MEMORY_PARQUET_BYTES;
    const sha256 = shared ? await sha256Hex(await readShared(file.data as Blob)) : await sha256OfData(file.data);
    out.push({ path: file.runPath, name: file.name, size: file.size, sha256 });
  }
  return out;
}

/**
 * Validates (throwing an InputError with every problem) and loads the run: only the needed columns of each
 * parquet, the JSON files, and the float initializers of both models. In the browser, await
 * `ensureParquetWasm()` first.
 */
export interface LoadHooks {
  /** After each decoded piece of a large parquet input (a few columns of one row group). */
  progress?: (file: string, done: number, total: number) => void;
  /**
   * Decoders elsewhere (the browser's decode workers): with it, the feature frame and the other two parquet
   * inputs are decoded side by side, each by a reader of its own, closed after the load.
   */
  openReader?: () => RemoteReader;
  /** Parquet bytes from which the remote readers are used (default REMOTE_DECODE_MIN_BYTES). */
  remoteMinBytes?: number;
  /** validateBaseline has just passed on this very set (the drop-time check): not checked again. */
  validated?: boolean;
  /** A line for the run's log (how the inputs were decoded). */
  log?: (line: string) => void;
}

/**
 * Inputs smaller than this are decoded in place even when decode workers are offered: starting two workers and
 * their decoders costs ~0.3 s, more than decoding side by side saves below ~30 MB of parquet (measured on the
 * bench's M run, 23 MB: 0.4–0.6 s in place, 0.9 s in two workers; L, 229 MB: 5.6 s in place, 3.8 s in two).
 */
export const REMOTE_DECODE_MIN_BYTES = 32 * 1024 * 1024;

/** A parquet decoder in another thread. */
export interface RemoteReader {
  /** `keepUtf8`: string columns whose dictionary stays UTF-8 (`StringColumn.utf8`), not made into strings. */
  read(data: Blob | Uint8Array, file: string, columns: string[], progress: (done: number, total: number) => void, keepUtf8?: string[]): Promise<Frame>;
  close(): void;
}

export async function loadBaseline(set: BaselineFileSet, hooks: LoadHooks = {}): Promise<BaselineInputs> {
  const problems = hooks.validated ? [] : await validateBaseline(set);
  if (problems.length > 0) throw inputErrorFrom(problems);
  const files = set.files as Required<Pick<BaselineFileSet['files'], Exclude<BaselineRole, 'modelTrainManifest'>>> & BaselineFileSet['files'];
  const json = async (file: BaselineFile): Promise<unknown> => {
    const parsed = await readJson(file, []);
    if (!parsed.ok) throw new InputError(`${file.runPath}: is not valid JSON`);
    return parsed.value;
  };
  // one File read after another cost ~20 ms each: side by side
  const [featureOrderRaw, pricePlanRaw, splitManifestRaw] = await Promise.all([json(files.featureOrder), json(files.pricePlan), json(files.splitManifest)]);
  const featureOrder = featureOrderRaw as string[];
  const pricePlanNumbers = pricePlanRaw as Record<string, number>;
  const pricePlan: PricePlan = {
    stopDistanceBps: pricePlanNumbers.stopDistanceBps,
    targetDistanceBps: pricePlanNumbers.targetDistanceBps,
    costBps: pricePlanNumbers.costBps,
  };
  const splitManifest = splitManifestRaw as Record<string, unknown>;
  const replayFile = findReplay(set, splitManifest, []);
  if (!replayFile) throw new InputError(`${LAYOUT_PATH.splitManifest}: the replay parquet cannot be found`);

  const parquetBytes = files.featureFrame.size + files.entryLabels.size + replayFile.size;
  const inPlace = !hooks.openReader || decodedInPlace(parquetBytes, hooks.remoteMinBytes);
  // Large files are decoded piece by piece; `progress` hears of each piece (file, pieces done, pieces in it).
  const read = async (file: BaselineFile, columns: string[], reader?: RemoteReader, keepUtf8?: string[]) => {
    const onProgress = (done: number, total: number) => hooks.progress?.(file.runPath, done, total);
    try {
      if (reader) return await reader.read(file.data, file.runPath, columns, onProgress, keepUtf8);
      // the fingerprint's read of the same bytes, when the check made one (see readShared)
      const data = inPlace && file.data instanceof Blob && file.size <= IN_MEMORY_PARQUET_BYTES ? await readShared(file.data) : file.data;
      return await readParquetAsync(data, file.runPath, { columns, onProgress });
    } catch (error) {
      throw outOfMemoryError(error, `reading ${file.runPath}`, `${file.runPath} ${(file.size / 1048576).toFixed(0)} MB`) ?? error;
    }
  };
  const featureColumns = [...FEATURE_FRAME_COLUMNS, ...featureOrder.filter((f) => !FEATURE_FRAME_COLUMNS.includes(f))];
  let featureFrame: Frame;
  let entryLabels: Frame;
  let replay: Frame;
  if (hooks.openReader && !inPlace) {
    // Two decoders at once: the feature frame (the largest input) in one, the entry labels then the replay in the
    // other. A failure is reported in the same order as one after the other (feature frame first).
    const readers = [hooks.openReader(), hooks.openReader()];
    hooks.log?.(`inputs: ${(parquetBytes / 1048576).toFixed(1)} MB of parquet decoded by two decode workers side by side`);
    try {
      // each decoder is ended as soon as its own files are read (its wasm memory and heap go with it)
      const feature = read(files.featureFrame, featureColumns, readers[0], ['sample_id']).finally(() => readers[0].close());
      // The sample ids are matched (buildEntrySet, firstRowPerSample) and written (the artifacts' parquet) as UTF-8:
      // left so, they never become two million strings in the pipeline worker's heap, which V8 then keeps grown.
      const rest = (async () => [await read(files.entryLabels, ENTRY_LABEL_COLUMNS, readers[1], ['sample_id']), await read(replayFile, REPLAY_COLUMNS, readers[1])] as const)().finally(() =>
        readers[1].close(),
      );
      rest.catch(() => {}); // awaited below, unless the feature frame failed first
      featureFrame = await feature;
      [entryLabels, replay] = await rest;
    } finally {
      for (const reader of readers) reader.close();
    }
  } else {
    featureFrame = await read(files.featureFrame, featureColumns);
    entryLabels = await read(files.entryLabels, ENTRY_LABEL_COLUMNS);
    replay = await read(replayFile, REPLAY_COLUMNS);
  }
  const directionOnnxBytes = await bytesOf(files.directionOnnx.data);
  const entryOnnxBytes = await bytesOf(files.entryOnnx.data);
  const directionInitializers = readOnnx(directionOnnxBytes, files.directionOnnx.runPath).initializers;
  const entryInitializers = readOnnx(entryOnnxBytes, files.entryOnnx.runPath).initializers;
  const modelTrainManifest = files.modelTrainManifest ? await json(files.modelTrainManifest) : null;
  // The text too: the report prints its numbers as Python does (1.0 stays 1.0), which the parsed value cannot tell.
  const modelTrainManifestText = files.modelTrainManifest ? new TextDecoder().decode(await bytesOf(files.modelTrainManifest.data)) : null;
  return {
    baselineRunId: set.baselineRunId,
    featureOrder,
    featureFrame,
    entryLabels,
    replay,
    pricePlan,
    splitManifest,
    directionInitializers,
    entryInitializers,
    directionOnnxBytes,
    entryOnnxBytes,
    modelTrainManifest,
    modelTrainManifestText,
  };
}
