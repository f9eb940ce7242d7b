/**
 * The load with decode workers (the browser's path for large inputs), in Node over MessageChannels: the same
 * frames as decoding in place, every worker ended after the load, a bad file named, a worker that cannot start
 * replaced by decoding in place.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBaseline, recognizeDropped } from '../data/intake.ts';
import { runStateContinue, startFrozenStage } from '../experiments/stateContinue/pipeline.ts';
import { artifactBytes, defaultParams } from '../experiments/stateContinue/inputs.ts';
import { sha256Hex } from '../core/hash.ts';
import type { Frame } from '../data/frame.ts';
import { decodeHandlers } from './decodeService.ts';
import { remoteReaders } from './decodeReaders.ts';
import { channelWorker, type ChannelWorker } from './testChannel.ts';
import type { DecodeApi } from './protocol.ts';

const FIXTURE = join(import.meta.dirname, '../../test/fixtures/state-continue/default/baseline');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const dropped = (change: (path: string, bytes: Uint8Array) => Uint8Array = (_, b) => b) =>
  walk(FIXTURE).map((path) => ({ path: `baseline/${relative(FIXTURE, path)}`, data: change(path, new Uint8Array(readFileSync(path))) }));

function sameFrame(a: Frame, b: Frame): void {
  expect(a.names).toEqual(b.names);
  expect(a.length).toBe(b.length);
  for (const name of a.names) expect(a.columns[name], name).toEqual(b.columns[name]);
}

function workers(make: () => ChannelWorker = () => channelWorker<DecodeApi>(decodeHandlers())) {
  const spawned: ChannelWorker[] = [];
  return {
    spawned,
    openReader: remoteReaders(() => {
      const w = make();
      spawned.push(w);
      return w;
    }),
  };
}

describe('loading with decode workers', () => {
  it('gives the frames decoding in place gives, and ends both workers', async () => {
    const inPlace = await loadBaseline(await recognizeDropped(dropped()));
    const { spawned, openReader } = workers();
    const pieces: string[] = [];
    const log: string[] = [];
    const remote = await loadBaseline(await recognizeDropped(dropped()), { openReader, remoteMinBytes: 0, progress: (file) => pieces.push(file), log: (line) => log.push(line) });
    expect(log).toEqual([expect.stringMatching(/^inputs: [\d.]+ MB of parquet decoded by two decode workers side by side$/)]);
    sameFrame(remote.replay, inPlace.replay);
    // the sample ids stay UTF-8 (matched and written as such): the same values
    // the entry labels' sample ids stay UTF-8 (only matched against the feature frame's): the same values
    for (const frame of ['featureFrame', 'entryLabels'] as const) {
      const { sample_id: ids, ...others } = remote[frame].columns;
      const { sample_id: idsInPlace, ...othersInPlace } = inPlace[frame].columns;
      expect(others).toEqual(othersInPlace);
      if (ids.kind !== 'string' || idsInPlace.kind !== 'string' || !ids.utf8) throw new Error(`${frame} sample_id: expected UTF-8 strings`);
      expect(ids.dictionary).toEqual([]);
      const decoded = Array.from({ length: ids.utf8.offsets.length - 1 }, (_, d) => new TextDecoder().decode(ids.utf8!.bytes.subarray(ids.utf8!.offsets[d], ids.utf8!.offsets[d + 1])));
      expect(Array.from(ids.codes, (c) => (c < 0 ? null : decoded[c]))).toEqual(Array.from(idsInPlace.codes, (c) => (c < 0 ? null : idsInPlace.dictionary[c])));
    }
    // and the run's entry set, matched on them, is the same as from strings
    const remoteEntry = startFrozenStage(remote).entry;
    const inPlaceEntry = startFrozenStage(inPlace).entry;
    expect(remoteEntry.length).toBeGreaterThan(0);
    expect(remoteEntry).toEqual(inPlaceEntry);
    // so is the whole run, its parquet artifacts (written from the UTF-8 sample ids) byte for byte, with the run
    // freeing its inputs as the pipeline worker's does (the state frame shares the feature frame's dictionary)
    const params = { ...defaultParams(), runId: 'utf8' };
    const [fromUtf8, fromStrings] = [await runStateContinue(remote, params, { releaseInputs: true }), await runStateContinue(inPlace, params)];
    expect(fromUtf8.artifacts.map((a) => a.name)).toEqual(fromStrings.artifacts.map((a) => a.name));
    for (const [i, a] of fromUtf8.artifacts.entries()) expect(await sha256Hex(await artifactBytes(a)), a.name).toBe(await sha256Hex(await artifactBytes(fromStrings.artifacts[i])));
    expect(spawned).toHaveLength(2);
    expect(spawned.every((w) => w.terminated)).toBe(true);
    // below the size threshold nothing is started
    const small = workers();
    await loadBaseline(await recognizeDropped(dropped()), { openReader: small.openReader });
    expect(small.spawned).toHaveLength(0);
  });

  it("the decode worker makes no string of the file: dictionaries cross as UTF-8, the reader's thread makes them", async () => {
    const path = join(FIXTURE, 'feature/feature_frame.parquet');
    const file = new Uint8Array(readFileSync(path));
    const sent = await decodeHandlers().read(
      { type: 'read', file: new Blob([file]), path: 'feature/feature_frame.parquet', columns: ['sample_id', 'symbol', 'split_id'] },
      { signal: new AbortController().signal, progress: () => {}, log: () => {}, host: async () => undefined as never } as never,
    );
    const frame = sent as Frame;
    for (const name of frame.names) {
      const column = frame.columns[name];
      expect(column.kind, name).toBe('string');
      if (column.kind !== 'string') continue;
      expect(column.dictionary, name).toEqual([]);
      expect(column.utf8?.offsets.length, name).toBeGreaterThan(1);
    }
    const inPlace = (await loadBaseline(await recognizeDropped(dropped()))).featureFrame;
    const { openReader } = workers();
    const read = await openReader().read(new Blob([file]), 'feature/feature_frame.parquet', ['sample_id', 'symbol', 'split_id'], () => {});
    for (const name of read.names) expect(read.columns[name], name).toEqual(inPlace.columns[name]);
  });

  it('a file that does not decode is named, and the workers are ended all the same', async () => {
    const broken = dropped((path, bytes) => {
      if (!path.endsWith('entry_labels.parquet')) return bytes;
      const out = bytes.slice();
      for (let i = 8; i < Math.min(out.length - 1024, 4096); i++) out[i] = (out[i] * 31 + 7) & 0xff;
      return out;
    });
    const { spawned, openReader } = workers();
    const error = await loadBaseline(await recognizeDropped(broken), { openReader, remoteMinBytes: 0 }).catch((e: unknown) => e);
    expect((error as Error).message).toContain('entry_labels.parquet');
    expect(spawned.every((w) => w.terminated)).toBe(true);
  });

  it('a decode worker that dies on start is replaced by decoding in place', async () => {
    const inPlace = await loadBaseline(await recognizeDropped(dropped()));
    let crashes = 0;
    const { openReader } = workers(() => {
      const w = channelWorker<DecodeApi>(decodeHandlers());
      const post = w.postMessage;
      // the first message finds the worker dead: an error event instead of an answer
      w.postMessage = () => {
        w.postMessage = post;
        crashes++;
        queueMicrotask(() => w.crash('failed to load the worker script'));
      };
      return w;
    });
    const remote = await loadBaseline(await recognizeDropped(dropped()), { openReader, remoteMinBytes: 0 });
    // the feature frame, the entry labels, and the replay (a second reader call spawns afresh after a crash)
    expect(crashes).toBe(3);
    sameFrame(remote.featureFrame, inPlace.featureFrame);
    sameFrame(remote.replay, inPlace.replay);
  });
});
