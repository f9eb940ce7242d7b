import { describe, expect, it, beforeAll } from 'vitest';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, relative } from 'node:path';
import { generateBaseline, type GenerateBaselineOptions } from '../../scripts/generateBaseline.ts';
import {
  recognizeBaseline,
  recognizeDropped,
  validateBaseline,
  loadBaseline,
  fingerprintFiles,
  parsePythonJson,
  type BaselineEntry,
} from './intake.ts';
import { parquetSchema } from './parquet.ts';
import { zipEntries } from './zip.ts';
import { InputError, inputErrorFrom, type InputProblem } from '../core/errors.ts';
import { stringAt, type StringColumn } from './frame.ts';

const FIXTURES = join(__dirname, '../../test/fixtures/state-continue');

function walk(dir: string, prefix: string): BaselineEntry[] {
  const out: BaselineEntry[] = [];
  const visit = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) visit(full);
      else out.push({ path: `${prefix}/${relative(dir, full)}`, data: new Uint8Array(readFileSync(full)) });
    }
  };
  visit(dir);
  return out;
}

const SMALL: GenerateBaselineOptions = { symbols: 2, days: 1, features: 4, seed: 5 };

async function generated(options: GenerateBaselineOptions = {}, prefix = 'run-10'): Promise<BaselineEntry[]> {
  const files = await generateBaseline({ ...SMALL, ...options });
  return [...files].map(([path, data]) => ({ path: `${prefix}/${path}`, data }));
}

function text(problems: InputProblem[]): string {
  return inputErrorFrom(problems).message;
}

const fixtureCases = existsSync(FIXTURES) ? readdirSync(FIXTURES).filter((d) => existsSync(join(FIXTURES, d, 'baseline'))) : [];

