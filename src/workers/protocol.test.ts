import { afterEach, describe, expect, it } from 'vitest';
import { CancelledError, InputError } from '../core/errors.ts';
import { WorkerClient } from './client.ts';
import type { Handlers } from './dispatcher.ts';
import { withTransfer, WorkerCrashError, type Progress } from './protocol.ts';
import { channelWorker, type ChannelWorker } from './testChannel.ts';

type TestApi = {
  sum: { request: { values: Float64Array }; response: { total: number; echo: Float64Array } };
  fail: { request: { kind: 'input' | 'plain' | 'trap' | 'panic' }; response: never };
  wait: { request: { ms: number }; response: string };
  askHost: { request: { jobs: number }; response: { ms: number[]; partials: string[] } };
};

const spawned: ChannelWorker[] = [];
afterEach(() => {
  for (const w of spawned.splice(0)) if (!w.terminated) w.terminate();
});

const handlers: Handlers<TestApi> = {
  async sum({ values }, context) {
    let total = 0;
    for (let i = 0; i < values.length; i++) {
      total += values[i];
      context.progress({ kind: 'stage', stage: 'sum', state: i === values.length - 1 ? 'done' : 'progress', done: i + 1, total: values.length });
    }
    return withTransfer({ total, echo: values }, [values.buffer as ArrayBuffer]);
  },
  async fail({ kind }) {
    if (kind === 'input') throw new InputError('feature/feature_order.json: expected a JSON array, found an object', [{ file: 'feature/feature_order.json', message: 'expected a JSON array, found an object' }]);
    if (kind === 'panic') {
      // What src/data/parquet.ts throws when the wasm decoder panics on a file: bad input, and a spoilt decoder.
      const panic = new InputError('replay/replay_1m.parquet: the parquet decoder crashed', [{ file: 'replay/replay_1m.parquet', message: 'the parquet decoder crashed' }]);
      panic.name = 'ParquetDecoderPanic';
      throw panic;
    }
    if (kind === 'trap') {
      const trap = new Error('unreachable');
      trap.name = 'RuntimeError';
      throw trap;
    }
    throw new Error('plain failure');
  },
  async wait({ ms }, context) {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      context.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(context.signal.reason);
      });
    });
    return 'waited';
  },
  async askHost({ jobs }, context) {
    const partials: string[] = [];
    const answers = await context.host(
      'runFits',
      { jobs: Array.from({ length: jobs }, (_, i) => ({ task: { key: `k${i}` } as never, backend: 'cpu' as const })) },
      [],
      (answer) => partials.push(answer.record.key),
    );
    return { ms: answers.map((a) => a.record.ms), partials };
  },
};

function client(host?: ConstructorParameters<typeof WorkerClient<TestApi>>[1]['host'], onCrash?: (e: Error) => void, idleTimeoutMs?: number) {
  return new WorkerClient<TestApi>(
    () => {
      const w = channelWorker<TestApi>(handlers);
      spawned.push(w);
      return w;
    },
    { name: 'test', host, onCrash, idleTimeoutMs },
  );
}

