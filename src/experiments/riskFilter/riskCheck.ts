/**
 * The trading-time risk check (SPEC §4). ML is advisory: it can only BLOCK a rule signal, and when it cannot
 * judge (no active model, a model that fails to load, a signal without a model feature) the decision is
 * RULES_ONLY with the reason, never an error, so trading goes on with the rules alone.
 * A trading session freezes the active model at its start: promotions during the session do not touch it.
 */
import { RISK_FILTER_DEFAULTS } from '../../core/constants.ts';
import { type LedgerEntry } from './ledger.ts';
import { isPyDict, isPyNumber, pyToFloat, pyValueStr, type PyDict, type PyValue } from './pyValue.ts';
import { riskModelProblems, type RegisteredModel } from './registry.ts';
import { predictRisk, type RiskModel } from './trainer.ts';

export type RiskDecision = 'ALLOW' | 'BLOCK' | 'RULES_ONLY';

export interface RiskCheckResult {
  decision: RiskDecision;
  /** P(is_bad) when the model judged. */
  risk: number | null;
  threshold: number;
  model_id: string | null;
  reason: string;
}

export interface TradingSession {
  started_at: string;
  /** The active model at the start, frozen for the whole session (a deep copy: later edits cannot reach it). */
  model_id: string | null;
  model: RiskModel | null;
  /** Why the session trades with rules only (no active model, load failure). */
  fallback: string | null;
}

/** Start a session on the active model of the registry (or on what loading it gave). */
export function startSession(active: RegisteredModel | null | { loadError: string; id: string }, at: Date): TradingSession {
  const started_at = at.toISOString();
  if (!active) return { started_at, model_id: null, model: null, fallback: 'no active model: trading with rules only' };
  if ('loadError' in active) return { started_at, model_id: active.id, model: null, fallback: `model ${active.id} failed to load: ${active.loadError}` };
  const problems = riskModelProblems(active.model);
  if (problems.length) return { started_at, model_id: active.id, model: null, fallback: `model ${active.id} failed to load: ${problems.join('; ')}` };
  return { started_at, model_id: active.id, model: structuredClone(active.model), fallback: null };
}

/** The features of a signal: its `rule_features` object, or the signal itself when it is flat. */
function signalFeatures(signal: PyDict | Record<string, unknown>): (name: string) => unknown {
  if (signal instanceof Map) {
    const inner = signal.get('rule_features');
    const source = isPyDict(inner) ? inner : signal;
    return (name) => source.get(name);
  }
  const inner = signal.rule_features;
  const source = inner && typeof inner === 'object' && !Array.isArray(inner) ? (inner as Record<string, unknown>) : signal;
  return (name) => source[name];
}

function numeric(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return isPyNumber(value) ? pyToFloat(value) : null;
  return null;
}

export function checkSignal(
  session: TradingSession,
  signal: PyDict | Record<string, unknown>,
  threshold: number = RISK_FILTER_DEFAULTS.riskThreshold,
): RiskCheckResult {
  const base = { threshold, model_id: session.model_id };
  if (!session.model) return { ...base, decision: 'RULES_ONLY', risk: null, reason: session.fallback ?? 'no model' };
  const model = session.model;
  const get = signalFeatures(signal);
  const x = new Float64Array(model.feature_names.length);
  const missing: string[] = [];
  model.feature_names.forEach((name, j) => {
    const v = numeric(get(name));
    if (v === null) missing.push(name);
    else x[j] = v;
  });
  if (missing.length) {
    return { ...base, decision: 'RULES_ONLY', risk: null, reason: `signal lacks model feature${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: trading with rules only` };
  }
  const risk = predictRisk(model, x, 1)[0];
  if (!Number.isFinite(risk)) return { ...base, decision: 'RULES_ONLY', risk: null, reason: 'the model gave no finite risk: trading with rules only' };
  return risk > threshold
    ? { ...base, decision: 'BLOCK', risk, reason: `risk ${risk.toFixed(3)} > threshold ${threshold}` }
    : { ...base, decision: 'ALLOW', risk, reason: `risk ${risk.toFixed(3)} <= threshold ${threshold}` };
}

export interface BatchCheckRow extends RiskCheckResult {
  line: number;
  trade_id: string | null;
  symbol: string | null;
}

/** A file of signals (JSON Lines or CSV with rule_features.NAME columns, read like a ledger): one decision each. */
export function checkSignals(session: TradingSession, entries: LedgerEntry[], threshold?: number): BatchCheckRow[] {
  return entries.map(({ line, parsed, malformed }) => {
    const empty = { line, trade_id: null, symbol: null, threshold: threshold ?? RISK_FILTER_DEFAULTS.riskThreshold, model_id: session.model_id, risk: null };
    if (malformed !== undefined) return { ...empty, decision: 'RULES_ONLY' as const, reason: `unreadable signal: ${malformed}` };
    if (!parsed.ok) return { ...empty, decision: 'RULES_ONLY' as const, reason: `unreadable signal: not valid JSON: ${parsed.msg}` };
    if (!isPyDict(parsed.value)) return { ...empty, decision: 'RULES_ONLY' as const, reason: 'unreadable signal: not a JSON object' };
    const record = parsed.value;
    const text = (v: PyValue | undefined) => (v === undefined || v === null ? null : pyValueStr(v));
    return { line, trade_id: text(record.get('trade_id')), symbol: text(record.get('symbol')), ...checkSignal(session, record, threshold) };
  });
}
