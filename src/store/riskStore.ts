/**
 * Repositories of the risk filter in the workbench's IndexedDB (src/store/db.ts):
 * - `trades`: the append-only dataset, one row per closed trade keyed by trade_id (the record kept as its JSON
 *   text so that Python's int/float distinction and key order survive), with the order of arrival;
 * - `registryModels`, `registryHistory` and the registry state in `kv`: every command reads the state, applies
 *   the pure rule of src/experiments/riskFilter/registry.ts and writes the state and its history entry in one
 *   transaction, so a refused or interrupted command changes nothing;
 * - the trading session (the model frozen at its start), the market settings and the last risk-filter view
 *   state, in `kv`.
 */
import { openWorkbenchDb } from './db.ts';
import { recordJson, storedTradeFromJson, TradeDataset, type StoredTrade } from '../experiments/riskFilter/ledger.ts';
import { US_EQUITIES, type MarketConfig } from '../experiments/riskFilter/marketClock.ts';
import {
  EMPTY_REGISTRY,
  exportRegistry,
  parseModelExport,
  parseRegistryExport,
  registerCandidate,
  type HistoryEntry,
  type RegisteredModel,
  type RegistryExport,
  type RegistryOutcome,
  type RegistryState,
} from '../experiments/riskFilter/registry.ts';
import type { TradingSession } from '../experiments/riskFilter/riskCheck.ts';

const KV_REGISTRY = 'riskRegistry';
const KV_SESSION = 'riskSession';
const KV_MARKET = 'riskMarket';
const KV_LAST_RUN = 'riskLastRun';

export interface StoredTradeRow {
  trade_id: string;
  /** Arrival order (the dataset's row order). */
  seq: number;
  record_json: string;
  /** The ledger file it came from and when. */
  source: string;
  imported_at: string;
}

// ---------------------------------------------------------------------------------------------------------------
// dataset

export async function loadDataset(): Promise<TradeDataset> {
  const db = await openWorkbenchDb();
  const rows = (await db.getAll('trades')) as StoredTradeRow[];
  rows.sort((a, b) => a.seq - b.seq);
  return TradeDataset.fromRows(rows.map((r) => storedTradeFromJson(r.record_json)));
}

/** The stored records as their texts, in arrival order (what the ledger worker rebuilds the dataset from). */
export async function loadStoredTradeJson(): Promise<string[]> {
  const db = await openWorkbenchDb();
  const rows = (await db.getAll('trades')) as StoredTradeRow[];
  rows.sort((a, b) => a.seq - b.seq);
  return rows.map((r) => r.record_json);
}

/** Append rows given as texts (from the ledger worker); `add` refuses a known trade_id, so nothing is overwritten. */
export async function appendTradeRows(rows: { trade_id: string; record_json: string }[], source: string, at: Date): Promise<void> {
  if (rows.length === 0) return;
  const db = await openWorkbenchDb();
  const tx = db.transaction('trades', 'readwrite');
  let seq = await tx.store.count();
  for (const row of rows) {
    const value: StoredTradeRow = { trade_id: row.trade_id, seq: seq++, record_json: row.record_json, source, imported_at: at.toISOString() };
    void tx.store.add(value);
  }
  await tx.done;
}

/** Append the rows an import added (never overwrites: `add` fails on a known trade_id, which the import excludes). */
export async function appendTrades(rows: StoredTrade[], source: string, at: Date): Promise<void> {
  if (rows.length === 0) return;
  const db = await openWorkbenchDb();
  const tx = db.transaction('trades', 'readwrite');
  const count = await tx.store.count();
  let seq = count;
  for (const row of rows) {
    const value: StoredTradeRow = { trade_id: row.trade_id, seq: seq++, record_json: recordJson(row.record), source, imported_at: at.toISOString() };
    void tx.store.add(value);
  }
  await tx.done;
}

export async function clearDataset(): Promise<void> {
  const db = await openWorkbenchDb();
  await db.clear('trades');
}

// ---------------------------------------------------------------------------------------------------------------
// registry

export interface RegistrySnapshot {
  state: RegistryState;
  models: RegisteredModel[];
  history: HistoryEntry[];
}

export async function loadRegistry(): Promise<RegistrySnapshot> {
  const db = await openWorkbenchDb();
  const state = ((await db.get('kv', KV_REGISTRY)) as RegistryState | undefined) ?? EMPTY_REGISTRY;
  const models = (await db.getAll('registryModels')) as RegisteredModel[];
  const order = new Map(state.models.map((id, i) => [id, i]));
  models.sort((a, b) => (order.get(a.id) ?? 1e9) - (order.get(b.id) ?? 1e9));
  const history = (await db.getAll('registryHistory')) as HistoryEntry[];
  return { state, models, history };
}

