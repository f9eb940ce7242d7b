/**
 * Export and import of the workbench's stores as one file (SPEC §5): a `.zip` that another browser imports.
 *
 * Layout of the file:
 * - `workbench-export.json`: `{ format: "ml-workbench-export", version: 1, exportedAt, scope: "all" | "run",
 *   runs: StoredRun[], trades: [...], registryModels: [...], registryHistory: [...], kv: [[key, value], ...] }`
 *   (typed arrays, should any value hold one, are written as `{ "$typed": "Float64Array", "base64": … }`);
 * - `runs/<n>/<artifact name>`: the bytes of each artifact of `runs[n]` (the run's artifact list names them).
 *
 * Importing merges and never overwrites what this browser holds:
 * - a run whose id is free is stored as is; the same run again (same id, same record) is skipped; a different
 *   run under a taken id is stored under the next free id (`id-2`, …) and the import says so;
 * - trades are added by trade_id when new; a known trade_id with other content is reported as a conflict and kept
 *   as it was (the dataset is append-only, SPEC §4);
 * - the registry (models, history, state) is taken only when this browser has no registered model: two
 *   registries cannot be merged without inventing promotions. Otherwise it is left out, with a message;
 * - other keys (settings, market) are taken when this browser lacks them.
 * The pure parts (pack, unpack, plan) run in Node; `exportAll`, `exportRun` and `importFile` do the IndexedDB work.
 */
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { InputError } from '../core/errors.ts';
import { base64UrlDecode, base64UrlEncode } from '../share/verdictLink.ts';
import { openWorkbenchDb } from './db.ts';
import type { StoredArtifact, StoredRun } from './runTypes.ts';
import { artifactBytes } from '../experiments/stateContinue/inputs.ts';

export const EXPORT_FORMAT = 'ml-workbench-export';
export const EXPORT_VERSION = 1;
export const EXPORT_INDEX = 'workbench-export.json';
export const REGISTRY_KV_KEY = 'riskRegistry';

export interface ExportedRun {
  run: StoredRun;
  artifacts: { name: string; mime: string; bytes: Uint8Array }[];
}

export interface WorkbenchExport {
  scope: 'all' | 'run';
  exportedAt: string;
  runs: ExportedRun[];
  trades: { trade_id: string; record_json?: string; [key: string]: unknown }[];
  registryModels: { id: string; [key: string]: unknown }[];
  registryHistory: unknown[];
  kv: [string, unknown][];
}

// ---------------------------------------------------------------------------------------------------------------
// JSON that keeps typed arrays

const TYPED = {
  Float64Array,
  Float32Array,
  Int32Array,
  Int16Array,
  Int8Array,
  Uint32Array,
  Uint16Array,
  Uint8Array,
  Uint8ClampedArray,
} as const;
type TypedName = keyof typeof TYPED;

function toPortable(value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const name = value.constructor.name as TypedName;
    if (!(name in TYPED)) throw new Error(`export: cannot write a ${name}`);
    const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    return { $typed: name, base64: base64UrlEncode(bytes) };
  }
  if (Array.isArray(value)) return value.map(toPortable);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toPortable(v);
    return out;
  }
  return value;
}

function fromPortable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromPortable);
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v.$typed === 'string' && typeof v.base64 === 'string' && Object.keys(v).length === 2) {
      const Ctor = TYPED[v.$typed as TypedName];
      if (!Ctor) throw new Error(`unknown typed array ${v.$typed}`);
      const bytes = base64UrlDecode(v.base64).slice();
      return new Ctor(bytes.buffer, 0, bytes.byteLength / Ctor.BYTES_PER_ELEMENT);
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = fromPortable(x);
    return out;
  }
  return value;
}

// ---------------------------------------------------------------------------------------------------------------
// pack / unpack

