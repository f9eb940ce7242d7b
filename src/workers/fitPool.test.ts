import { describe, expect, it } from 'vitest';
import { dispatchGroups, dispatchOrder } from './fitPool.ts';
import type { FitJob } from './protocol.ts';

const job = (key: string, rows: number, cols: number): FitJob =>
  ({ task: { key, resultKey: key.split(':')[0], model: 'logistic', x: new Float32Array(0), rows, cols, y: new Float64Array(0), options: {} }, backend: 'cpu' }) as unknown as FitJob;

describe('fit pool dispatch order', () => {
  it('hands out the largest fits first, a side’s classifier and regressor together, ties in their order', () => {
    // the state-continue run's eight fits as the pipeline plans them (L's fit_inner rows)
    const jobs = [
      job('long_market_only:classifier', 326_953, 32),
      job('long_market_only:regressor', 326_953, 32),
      job('long_market_plus_state:classifier', 326_953, 43),
      job('long_market_plus_state:regressor', 326_953, 43),
      job('short_market_only:classifier', 168_647, 32),
      job('short_market_only:regressor', 168_647, 32),
      job('short_market_plus_state:classifier', 168_647, 43),
      job('short_market_plus_state:regressor', 168_647, 43),
    ];
    expect(dispatchOrder(jobs).map((i) => jobs[i].task.key)).toEqual([
      'long_market_plus_state:classifier',
      'long_market_plus_state:regressor',
      'long_market_only:classifier',
      'long_market_only:regressor',
      'short_market_plus_state:classifier',
      'short_market_plus_state:regressor',
      'short_market_only:classifier',
      'short_market_only:regressor',
    ]);
    expect(dispatchOrder([])).toEqual([]);
  });

  it('groups the jobs that share a matrix (a side’s classifier and regressor), largest group first', () => {
    const shared = (key: string, rows: number, cols: number, x: Float32Array): FitJob => {
      const j = job(key, rows, cols);
      j.task.x = x;
      j.task.y = new Float64Array(rows);
      return j;
    };
    const long = new Float32Array(12);
    const short = new Float32Array(8);
    const lone = new Float32Array(4);
    const jobs = [
      shared('short:classifier', 2, 4, short),
      shared('long:classifier', 3, 4, long),
      shared('short:regressor', 2, 4, short),
      shared('lone:classifier', 1, 4, lone),
      shared('long:regressor', 3, 4, long),
    ];
    expect(dispatchGroups(jobs)).toEqual([[1, 4], [0, 2], [3]]);
    // a shared target (a side’s two feature sets) does not join groups: only the matrix does
    const y = new Float64Array(3);
    const [a, b] = [shared("a", 3, 4, new Float32Array(12)), shared("b", 3, 4, new Float32Array(12))];
    a.task.y = y;
    b.task.y = y;
    expect(dispatchGroups([a, b])).toEqual([[0], [1]]);
    expect(dispatchGroups([])).toEqual([]);
  });
});
