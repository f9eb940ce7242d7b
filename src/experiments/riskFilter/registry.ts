/**
 * The model registry (SPEC §4) as a pure state machine: candidates, the active model, the previous active one
 * (kept for rollback), a lock for the trading session, and an append-only history. Every command returns the
 * new state and the history entry it appends, or a refusal with a message for the user; it never throws for a
 * refused command, so the views show the message as it is. Persistence lives in src/store/riskStore.ts.
 */
import type { RiskModel } from './trainer.ts';

export interface RegisteredModel {
  /** UTC time of training, `YYYYMMDD_HHMMSS`, with `_2`, `_3`… when that second already has a model. */
  id: string;
  trained_at: string;
  model: RiskModel;
  /** Metrics shown when deciding on a promotion (test accuracy, AUC, evaluation tables). */
  metrics: Record<string, unknown>;
  /** Where it came from: the ledger file and its SHA-256, the row count. */
  source: { file: string; sha256: string; rows: number };
}

export interface RegistryState {
  /** Ids of registered models in registration order. */
  models: string[];
  active: string | null;
  previous: string | null;
  locked: boolean;
  /** Free text of the current lock (the session it is held for). */
  lockReason: string | null;
}

export type HistoryAction = 'register' | 'promote' | 'rollback' | 'lock' | 'unlock';

export interface HistoryEntry {
  at: string;
  action: HistoryAction;
  model: string | null;
  /** The active model before the change. */
  from: string | null;
  reason: string;
}

export type RegistryOutcome = { ok: true; state: RegistryState; entry: HistoryEntry } | { ok: false; message: string };

export const EMPTY_REGISTRY: RegistryState = { models: [], active: null, previous: null, locked: false, lockReason: null };

const pad = (n: number) => String(n).padStart(2, '0');

/** `YYYYMMDD_HHMMSS` of a time, in UTC. */
export function modelIdBase(at: Date): string {
  return `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}_${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}`;
}

/** A new id for a model trained at `at`, unique among `taken`. */
export function candidateId(at: Date, taken: Iterable<string>): string {
  const used = new Set(taken);
  const base = modelIdBase(at);
  if (!used.has(base)) return base;
  for (let k = 2; ; k++) if (!used.has(`${base}_${k}`)) return `${base}_${k}`;
}

export function isCandidate(state: RegistryState, id: string): boolean {
  return state.models.includes(id) && state.active !== id;
}

export function candidates(state: RegistryState): string[] {
  return state.models.filter((id) => id !== state.active);
}

const lockedMessage = (action: string, state: RegistryState) =>
  `The registry is locked for a trading session${state.lockReason ? ` (${state.lockReason})` : ''}: ${action} is refused until it is unlocked after the session.`;

/** Register a candidate (never promoted here: promotion is always a separate, explicit step). */
export function registerCandidate(state: RegistryState, id: string, at: Date): RegistryOutcome {
  if (state.models.includes(id)) return { ok: false, message: `A model with id ${id} is already registered.` };
  return {
    ok: true,
    state: { ...state, models: [...state.models, id] },
    entry: { at: at.toISOString(), action: 'register', model: id, from: state.active, reason: 'registered as a candidate' },
  };
}

export function promoteCandidate(state: RegistryState, id: string, reason: string, at: Date): RegistryOutcome {
  if (state.locked) return { ok: false, message: lockedMessage('promotion', state) };
  const why = reason.trim();
  if (!why) return { ok: false, message: 'A promotion needs a reason: say why this model should trade (e.g. "lower drawdown on the test trades").' };
  if (!state.models.includes(id)) return { ok: false, message: `No registered model has the id ${id}.` };
  if (state.active === id) return { ok: false, message: `Model ${id} is already the active model.` };
  return {
    ok: true,
    state: { ...state, active: id, previous: state.active },
    entry: { at: at.toISOString(), action: 'promote', model: id, from: state.active, reason: why },
  };
}

/** Back to the previous active model; the model rolled back from becomes a candidate again. */
export function rollback(state: RegistryState, reason: string, at: Date): RegistryOutcome {
  if (state.locked) return { ok: false, message: lockedMessage('rollback', state) };
  if (!state.previous) return { ok: false, message: 'There is no previous active model to roll back to.' };
  const why = reason.trim() || 'rollback';
  return {
    ok: true,
    state: { ...state, active: state.previous, previous: null },
    entry: { at: at.toISOString(), action: 'rollback', model: state.previous, from: state.active, reason: why },
  };
}

export function lockRegistry(state: RegistryState, reason: string, at: Date): RegistryOutcome {
  if (state.locked) return { ok: false, message: 'The registry is already locked.' };
  const why = reason.trim() || 'trading session';
  return {
    ok: true,
    state: { ...state, locked: true, lockReason: why },
    entry: { at: at.toISOString(), action: 'lock', model: state.active, from: state.active, reason: why },
  };
}

