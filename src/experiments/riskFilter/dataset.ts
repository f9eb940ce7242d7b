/**
 * What training sees of the dataset: metadata, the label, the frozen feature list and the chronological order.
 */
import { compareDecisionTimes } from './isoTime.ts';
import type { StoredTrade, TradeDataset } from './ledger.ts';
import { isPyDict, isPyNumber, pyToFloat, type PyDict } from './pyValue.ts';

export interface DatasetMetadata {
  row_count: number;
  /** [earliest, latest] decision time as Python's isoformat, null when empty. */
  time_range: [string, string] | null;
  feature_names: string[];
  bad_trade_rate: number | null;
}

/** The rule_features names in order of first appearance over the stored rows. */
export function featureNames(rows: StoredTrade[]): string[] {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const features = row.record.get('rule_features');
    if (!isPyDict(features)) continue;
    for (const name of features.keys()) {
      if (!seen.has(name)) {
        seen.add(name);
        names.push(name);
      }
    }
  }
  return names;
}

/** is_bad = realized_pnl_pct < 0 OR |mae_pct| > mae_threshold (a missing or non-numeric mae_pct counts as 0). */
export function isBadTrade(record: PyDict, maeThreshold: number): 0 | 1 {
  const pnl = realizedPnl(record);
  const rawMae = record.get('mae_pct');
  const mae = isPyNumber(rawMae) ? pyToFloat(rawMae) : 0;
  return pnl < 0 || Math.abs(mae) > maeThreshold ? 1 : 0;
}

export function realizedPnl(record: PyDict): number {
  const value = record.get('realized_pnl_pct');
  if (!isPyNumber(value)) throw new Error('a stored trade always has a numeric realized_pnl_pct');
  return pyToFloat(value);
}

/** min()/max() keep the first of equal elements, as Python's do. */
export function datasetMetadata(dataset: TradeDataset, maeThreshold: number): DatasetMetadata {
  const rows = dataset.rows;
  if (rows.length === 0) return { row_count: 0, time_range: null, feature_names: featureNames(rows), bad_trade_rate: null };
  let first = rows[0];
  let last = rows[0];
  let bad = 0;
  for (const row of rows) {
    if (compareDecisionTimes(row.time, first.time) < 0) first = row;
    if (compareDecisionTimes(row.time, last.time) > 0) last = row;
    bad += isBadTrade(row.record, maeThreshold);
  }
  return {
    row_count: rows.length,
    time_range: [first.time.iso, last.time.iso],
    feature_names: featureNames(rows),
    bad_trade_rate: bad / rows.length,
  };
}

/** Python's `str` ordering (code points), used for the trade_id tie-break. */
export function comparePyStr(a: string, b: string): number {
  if (a === b) return 0;
  const ca = Array.from(a);
  const cb = Array.from(b);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const d = ca[i].codePointAt(0)! - cb[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return ca.length - cb.length;
}

/** Indices of `rows` in time order, ties by trade_id (Python's sorted is stable; ids are unique anyway). */
export function chronologicalOrder(rows: StoredTrade[]): number[] {
  return rows
    .map((_, i) => i)
    .sort((a, b) => compareDecisionTimes(rows[a].time, rows[b].time) || comparePyStr(rows[a].trade_id, rows[b].trade_id));
}

/** n_test = ceil(0.2·n) in integers (the sklearn convention for test_size=0.2). */
export function testCount(n: number): number {
  return Math.floor((2 * n + 9) / 10);
}

/** The first stored row that lacks a numeric model feature, with the feature's name. */
export function firstMissingFeature(rows: StoredTrade[], names: string[]): { trade_id: string; feature: string } | null {
  for (const row of rows) {
    const features = row.record.get('rule_features');
    for (const name of names) {
      const value = isPyDict(features) ? features.get(name) : undefined;
      if (!isPyNumber(value)) return { trade_id: row.trade_id, feature: name };
    }
  }
  return null;
}

/** Row-major float64 design matrix in the given row order. */
export function featureMatrix(rows: StoredTrade[], order: number[], names: string[]): Float64Array {
  const x = new Float64Array(order.length * names.length);
  order.forEach((rowIndex, i) => {
    const features = rows[rowIndex].record.get('rule_features') as PyDict;
    names.forEach((name, j) => {
      x[i * names.length + j] = pyToFloat(features.get(name) as number | bigint);
    });
  });
  return x;
}
