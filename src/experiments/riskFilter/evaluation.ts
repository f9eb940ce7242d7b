/**
 * Rules-only against rules+ML (SPEC §4): the same trades in time order, with and without the ones the model
 * blocks (risk strictly above the threshold). Sums go through numpy's pairwise summation so that the rates are
 * the reference's to the last bit.
 */
import { numpySum } from '../../ml/numpySum.ts';
import type { TrainedRisk } from './trainer.ts';

export interface PerformanceTable {
  trade_count: number;
  bad_trades: number;
  win_rate: number | null;
  expectancy: number | null;
  max_drawdown: number;
}

export interface Evaluation {
  rules_only: PerformanceTable;
  rules_ml: PerformanceTable;
  bad_trades_avoided: number;
  good_trades_blocked: number;
}

/** Running sum of pnl from 0, and its drawdown (sum minus its running maximum), one point per trade plus the start. */
export interface Curves {
  cumulative: Float64Array;
  drawdown: Float64Array;
}

export function curves(pnl: ArrayLike<number>): Curves {
  const n = pnl.length;
  const cumulative = new Float64Array(n + 1);
  const drawdown = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) cumulative[i + 1] = i === 0 ? pnl[0] : cumulative[i] + pnl[i];
  let peak = -Infinity;
  for (let i = 0; i <= n; i++) {
    peak = Math.max(peak, cumulative[i]);
    drawdown[i] = cumulative[i] - peak;
  }
  return { cumulative, drawdown };
}

export function performanceTable(pnl: ArrayLike<number>, bad: ArrayLike<number>): PerformanceTable {
  const count = pnl.length;
  if (count === 0) return { trade_count: 0, bad_trades: 0, win_rate: null, expectancy: null, max_drawdown: 0 };
  const wins = new Float64Array(count);
  let badTrades = 0;
  for (let i = 0; i < count; i++) {
    wins[i] = pnl[i] > 0 ? 1 : 0;
    badTrades += bad[i];
  }
  const { drawdown } = curves(pnl);
  let lowest = Infinity;
  for (const d of drawdown) lowest = Math.min(lowest, d);
  return {
    trade_count: count,
    bad_trades: badTrades,
    win_rate: numpySum(wins) / count,
    expectancy: numpySum(pnl) / count,
    max_drawdown: lowest,
  };
}

export function evaluate(pnl: ArrayLike<number>, bad: ArrayLike<number>, risk: ArrayLike<number>, threshold: number): Evaluation {
  const keptPnl: number[] = [];
  const keptBad: number[] = [];
  let avoided = 0;
  let blockedGood = 0;
  for (let i = 0; i < pnl.length; i++) {
    if (risk[i] > threshold) {
      if (bad[i] === 1) avoided++;
      else blockedGood++;
    } else {
      keptPnl.push(pnl[i]);
      keptBad.push(bad[i]);
    }
  }
  return {
    rules_only: performanceTable(pnl, bad),
    rules_ml: performanceTable(keptPnl, keptBad),
    bad_trades_avoided: avoided,
    good_trades_blocked: blockedGood,
  };
}

export interface RiskEvaluation {
  test: Evaluation;
  all: Evaluation;
}

/** The pnl series each chart draws: rules-only and rules+ML, on the test part and on all trades. */
export interface EvaluationSeries {
  test: { rulesOnly: number[]; rulesMl: number[] };
  all: { rulesOnly: number[]; rulesMl: number[] };
}

export function evaluateTrained(trained: TrainedRisk, threshold: number): RiskEvaluation {
  const rows = trained.ordered;
  const test = rows.filter((r) => r.test);
  const col = (list: typeof rows, key: 'pnl' | 'bad' | 'risk') => list.map((r) => r[key] as number);
  return {
    test: evaluate(col(test, 'pnl'), col(test, 'bad'), col(test, 'risk'), threshold),
    all: evaluate(col(rows, 'pnl'), col(rows, 'bad'), col(rows, 'risk'), threshold),
  };
}

/**
 * Per signal in time order: rules-only takes every trade; rules+ML adds 0 for a blocked one, so both curves
 * share the time axis (the running sum and its drawdown of the kept trades are unchanged by the zeros).
 */
export function evaluationSeries(trained: TrainedRisk, threshold: number): EvaluationSeries {
  const rows = trained.ordered;
  const part = (list: typeof rows) => ({
    rulesOnly: list.map((r) => r.pnl),
    rulesMl: list.map((r) => (r.risk > threshold ? 0 : r.pnl)),
  });
  return { test: part(rows.filter((r) => r.test)), all: part(rows) };
}