describe('baseline runs of the parity fixtures (test/fixtures/state-continue/*/baseline)', () => {
  for (const name of fixtureCases.filter((c) => !c.startsWith('bad_'))) {
    it(`${name}: recognised, valid, loaded with the needed columns, fingerprinted`, async () => {
      const entries = walk(join(FIXTURES, name, 'baseline'), 'run-10');
      const set = recognizeBaseline(entries);
      expect(set.baselineRunId).toBe('run-10');
      expect(await validateBaseline(set)).toEqual([]);
      const inputs = await loadBaseline(set);
      const F = inputs.featureOrder.length;
      expect(F).toBeGreaterThan(0);
      const footer = parquetSchema(set.files.featureFrame!.data as Uint8Array, 'f');
      expect(inputs.featureFrame.length).toBe(footer.rowCount);
      expect(inputs.featureFrame.names.sort()).toEqual(
        [...new Set(['sample_id', 'symbol', 'event_time', 'open_time_ms', 'split_id', 'walk_forward_fold', 'data_quality_flag', ...inputs.featureOrder])].sort(),
      );
      expect(inputs.entryLabels.names.sort()).toEqual(['entry_target', 'event_time', 'sample_id', 'side', 'split_id', 'symbol', 'walk_forward_fold']);
      expect(inputs.replay.names.sort()).toEqual(['close', 'event_time', 'high', 'low', 'open_time_ms', 'spread_bps', 'symbol']);
      expect(inputs.directionInitializers.get('direction_W')!.dims).toEqual([F, 3]);
      expect(inputs.entryInitializers.get('short_expected_net_edge_bps_W')!.dims).toEqual([F, 1]);
      expect(inputs.pricePlan.stopDistanceBps).toEqual(expect.any(Number));
      expect(inputs.modelTrainManifest === null).toBe(!existsSync(join(FIXTURES, name, 'baseline/model/model_train_manifest.json')));
      const sides = inputs.entryLabels.columns.side as StringColumn;
      expect(new Set(Array.from({ length: inputs.entryLabels.length }, (_, i) => stringAt(sides, i)))).toContain('LONG');

      const prints = await fingerprintFiles(set);
      const replayBase = String(inputs.splitManifest.source_replay_path).replace(/\\/g, '/').split('/').pop();
      expect(prints.map((p) => p.name)).toContain(replayBase);
      for (const p of prints) {
        const bytes = readFileSync(join(FIXTURES, name, 'baseline', p.path));
        expect(p.size).toBe(bytes.length);
        expect(p.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      }
    });
  }

  it('bad_f_mismatch: the reference runner\'s message, plus every entry head', async () => {
    const problems = await validateBaseline(recognizeBaseline(walk(join(FIXTURES, 'bad_f_mismatch', 'baseline'), 'baseline')));
    const expected = readFileSync(join(FIXTURES, 'bad_f_mismatch/expected/error.txt'), 'utf8').trim().replace(/^input error: InputError: /, '');
    expect(text(problems).split('\n')).toContain(expected);
    expect(problems.filter((p) => p.file === 'model/entry/entry.onnx').map((p) => p.field)).toEqual([
      'long_entry_prob',
      'short_entry_prob',
      'long_expected_net_edge_bps',
      'short_expected_net_edge_bps',
    ]);
  });

  it('bad_missing_column and bad_replay_column: the missing column is named with its file', async () => {
    const feature = await validateBaseline(recognizeBaseline(walk(join(FIXTURES, 'bad_missing_column', 'baseline'), 'b')));
    expect(feature).toHaveLength(1);
    expect(text(feature)).toMatch(/^feature\/feature_frame\.parquet: missing 1 of the 8 FEATURE_ORDER columns: \['ret_5_bps'\]/);
    const replay = await validateBaseline(recognizeBaseline(walk(join(FIXTURES, 'bad_replay_column', 'baseline'), 'b')));
    expect(replay).toHaveLength(1);
    expect(text(replay)).toMatch(/^replay\/replay_1m\.parquet: missing column spread_bps \(expected a numeric column/);
  });
});

describe('recognising and validating dropped runs', () => {
  let good: BaselineEntry[];
  beforeAll(async () => {
    good = await generated();
  });

  it('a folder drop: paths as webkitRelativePath gives them; Blobs are read by their footer only', async () => {
    const entries = good.map((e) => ({ path: e.path, data: new Blob([e.data as Uint8Array<ArrayBuffer>]) }));
    const set = recognizeBaseline(entries);
    expect(set.baselineRunId).toBe('run-10');
    expect(Object.keys(set.files).sort()).toEqual(['directionOnnx', 'entryLabels', 'entryOnnx', 'featureFrame', 'featureOrder', 'modelTrainManifest', 'pricePlan', 'splitManifest']);
    expect(set.files.featureFrame!.runPath).toBe('feature/feature_frame.parquet');
    expect(await validateBaseline(set)).toEqual([]);
    const inputs = await loadBaseline(set);
    expect(inputs.baselineRunId).toBe('run-10');
    expect(inputs.replay.length).toBeGreaterThan(0);
  });

  it('keeps model_train_manifest.json as text, so the report can print 1.0 as Python does', async () => {
    const manifest =
      '{"CONTINUE": {"metrics": {"long_continue_prob": {"auc": 1.0}, "short_continue_prob": {"auc": 0.5}, ' +
      '"long_expected_continue_edge_bps": {"mae_vs_constant_ratio": 1.0}, "short_expected_continue_edge_bps": {"mae_vs_constant_ratio": 0.9}}}}';
    const entries = good.map((e) =>
      e.path.endsWith('model/model_train_manifest.json') ? { path: e.path, data: new TextEncoder().encode(manifest) } : e,
    );
    const inputs = await loadBaseline(recognizeBaseline(entries));
    expect(inputs.modelTrainManifestText).toBe(manifest);
    const without = await loadBaseline(recognizeBaseline(good.filter((e) => !e.path.endsWith('model_train_manifest.json'))));
    expect(without.modelTrainManifest).toBeNull();
    expect(without.modelTrainManifestText).toBeNull();
  });

  it('loose files are recognised by name; the replay by its base name', async () => {
    const loose = good.map((e) => ({ path: e.path.split('/').pop()!, data: e.data }));
    const set = recognizeBaseline(loose);
    expect(set.baselineRunId).toBe('baseline');
    expect(await validateBaseline(set)).toEqual([]);
  });

  it('every problem at once: a missing file, a missing column, F not matching the heads, a truncated parquet', async () => {
    const entries = (await generated({ omitColumns: ['label:side'], onnxFeatures: 6 }))
      .filter((e) => !e.path.endsWith('label/price_plan_context.json'))
      .map((e) => (e.path.endsWith('.parquet') && e.path.includes('/replay/') ? { ...e, data: (e.data as Uint8Array).subarray(0, 1000) } : e));
    const problems = await validateBaseline(recognizeBaseline(entries));
    const lines = text(problems).split('\n');
    expect(lines).toContain('label/price_plan_context.json: missing (expected label/price_plan_context.json in the run folder, or a dropped file named price_plan_context.json)');
    expect(lines.some((l) => /^label\/entry_labels\.parquet: missing column side \(expected a string column; found columns: sample_id, symbol, event_time, entry_target/.test(l))).toBe(true);
    expect(lines).toContain('model/direction/direction.onnx: direction_W has shape [6, 3] and direction_B [3]; expected [4, 3] and [3] (F = len(feature_order.json) = 4)');
    expect(lines).toContain('model/entry/entry.onnx: long_entry_prob_W has shape [6, 1] and long_entry_prob_B [1]; expected [4, 1] and [1] (F = len(feature_order.json) = 4)');
    expect(lines).toContain('replay/replay_1m.parquet: cannot read parquet: the file does not end with the parquet marker PAR1: it is truncated or not a complete parquet file');
    expect(problems).toHaveLength(1 + 1 + 1 + 4 + 1);
    await expect(loadBaseline(recognizeBaseline(entries))).rejects.toThrowError(InputError);
  });

  it('a foreign replay path (Windows or POSIX) is found by its base name among the dropped files', async () => {
    for (const replayPath of ['C:\\feeds\\trader-v4\\replay\\bars_1m_gappy.parquet', '/mnt/x/y/bars_1m_gappy.parquet']) {
      const entries = await generated({ replayPath, replayDir: 'somewhere/else' });
      const set = recognizeBaseline(entries);
      expect(await validateBaseline(set)).toEqual([]);
      const prints = await fingerprintFiles(set);
      expect(prints[prints.length - 1].path).toBe('somewhere/else/bars_1m_gappy.parquet');
    }
  });

  it('no replay, or two files with its base name, is a problem naming source_replay_path', async () => {
    const none = good.filter((e) => !e.path.endsWith('replay_1m.parquet'));
    expect(text(await validateBaseline(recognizeBaseline(none)))).toBe(
      "split/split_manifest.json: source_replay_path '/mnt/trader-v4/data/replay/replay_1m.parquet' has base name 'replay_1m.parquet'; no dropped file has that name (expected the replay parquet among the dropped files)",
    );
    const replay = good.find((e) => e.path.endsWith('replay_1m.parquet'))!;
    const two = [...good, { path: 'run-10/old/replay_1m.parquet', data: replay.data }];
    expect(text(await validateBaseline(recognizeBaseline(two)))).toBe(
      "split/split_manifest.json: source_replay_path base name 'replay_1m.parquet' matches several dropped files: run-10/replay/replay_1m.parquet, run-10/old/replay_1m.parquet (expected exactly one)",
    );
  });

  it('a zip of the run folder, or of its contents (run id from the zip name)', async () => {
    const zipped = zipEntries(good.map((e) => ({ path: e.path, data: e.data as Uint8Array })));
    const set = await recognizeDropped([{ path: 'downloads/run-10.zip', data: new Blob([zipped as Uint8Array<ArrayBuffer>]) }]);
    expect(set.baselineRunId).toBe('run-10');
    expect(await validateBaseline(set)).toEqual([]);
    expect((await loadBaseline(set)).featureOrder).toHaveLength(4);

    const flat = zipEntries(good.map((e) => ({ path: e.path.slice('run-10/'.length), data: e.data as Uint8Array })));
    const flatSet = await recognizeDropped([{ path: 'run-7.zip', data: flat }]);
    expect(flatSet.baselineRunId).toBe('run-7');
    expect(await validateBaseline(flatSet)).toEqual([]);

    await expect(recognizeDropped([{ path: 'broken.zip', data: zipped.subarray(0, 200) }])).rejects.toThrowError(/^broken\.zip: cannot read the zip archive/);
  });

  it('JSON keys and types: feature_order, price plan, split manifest, train manifest', async () => {
    const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
    const replace: Record<string, Uint8Array> = {
      'feature/feature_order.json': json(['ret_1_bps', 'ret_1_bps', 7]),
      'label/price_plan_context.json': json({ stopDistanceBps: '30', targetDistanceBps: true }),
      'split/split_manifest.json': json({ source_replay_path: '' }),
      'model/model_train_manifest.json': new TextEncoder().encode('{"CONTINUE": {"metrics": {"long_continue_prob": {"auc": NaN}}}}'),
    };
    const entries = good.map((e) => {
      const key = Object.keys(replace).find((k) => e.path.endsWith(k));
      return key ? { ...e, data: replace[key] } : e;
    });
    const lines = text(await validateBaseline(recognizeBaseline(entries))).split('\n');
    expect(lines).toEqual([
      "feature/feature_order.json: lists 'ret_1_bps' more than once (expected distinct feature names)",
      'feature/feature_order.json: entry 2 must be a non-empty string (a feature name); found number 7',
      "label/price_plan_context.json: stopDistanceBps must be a number, found '30'",
      'label/price_plan_context.json: targetDistanceBps must be a number, found True',
      'label/price_plan_context.json: costBps must be a number, found no such key',
      "split/split_manifest.json: source_replay_path must be a non-empty string, found ''",
      'model/model_train_manifest.json: CONTINUE.metrics.short_continue_prob must be an object holding auc; found no such key',
      'model/model_train_manifest.json: CONTINUE.metrics.long_expected_continue_edge_bps must be an object holding mae_vs_constant_ratio; found no such key',
      'model/model_train_manifest.json: CONTINUE.metrics.short_expected_continue_edge_bps must be an object holding mae_vs_constant_ratio; found no such key',
    ]);
  });

  it('ISO-8601 string event_time, integer sample_id, float64 features and gzip/zstd/brotli files pass', async () => {
    const entries = await generated({ eventTime: 'iso', integerSampleId: true, featureDtype: 'float64', codec: ['gzip', 'zstd', 'brotli'], dictionary: false, onnxStorage: 'float' });
    const set = recognizeBaseline(entries);
    expect(await validateBaseline(set)).toEqual([]);
    const inputs = await loadBaseline(set);
    expect(inputs.featureFrame.columns.event_time.kind).toBe('string');
    expect(inputs.featureFrame.columns.sample_id.kind).toBe('number');
  });

  it('a column of the wrong type is named with what was expected and found', async () => {
    // the entry labels' file in place of the replay: it has symbol/event_time but no prices
    const labels = good.find((e) => e.path.endsWith('entry_labels.parquet'))!;
    const entries = good.map((e) => (e.path.endsWith('replay_1m.parquet') ? { ...e, data: labels.data } : e));
    const lines = text(await validateBaseline(recognizeBaseline(entries))).split('\n');
    expect(lines[0]).toMatch(/^replay\/replay_1m\.parquet: missing column open_time_ms \(expected an integer column \(int64 epoch milliseconds\); found columns: /);
    expect(lines).toHaveLength(5); // open_time_ms, high, low, close, spread_bps
  });
});

describe('parsePythonJson', () => {
  it('reads NaN and ±Infinity as Python writes them, leaves strings alone', () => {
    expect(parsePythonJson('{"a": NaN, "b": [Infinity, -Infinity], "c": "NaN Infinity"}')).toEqual({ a: NaN, b: [Infinity, -Infinity], c: 'NaN Infinity' });
    expect(() => parsePythonJson('{"a": nope}')).toThrow();
  });
});

describe('a small parquet input read once for its fingerprint and its decoding', () => {
  it('the check and the load, side by side, read each parquet file once and agree with reading it twice', async () => {
    const reads = new Map<string, number>();
    class CountingBlob extends Blob {
      constructor(
        parts: BlobPart[],
        private readonly name: string,
      ) {
        super(parts);
      }
      override arrayBuffer(): Promise<ArrayBuffer> {
        reads.set(this.name, (reads.get(this.name) ?? 0) + 1);
        return super.arrayBuffer();
      }
    }
    const entries = await generated();
    const asBlobs = () => entries.map((e) => ({ path: e.path, data: new CountingBlob([e.data as Uint8Array<ArrayBuffer>], e.path) }));
    const set = await recognizeDropped(asBlobs());
    const [prints, loaded] = await Promise.all([fingerprintFiles(set), loadBaseline(set)]);
    const parquet = [...reads.keys()].filter((p) => p.endsWith('.parquet'));
    expect(parquet).toHaveLength(3);
    for (const path of parquet) expect(reads.get(path), path).toBe(1);
    // the same fingerprints and frames as from Uint8Arrays (no shared read)
    const plain = await recognizeDropped(entries);
    expect(prints).toEqual(await fingerprintFiles(plain));
    const reference = await loadBaseline(plain);
    expect(loaded.featureFrame).toEqual(reference.featureFrame);
    expect(loaded.replay).toEqual(reference.replay);
  });
});