describe('worker protocol over a MessageChannel', () => {
  it('streams progress, then the result; transfer lists move buffers instead of copying them', async () => {
    const c = client();
    const values = new Float64Array([1, 2, 3.5]);
    const progress: Progress[] = [];
    const answer = await c.call('sum', { values }, { onProgress: (p) => progress.push(p), transfer: [values.buffer] });
    expect(values.byteLength).toBe(0); // moved to the worker
    expect(answer.total).toBe(6.5);
    expect(Array.from(answer.echo)).toEqual([1, 2, 3.5]);
    expect(progress.map((p) => (p.kind === 'stage' ? `${p.state}:${p.done}/${p.total}` : ''))).toEqual(['progress:1/3', 'progress:2/3', 'done:3/3']);
  });

  it('brings InputError back as an InputError with its problems', async () => {
    const c = client();
    const error = await c.call('fail', { kind: 'input' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).problems).toEqual([{ file: 'feature/feature_order.json', message: 'expected a JSON array, found an object' }]);
  });

  it('aborting terminates the worker, rejects with CancelledError, and the next call gets a fresh worker', async () => {
    const c = client();
    const controller = new AbortController();
    const pending = c.call('wait', { ms: 10_000 }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
    expect(spawned).toHaveLength(1);
    expect(spawned[0].terminated).toBe(true);
    expect(c.alive).toBe(false);
    expect(await c.call('wait', { ms: 1 })).toBe('waited');
    expect(spawned).toHaveLength(2);
  });

  it('an already aborted signal never reaches the worker', async () => {
    const c = client();
    const controller = new AbortController();
    controller.abort();
    await expect(c.call('wait', { ms: 1 }, { signal: controller.signal })).rejects.toBeInstanceOf(CancelledError);
    expect(spawned).toHaveLength(0);
  });

  it('a wasm trap restarts the worker and is reported; a plain error does not', async () => {
    const crashes: Error[] = [];
    const c = client(undefined, (e) => crashes.push(e));
    await expect(c.call('fail', { kind: 'plain' })).rejects.toThrow('plain failure');
    expect(spawned[0].terminated).toBe(false);
    const trap = await c.call('fail', { kind: 'trap' }).catch((e: unknown) => e);
    expect((trap as Error).name).toBe('RuntimeError');
    expect(spawned[0].terminated).toBe(true);
    expect(crashes).toHaveLength(1);
    expect(await c.call('wait', { ms: 1 })).toBe('waited');
    expect(spawned).toHaveLength(2);
  });

  it('a parquet decoder panic is an input error about the file, and the worker is replaced', async () => {
    const crashes: Error[] = [];
    const c = client(undefined, (e) => crashes.push(e));
    const error = await c.call('fail', { kind: 'panic' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).problems[0].file).toBe('replay/replay_1m.parquet');
    expect(spawned[0].terminated).toBe(true);
    expect(crashes).toHaveLength(1);
  });

  it('a worker error event fails its running calls with WorkerCrashError', async () => {
    const c = client();
    const pending = c.call('wait', { ms: 10_000 });
    spawned[0].crash('out of memory');
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashError);
    expect((error as Error).message).toBe('test worker stopped: out of memory');
    expect(spawned[0].terminated).toBe(true);
    expect(await c.call('wait', { ms: 1 })).toBe('waited');
  });

  it('an idle worker is ended after its idle timeout, not while a call runs', async () => {
    const c = client(undefined, undefined, 30);
    const slow = c.call('wait', { ms: 80 });
    await new Promise((r) => setTimeout(r, 50));
    expect(spawned[0].terminated).toBe(false);
    expect(await slow).toBe('waited');
    expect(c.alive).toBe(true);
    await new Promise((r) => setTimeout(r, 60));
    expect(spawned[0].terminated).toBe(true);
    expect(c.alive).toBe(false);
  });

  it('a worker can call back into the page (host calls) within its call, and hear of results before the answer', async () => {
    const seen: number[] = [];
    const c = client({
      runFits: async ({ jobs }, context) => {
        seen.push(jobs.length);
        context.progress({ kind: 'log', line: 'pool ran' });
        const answers = jobs.map((job, i) => ({ result: {} as never, record: { key: job.task.key, model: 'logistic' as const, backend: 'cpu', ms: i * 10, iterations: 0, converged: true } }));
        // two results ahead of the answer, last first
        context.partial?.(answers[2]);
        context.partial?.(answers[0]);
        return answers;
      },
    });
    const lines: string[] = [];
    const answer = await c.call('askHost', { jobs: 3 }, { onProgress: (p) => p.kind === 'log' && lines.push(p.line) });
    expect(answer).toEqual({ ms: [0, 10, 20], partials: ['k2', 'k0'] });
    expect(seen).toEqual([3]);
    expect(lines).toEqual(['pool ran']);
  });
});
