import { afterEach, describe, expect, it } from 'vitest';
import { dispatchGroups, dispatchOrder, nextGroup, runFitJobs } from './fitPool.ts';
import type { FitApi, FitJob, FitJobResult } from './protocol.ts';
import { channelWorker, type ChannelWorker } from './testChannel.ts';
import { cpuOnly, fitHandlers } from './fitService.ts';
import { makeRng } from '../core/rng.ts';

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

  it('keeps a side on one worker: a lane takes its own side first, a fresh lane the largest of a side no lane has', () => {
    // L's four groups in dispatch order: long ps, long mo, short ps, short mo
    const sides = ['long', 'long', 'short', 'short'];
    const taken = [false, false, false, false];
    const take = (prefer: string | undefined, others: string[]) => {
      const g = nextGroup(sides, taken, prefer, new Set(others));
      if (g >= 0) taken[g] = true;
      return g;
    };
    // two fresh lanes: the long side's largest, then the short side's (not the long side's second)
    expect(take(undefined, [])).toBe(0);
    expect(take(undefined, ['long'])).toBe(2);
    // each lane, free again, takes its own side's other group
    expect(take('short', ['long'])).toBe(3);
    expect(take('long', ['short'])).toBe(1);
    expect(take('long', ['short'])).toBe(-1);
    // a lane whose side is done takes the other side's work rather than idle
    taken.fill(false);
    taken[0] = taken[2] = taken[3] = true;
    expect(take('short', ['long'])).toBe(1);
    // groups without an affinity go in dispatch order
    expect(nextGroup([undefined, undefined], [false, false], undefined, new Set())).toBe(0);
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

describe('fit pool: matrices made when a worker is free for them', () => {
  const workers: ChannelWorker[] = [];
  afterEach(() => {
    for (const w of workers.splice(0)) if (!w.terminated) w.terminate();
  });
  const spawn = () => {
    const w = channelWorker<FitApi>(fitHandlers(cpuOnly));
    workers.push(w);
    return w;
  };
  /** A side's classifier and regressor on one made-up rows × cols matrix. */
  const side = (name: string, rows: number, cols: number, seed: number) => {
    const rng = makeRng(seed);
    const x = Float32Array.from({ length: rows * cols }, () => rng() * 2 - 1);
    const yCls = Float64Array.from({ length: rows }, (_, i) => (x[i * cols] + rng() > 0.5 ? 1 : 0));
    const yReg = Float64Array.from({ length: rows }, (_, i) => 3 * x[i * cols + 1] + rng());
    const jobs = (matrix: Float32Array, named: boolean): FitJob[] => [
      { task: { key: `${name}:classifier`, resultKey: name, model: 'logistic', x: matrix, ...(named ? { matrix: name } : {}), rows, cols, y: yCls.slice(), options: { C: 1, maxIter: 50 } }, backend: 'cpu' },
      { task: { key: `${name}:regressor`, resultKey: name, model: 'huber', x: matrix, ...(named ? { matrix: name } : {}), rows, cols, y: yReg.slice(), options: { alpha: 1e-4, epsilon: 1.35, maxIter: 50 } }, backend: 'cpu' },
    ];
    return { x, jobs };
  };
  const sides = () => [side('big', 400, 5, 1), side('mid', 300, 5, 2), side('small', 200, 5, 3)];

  it('asks for each named matrix once, largest first, the next before a finished group’s results go out; same fits', async () => {
    const given = sides();
    const expected = await runFitJobs(spawn, given.flatMap((s) => s.jobs(s.x.slice(), false)), { signal: new AbortController().signal, progress: () => {} });

    const named = sides();
    const events: string[] = [];
    const made: Float32Array[] = [];
    const results = await runFitJobs(
      spawn,
      named.flatMap((s) => s.jobs(new Float32Array(0), true)),
      { signal: new AbortController().signal, progress: () => {}, partial: (value) => events.push(`result ${(value as FitJobResult).result.key}`) },
      {
        size: 2,
        materialize: async (name) => {
          events.push(`matrix ${name}`);
          const x = named.find((_, i) => ['big', 'mid', 'small'][i] === name)!.x;
          made.push(x);
          return x;
        },
      },
    );
    expect(events.filter((e) => e.startsWith('matrix'))).toEqual(['matrix big', 'matrix mid', 'matrix small']);
    // two workers took big and mid; the first to finish asked for small before its results were sent on
    expect(events.slice(0, 2)).toEqual(['matrix big', 'matrix mid']);
    expect(events[2]).toBe('matrix small');
    expect(events[3]).toMatch(/^result (big|mid):/);
    expect(events.filter((e) => e.startsWith('result'))).toHaveLength(6);
    // each matrix moved to its worker, not copied
    for (const x of made) expect(x.byteLength).toBe(0);
    expect(results.map((r) => r.result.key)).toEqual(expected.map((r) => r.result.key));
    for (const [i, r] of results.entries()) {
      expect(Array.from(r.result.coef)).toEqual(Array.from(expected[i].result.coef));
      expect(r.result.iterations).toBe(expected[i].result.iterations);
    }
  });

  it('fails, naming the matrix, when nothing makes it or what is made has the wrong size', async () => {
    const context = () => ({ signal: new AbortController().signal, progress: () => {} });
    const [big] = sides();
    await expect(runFitJobs(spawn, big.jobs(new Float32Array(0), true), context())).rejects.toThrow('the jobs of big name their matrix, and nothing makes it');
    await expect(runFitJobs(spawn, big.jobs(new Float32Array(0), true), context(), { materialize: async () => new Float32Array(7) })).rejects.toThrow(
      'matrix big has 7 values, expected 400×5',
    );
    await expect(runFitJobs(spawn, big.jobs(new Float32Array(0), true), context(), { materialize: async () => Promise.reject(new Error('no such matrix')) })).rejects.toThrow(
      'no such matrix',
    );
    expect(workers.every((w) => w.terminated)).toBe(true);
  });
});