export async function getRegisteredModel(id: string): Promise<RegisteredModel | undefined> {
  const db = await openWorkbenchDb();
  return (await db.get('registryModels', id)) as RegisteredModel | undefined;
}

/**
 * Apply a registry command atomically. `command` is one of the pure rules (promote, rollback, lock…) bound to its
 * arguments; `model` is stored with it when the command registers one.
 */
export async function applyRegistryCommand(command: (state: RegistryState) => RegistryOutcome, model?: RegisteredModel): Promise<RegistryOutcome> {
  const db = await openWorkbenchDb();
  const tx = db.transaction(['kv', 'registryModels', 'registryHistory'], 'readwrite');
  const state = ((await tx.objectStore('kv').get(KV_REGISTRY)) as RegistryState | undefined) ?? EMPTY_REGISTRY;
  const outcome = command(state);
  if (outcome.ok) {
    if (model) void tx.objectStore('registryModels').put(model);
    void tx.objectStore('kv').put(outcome.state, KV_REGISTRY);
    void tx.objectStore('registryHistory').add(outcome.entry);
  }
  await tx.done;
  return outcome;
}

export function registerModel(model: RegisteredModel, at: Date): Promise<RegistryOutcome> {
  return applyRegistryCommand((state) => registerCandidate(state, model.id, at), model);
}

export async function exportRegistryFile(): Promise<RegistryExport> {
  const { state, models, history } = await loadRegistry();
  return exportRegistry(state, models, history);
}

/** Replace the registry by an exported one (the history of the file, plus an entry saying it was imported). */
export async function importRegistryFile(value: unknown, file: string, at: Date): Promise<{ ok: true } | { ok: false; problems: string[] }> {
  const parsed = parseRegistryExport(value, file);
  if (!parsed.ok) return parsed;
  const db = await openWorkbenchDb();
  const tx = db.transaction(['kv', 'registryModels', 'registryHistory'], 'readwrite');
  await tx.objectStore('registryModels').clear();
  await tx.objectStore('registryHistory').clear();
  for (const m of parsed.value.models) void tx.objectStore('registryModels').put(m);
  for (const h of parsed.value.history) void tx.objectStore('registryHistory').add(h);
  void tx.objectStore('kv').put(parsed.value.state, KV_REGISTRY);
  void tx
    .objectStore('registryHistory')
    .add({ at: at.toISOString(), action: 'register', model: null, from: parsed.value.state.active, reason: `registry imported from ${file}` } satisfies HistoryEntry);
  await tx.done;
  return { ok: true };
}

/** Add one exported model as a candidate (its id must be free). */
export async function importModelFile(value: unknown, file: string, at: Date): Promise<{ ok: true; id: string } | { ok: false; problems: string[] }> {
  const parsed = parseModelExport(value, file);
  if (!parsed.ok) return parsed;
  const outcome = await registerModel(parsed.value.model, at);
  return outcome.ok ? { ok: true, id: parsed.value.model.id } : { ok: false, problems: [`${file}: ${outcome.message}`] };
}

// ---------------------------------------------------------------------------------------------------------------
// session, market, view state

export async function loadSession(): Promise<TradingSession | null> {
  const db = await openWorkbenchDb();
  return ((await db.get('kv', KV_SESSION)) as TradingSession | undefined) ?? null;
}

export async function saveSession(session: TradingSession | null): Promise<void> {
  const db = await openWorkbenchDb();
  if (session) await db.put('kv', session, KV_SESSION);
  else await db.delete('kv', KV_SESSION);
}

export async function loadMarket(): Promise<MarketConfig> {
  const db = await openWorkbenchDb();
  return ((await db.get('kv', KV_MARKET)) as MarketConfig | undefined) ?? US_EQUITIES;
}

export async function saveMarket(config: MarketConfig): Promise<void> {
  const db = await openWorkbenchDb();
  await db.put('kv', config, KV_MARKET);
}

/** The last risk-filter result shown (swing_result.json text and its params), so a reload shows it again. */
export interface LastRiskRun {
  at: string;
  runId: string;
  swingResultText: string;
}

export async function loadLastRiskRun(): Promise<LastRiskRun | null> {
  const db = await openWorkbenchDb();
  return ((await db.get('kv', KV_LAST_RUN)) as LastRiskRun | undefined) ?? null;
}

export async function saveLastRiskRun(run: LastRiskRun): Promise<void> {
  const db = await openWorkbenchDb();
  await db.put('kv', run, KV_LAST_RUN);
}
