import { describe, expect, it } from 'vitest';
import { dispatchOrder } from './fitPool.ts';
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
});