export function unlockRegistry(state: RegistryState, reason: string, at: Date): RegistryOutcome {
  if (!state.locked) return { ok: false, message: 'The registry is not locked.' };
  const why = reason.trim() || 'session over';
  return {
    ok: true,
    state: { ...state, locked: false, lockReason: null },
    entry: { at: at.toISOString(), action: 'unlock', model: state.active, from: state.active, reason: why },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Export / import as JSON files.

export const REGISTRY_EXPORT_KIND = 'ml-workbench.risk-registry';
export const MODEL_EXPORT_KIND = 'ml-workbench.risk-model';

export interface RegistryExport {
  kind: typeof REGISTRY_EXPORT_KIND;
  version: 1;
  state: RegistryState;
  models: RegisteredModel[];
  history: HistoryEntry[];
}

export interface ModelExport {
  kind: typeof MODEL_EXPORT_KIND;
  version: 1;
  model: RegisteredModel;
}

export function exportRegistry(state: RegistryState, models: RegisteredModel[], history: HistoryEntry[]): RegistryExport {
  return { kind: REGISTRY_EXPORT_KIND, version: 1, state, models, history };
}

export function exportModel(model: RegisteredModel): ModelExport {
  return { kind: MODEL_EXPORT_KIND, version: 1, model };
}

/** Problems of a RiskModel as read from a file or a store (a model that fails to load). */
export function riskModelProblems(value: unknown): string[] {
  const problems: string[] = [];
  const m = value as Partial<RiskModel> | null;
  if (!m || typeof m !== 'object') return ['the model is not an object'];
  const names = m.feature_names;
  if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string')) problems.push('feature_names must be a non-empty list of names');
  const f = Array.isArray(names) ? names.length : 0;
  const vec = (v: unknown, what: string, positive = false) => {
    if (!Array.isArray(v) || v.length !== f || !v.every((x) => typeof x === 'number' && Number.isFinite(x) && (!positive || x > 0)))
      problems.push(`${what} must hold ${f} finite numbers${positive ? ' above 0' : ''}`);
  };
  vec(m.coef, 'coef');
  vec(m.scaler?.mean, 'scaler.mean');
  vec(m.scaler?.scale, 'scaler.scale', true);
  if (typeof m.intercept !== 'number' || !Number.isFinite(m.intercept)) problems.push('intercept must be a finite number');
  return problems;
}

function registeredModelProblems(value: unknown, where: string): string[] {
  const r = value as Partial<RegisteredModel> | null;
  if (!r || typeof r !== 'object') return [`${where}: not an object`];
  const out: string[] = [];
  if (typeof r.id !== 'string' || !/^\d{8}_\d{6}(_\d+)?$/.test(r.id)) out.push(`${where}: id must look like YYYYMMDD_HHMMSS, found ${JSON.stringify(r.id)}`);
  out.push(...riskModelProblems(r.model).map((p) => `${where} (${String(r.id)}): ${p}`));
  return out;
}

/** Check an imported registry file; the problems name what is wrong. */
export function parseRegistryExport(value: unknown, file: string): { ok: true; value: RegistryExport } | { ok: false; problems: string[] } {
  const v = value as Partial<RegistryExport> | null;
  if (!v || v.kind !== REGISTRY_EXPORT_KIND) return { ok: false, problems: [`${file}: expected a registry export (kind ${REGISTRY_EXPORT_KIND}), found ${JSON.stringify(v?.kind ?? null)}`] };
  const problems: string[] = [];
  if (!Array.isArray(v.models)) problems.push(`${file}: models must be a list`);
  if (!Array.isArray(v.history)) problems.push(`${file}: history must be a list`);
  const s = v.state;
  if (!s || !Array.isArray(s.models)) problems.push(`${file}: state.models must be a list`);
  if (problems.length) return { ok: false, problems };
  v.models!.forEach((m, i) => problems.push(...registeredModelProblems(m, `${file}: models[${i}]`)));
  const ids = new Set(v.models!.map((m) => m.id));
  for (const id of [...s!.models, s!.active, s!.previous]) if (id && !ids.has(id)) problems.push(`${file}: state names model ${id}, which the file does not hold`);
  return problems.length ? { ok: false, problems } : { ok: true, value: v as RegistryExport };
}

export function parseModelExport(value: unknown, file: string): { ok: true; value: ModelExport } | { ok: false; problems: string[] } {
  const v = value as Partial<ModelExport> | null;
  if (!v || v.kind !== MODEL_EXPORT_KIND) return { ok: false, problems: [`${file}: expected a model export (kind ${MODEL_EXPORT_KIND}), found ${JSON.stringify(v?.kind ?? null)}`] };
  const problems = registeredModelProblems(v.model, `${file}: model`);
  return problems.length ? { ok: false, problems } : { ok: true, value: v as ModelExport };
}