export function packExport(data: WorkbenchExport): Uint8Array {
  const files: Zippable = {};
  const index = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    scope: data.scope,
    exportedAt: data.exportedAt,
    runs: data.runs.map((r) => ({ ...r.run, artifacts: r.artifacts.map((a) => ({ name: a.name, mime: a.mime, size: a.bytes.byteLength })) })),
    trades: data.trades,
    registryModels: data.registryModels,
    registryHistory: data.registryHistory,
    kv: data.kv,
  };
  files[EXPORT_INDEX] = [strToU8(JSON.stringify(toPortable(index), null, 1)), { level: 6 }];
  data.runs.forEach((r, n) => {
    // Parquet and ONNX are compressed already: store them, deflate the text.
    for (const a of r.artifacts) files[`runs/${n}/${a.name}`] = [a.bytes, { level: /\.(json|md|txt|csv)$/.test(a.name) ? 6 : 0 }];
  });
  return zipSync(files);
}

/** Read an export file. Throws an InputError naming `file` and what is wrong. */
export function unpackExport(bytes: Uint8Array, file: string): WorkbenchExport {
  const fail = (message: string): never => {
    throw new InputError(`${file}: ${message}`, [{ file, message }]);
  };
  let entries: Record<string, Uint8Array> = {};
  try {
    entries = unzipSync(bytes);
  } catch (error) {
    fail(`expected a workbench export (.zip), found a file that is not a zip (${(error as Error).message})`);
  }
  const indexBytes = entries[EXPORT_INDEX];
  if (!indexBytes) fail(`expected ${EXPORT_INDEX} inside the zip, found ${Object.keys(entries).slice(0, 5).join(', ') || 'nothing'}`);
  let index: Record<string, unknown> = {};
  try {
    index = fromPortable(JSON.parse(strFromU8(indexBytes))) as Record<string, unknown>;
  } catch (error) {
    fail(`${EXPORT_INDEX} is not valid JSON (${(error as Error).message})`);
  }
  if (index.format !== EXPORT_FORMAT) fail(`expected format ${EXPORT_FORMAT}, found ${JSON.stringify(index.format ?? null)}`);
  if (typeof index.version !== 'number' || index.version > EXPORT_VERSION) {
    fail(`expected export version ${EXPORT_VERSION}, found ${JSON.stringify(index.version ?? null)} (made by a newer workbench?)`);
  }
  for (const key of ['runs', 'trades', 'registryModels', 'registryHistory', 'kv']) {
    if (!Array.isArray(index[key])) fail(`${key} must be a list, found ${typeof index[key]}`);
  }
  const runs = (index.runs as StoredRun[]).map((run, n): ExportedRun => {
    if (!run || typeof run.id !== 'string' || !run.id) fail(`runs[${n}] has no id`);
    if (!Array.isArray(run.artifacts)) fail(`run ${run.id}: artifacts must be a list`);
    const artifacts = run.artifacts.map((a) => {
      const data = entries[`runs/${n}/${a.name}`];
      if (!data) fail(`run ${run.id}: artifact ${a.name} is listed but missing from the zip`);
      if (data.byteLength !== a.size) fail(`run ${run.id}: artifact ${a.name} has ${data.byteLength} bytes, the run lists ${a.size}`);
      return { name: a.name, mime: a.mime, bytes: data };
    });
    return { run, artifacts };
  });
  return {
    scope: index.scope === 'run' ? 'run' : 'all',
    exportedAt: String(index.exportedAt ?? ''),
    runs,
    trades: index.trades as WorkbenchExport['trades'],
    registryModels: index.registryModels as WorkbenchExport['registryModels'],
    registryHistory: index.registryHistory as unknown[],
    kv: index.kv as [string, unknown][],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// merge plan

export interface ExistingState {
  runs: Map<string, StoredRun>;
  trades: Map<string, { record_json?: string }>;
  registryModelCount: number;
  kvKeys: Set<string>;
}

export interface ImportPlan {
  /** Runs to store, each with the id it gets here. */
  runs: { from: string; id: string; run: ExportedRun }[];
  skippedRuns: string[];
  trades: WorkbenchExport['trades'];
  tradeConflicts: string[];
  knownTrades: number;
  takeRegistry: boolean;
  kv: [string, unknown][];
  messages: string[];
}

/** The run as compared for "the same run again": everything but where it came from. */
function runIdentity(run: StoredRun): string {
  return JSON.stringify(toPortable({ ...run, id: '' }));
}

export function planImport(existing: ExistingState, incoming: WorkbenchExport): ImportPlan {
  const plan: ImportPlan = { runs: [], skippedRuns: [], trades: [], tradeConflicts: [], knownTrades: 0, takeRegistry: false, kv: [], messages: [] };
  const taken = new Set(existing.runs.keys());
  for (const r of incoming.runs) {
    const here = existing.runs.get(r.run.id);
    if (here && runIdentity(here) === runIdentity(r.run)) {
      plan.skippedRuns.push(r.run.id);
      continue;
    }
    let id = r.run.id;
    for (let k = 2; taken.has(id); k++) id = `${r.run.id}-${k}`;
    taken.add(id);
    plan.runs.push({ from: r.run.id, id, run: r });
    if (id !== r.run.id) plan.messages.push(`Run ${r.run.id} differs from the run of that id here: imported as ${id}.`);
  }
  if (plan.skippedRuns.length) plan.messages.push(`${plan.skippedRuns.length} run(s) already here, skipped: ${plan.skippedRuns.join(', ')}.`);
  const seen = new Set<string>();
  for (const t of incoming.trades) {
    if (seen.has(t.trade_id)) continue;
    seen.add(t.trade_id);
    const here = existing.trades.get(t.trade_id);
    if (!here) plan.trades.push(t);
    else if (here.record_json !== t.record_json) plan.tradeConflicts.push(t.trade_id);
    else plan.knownTrades++;
  }
  if (plan.tradeConflicts.length) {
    plan.messages.push(`${plan.tradeConflicts.length} trade(s) conflict with the stored ones and were not overwritten: ${plan.tradeConflicts.slice(0, 10).join(', ')}${plan.tradeConflicts.length > 10 ? ', …' : ''}.`);
  }
  if (incoming.registryModels.length > 0) {
    if (existing.registryModelCount === 0) plan.takeRegistry = true;
    else plan.messages.push(`The file's registry (${incoming.registryModels.length} model(s)) was not imported: this browser has its own registry. Replace it from the Registry screen if that is what you want.`);
  }
  for (const [key, value] of incoming.kv) {
    if (key === REGISTRY_KV_KEY) {
      if (plan.takeRegistry) plan.kv.push([key, value]);
    } else if (!existing.kvKeys.has(key)) plan.kv.push([key, value]);
  }
  return plan;
}

export interface ImportSummary {
  runs: string[];
  skippedRuns: string[];
  trades: number;
  knownTrades: number;
  tradeConflicts: string[];
  registry: boolean;
  messages: string[];
}

// ---------------------------------------------------------------------------------------------------------------
// IndexedDB (page only)

const db = openWorkbenchDb;

/** A run's artifacts in the run's order, as bytes (Blobs read here: an export file is packed in memory). */
async function artifactRows(rows: StoredArtifact[], run: StoredRun): Promise<ExportedRun['artifacts']> {
  const order = new Map(run.artifacts.map((a, i) => [a.name, i]));
  const sorted = rows.sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
  return Promise.all(sorted.map(async (a) => ({ name: a.name, mime: a.mime, bytes: await artifactBytes(a) })));
}

/** Everything this browser holds, as one file. */
export async function exportAll(now = new Date()): Promise<Uint8Array> {
  const handle = await db();
  const tx = handle.transaction(['runs', 'artifacts', 'trades', 'registryModels', 'registryHistory', 'kv'], 'readonly');
  const [runs, artifacts, trades, registryModels, registryHistory, kvKeys, kvValues] = await Promise.all([
    tx.objectStore('runs').getAll(),
    tx.objectStore('artifacts').getAll(),
    tx.objectStore('trades').getAll(),
    tx.objectStore('registryModels').getAll(),
    tx.objectStore('registryHistory').getAll(),
    tx.objectStore('kv').getAllKeys(),
    tx.objectStore('kv').getAll(),
  ]);
  await tx.done;
  const byRun = new Map<string, StoredArtifact[]>();
  for (const a of artifacts) (byRun.get(a.runId) ?? byRun.set(a.runId, []).get(a.runId)!).push(a);
  return packExport({
    scope: 'all',
    exportedAt: now.toISOString(),
    runs: await Promise.all(runs.map(async (run) => ({ run, artifacts: await artifactRows(byRun.get(run.id) ?? [], run) }))),
    trades,
    registryModels,
    registryHistory,
    kv: kvKeys.map((k, i) => [String(k), kvValues[i]]),
  });
}

/** One run with its artifacts, as one file. */
export async function exportRun(id: string, now = new Date()): Promise<Uint8Array> {
  const handle = await db();
  const run = await handle.get('runs', id);
  if (!run) throw new Error(`Run ${id} is no longer stored.`);
  const artifacts = await handle.getAllFromIndex('artifacts', 'runId', id);
  return packExport({ scope: 'run', exportedAt: now.toISOString(), runs: [{ run, artifacts: await artifactRows(artifacts, run) }], trades: [], registryModels: [], registryHistory: [], kv: [] });
}

/** Import a file made by exportAll or exportRun (merging, see the module comment). */
export async function importFile(bytes: Uint8Array, file: string): Promise<ImportSummary> {
  const incoming = unpackExport(bytes, file);
  const handle = await db();
  const stores = ['runs', 'artifacts', 'trades', 'registryModels', 'registryHistory', 'kv'] as const;
  // One transaction: the plan is made from what the stores hold inside it, so nothing changes in between.
  const tx = handle.transaction([...stores], 'readwrite');
  const [runs, trades, modelCount, kvKeys] = await Promise.all([
    tx.objectStore('runs').getAll(),
    tx.objectStore('trades').getAll(),
    tx.objectStore('registryModels').count(),
    tx.objectStore('kv').getAllKeys(),
  ]);
  const plan = planImport(
    {
      runs: new Map(runs.map((r) => [r.id, r])),
      trades: new Map(trades.map((t: { trade_id: string; record_json?: string }) => [t.trade_id, t])),
      registryModelCount: modelCount,
      kvKeys: new Set(kvKeys.map(String)),
    },
    incoming,
  );
  const writes: Promise<unknown>[] = [];
  for (const { id, run } of plan.runs) {
    writes.push(tx.objectStore('runs').put({ ...run.run, id }));
    for (const a of run.artifacts) writes.push(tx.objectStore('artifacts').put({ runId: id, name: a.name, mime: a.mime, bytes: a.bytes }));
  }
  let seq = trades.reduce((m: number, t: { seq?: number }) => Math.max(m, (t.seq ?? -1) + 1), trades.length);
  for (const t of plan.trades) writes.push(tx.objectStore('trades').put({ ...t, seq: seq++ }));
  if (plan.takeRegistry) {
    for (const m of incoming.registryModels) writes.push(tx.objectStore('registryModels').put(m));
    for (const h of incoming.registryHistory) writes.push(tx.objectStore('registryHistory').add(h));
  }
  for (const [key, value] of plan.kv) writes.push(tx.objectStore('kv').put(value, key));
  await Promise.all([...writes, tx.done]);
  return {
    runs: plan.runs.map((r) => r.id),
    skippedRuns: plan.skippedRuns,
    trades: plan.trades.length,
    knownTrades: plan.knownTrades,
    tradeConflicts: plan.tradeConflicts,
    registry: plan.takeRegistry,
    messages: plan.messages,
  };
}

export function exportFileName(scope: 'all' | 'run', id = '', now = new Date()): string {
  const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '_');
  return scope === 'all' ? `ml-workbench_${stamp}.zip` : `run_${id.replace(/[^A-Za-z0-9_.-]+/g, '_')}.mlrun.zip`;
}

export function importSummaryText(s: ImportSummary): string {
  const parts = [`${s.runs.length} run(s) imported${s.runs.length ? `: ${s.runs.join(', ')}` : ''}.`];
  if (s.trades || s.knownTrades) parts.push(`${s.trades} trade(s) added, ${s.knownTrades} already here.`);
  if (s.registry) parts.push('Registry imported.');
  return [...parts, ...s.messages].join(' ');
}
