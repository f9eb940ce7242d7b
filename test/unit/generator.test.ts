import { STATE_CONTINUE_ARTIFACTS } from '../../src/core/constants.ts';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as arrow from 'apache-arrow';
import * as parquetWasm from 'parquet-wasm';
import * as onnxProtoNs from 'onnx-proto';
import { generateBaseline, parseCliArgs, featureNames } from '../../scripts/generateBaseline.ts';

const onnx: typeof onnxProtoNs.onnx =
  (onnxProtoNs as unknown as { onnx?: typeof onnxProtoNs.onnx }).onnx ??
  (onnxProtoNs as unknown as { default: { onnx: typeof onnxProtoNs.onnx } }).default.onnx;

const ROOT = resolve(__dirname, '../..');
const FIXTURES = join(ROOT, 'test/fixtures/state-continue');
const ENTRY_HEADS = ['long_entry_prob', 'short_entry_prob', 'long_expected_net_edge_bps', 'short_expected_net_edge_bps'];
const ARTIFACTS = STATE_CONTINUE_ARTIFACTS;
const REQUIRED = {
  feature: ['sample_id', 'symbol', 'event_time', 'open_time_ms', 'split_id', 'walk_forward_fold', 'data_quality_flag'],
  label: ['sample_id', 'symbol', 'event_time', 'side', 'entry_target', 'split_id', 'walk_forward_fold'],
  replay: ['symbol', 'event_time', 'open_time_ms', 'high', 'low', 'close', 'spread_bps'],
};

function readTable(bytes: Uint8Array): arrow.Table {
  const table = parquetWasm.readParquet(bytes, { batchSize: 1 << 20 });
  return arrow.tableFromIPC(table.intoIPCStream());
}

function json(bytes: Uint8Array): unknown {
  return JSON.parse(new TextDecoder().decode(bytes));
}

function initializers(bytes: Uint8Array): Map<string, { dims: number[]; values: Float32Array }> {
  const model = onnx.ModelProto.decode(bytes);
  const out = new Map<string, { dims: number[]; values: Float32Array }>();
  for (const t of model.graph?.initializer ?? []) {
    const dims = (t.dims ?? []).map(Number);
    let values: Float32Array;
    if (t.rawData && t.rawData.length) {
      const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
      values = Float32Array.from({ length: t.rawData.length / 4 }, (_, i) => view.getFloat32(i * 4, true));
    } else values = Float32Array.from(t.floatData ?? []);
    out.set(t.name ?? '', { dims, values });
  }
  return out;
}

function baseName(path: string): string {
  return path.replace(/\\/g, '/').split('/').pop() ?? '';
}

async function codecsOf(bytes: Uint8Array): Promise<Set<number>> {
  const file = await parquetWasm.ParquetFile.fromFile(new Blob([bytes as Uint8Array<ArrayBuffer>]));
  const meta = file.metadata();
  const out = new Set<number>();
  for (const group of meta.rowGroups()) for (const column of group.columns()) out.add(column.compression());
  return out;
}

describe('generateBaseline', () => {
  it('is deterministic given the seed, and the seed matters', async () => {
    const a = await generateBaseline({ symbols: 2, days: 1, seed: 5 });
    const b = await generateBaseline({ symbols: 2, days: 1, seed: 5 });
    const c = await generateBaseline({ symbols: 2, days: 1, seed: 6 });
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    for (const [path, bytes] of a) expect(Buffer.compare(Buffer.from(bytes), Buffer.from(b.get(path)!)), path).toBe(0);
    expect(Buffer.compare(Buffer.from(a.get('feature/feature_frame.parquet')!), Buffer.from(c.get('feature/feature_frame.parquet')!))).not.toBe(0);
  });

  it('writes every file of SPEC §1 with the required columns, shapes and JSON fields', async () => {
    const F = 10;
    const files = await generateBaseline({ symbols: 2, days: 1, features: F, seed: 3 });
    const order = json(files.get('feature/feature_order.json')!) as string[];
    expect(order).toEqual(featureNames(F));
    expect(new Set(order).size).toBe(F);

    const plan = json(files.get('label/price_plan_context.json')!) as Record<string, unknown>;
    for (const key of ['stopDistanceBps', 'targetDistanceBps', 'costBps']) expect(typeof plan[key]).toBe('number');

    const manifest = json(files.get('split/split_manifest.json')!) as { source_replay_path: string };
    expect(manifest.source_replay_path.startsWith('/')).toBe(true);
    const replayPaths = [...files.keys()].filter((p) => baseName(p) === baseName(manifest.source_replay_path));
    expect(replayPaths).toEqual(['replay/replay_1m.parquet']);

    const feature = readTable(files.get('feature/feature_frame.parquet')!);
    const label = readTable(files.get('label/entry_labels.parquet')!);
    const replay = readTable(files.get(replayPaths[0])!);
    for (const name of [...REQUIRED.feature, ...order]) expect(feature.schema.fields.map((f) => f.name)).toContain(name);
    for (const name of REQUIRED.label) expect(label.schema.fields.map((f) => f.name)).toContain(name);
    for (const name of REQUIRED.replay) expect(replay.schema.fields.map((f) => f.name)).toContain(name);
    expect(feature.numRows).toBe(2 * 1440);
    expect(label.numRows).toBe(2 * 1440);
    expect(replay.numRows).toBe(2 * 1440);
    expect(String(feature.schema.fields.find((f) => f.name === order[0])!.type)).toBe('Float32');
    expect(arrow.DataType.isTimestamp(feature.schema.fields.find((f) => f.name === 'event_time')!.type)).toBe(true);
    expect(arrow.DataType.isInt(feature.schema.fields.find((f) => f.name === 'open_time_ms')!.type)).toBe(true);

    // event_time is the bar's open time; splits cover the four names plus a purge split; sides and flags vary
    const eventTime = feature.getChild('event_time')!.toArray() as BigInt64Array;
    const openTime = feature.getChild('open_time_ms')!.toArray() as BigInt64Array;
    for (let r = 0; r < feature.numRows; r += 97) expect(eventTime[r]).toBe(openTime[r]);
    const splits = new Set(feature.getChild('split_id')!.toArray() as string[]);
    expect([...splits].sort()).toEqual(['fit_inner', 'latest_stress', 'purged_embargo', 'tune', 'validation_locked']);
    const flags = feature.getChild('data_quality_flag')!.toArray() as string[];
    const flagCount = (v: string) => flags.filter((x) => x === v).length;
    expect(flagCount('OK') / flags.length).toBeGreaterThan(0.8);
    expect(flagCount('PARTIAL_OPTIONAL')).toBeGreaterThan(0);
    expect(flagCount('BAD')).toBeGreaterThan(0);
    const sides = new Set(label.getChild('side')!.toArray() as string[]);
    expect([...sides].sort()).toEqual(['FLAT', 'LONG', 'NONE', 'SHORT']);
    const targets = label.getChild('entry_target')!.toArray() as BigInt64Array;
    const positives = targets.reduce((n, x) => n + Number(x), 0);
    expect(positives / targets.length).toBeGreaterThan(0.1);
    expect(positives / targets.length).toBeLessThan(0.4);

    // features hold NaN, ±Inf and nulls somewhere
    let nan = 0;
    let inf = 0;
    let nulls = 0;
    for (const name of order) {
      const column = feature.getChild(name)!;
      nulls += column.nullCount;
      const values = column.toArray() as Float32Array;
      for (let r = 0; r < values.length; r++) {
        if (!column.isValid(r)) continue;
        if (Number.isNaN(values[r])) nan++;
        else if (!Number.isFinite(values[r])) inf++;
      }
    }
    expect(nan).toBeGreaterThan(0);
    expect(inf).toBeGreaterThan(0);
    expect(nulls).toBeGreaterThan(0);

    // frozen models: initializer shapes follow F
    const direction = initializers(files.get('model/direction/direction.onnx')!);
    expect(direction.get('direction_W')!.dims).toEqual([F, 3]);
    expect(direction.get('direction_B')!.dims).toEqual([3]);
    const entry = initializers(files.get('model/entry/entry.onnx')!);
    for (const head of ENTRY_HEADS) {
      expect(entry.get(`${head}_W`)!.dims).toEqual([F, 1]);
      expect(entry.get(`${head}_B`)!.dims).toEqual([1]);
    }
    const entryModel = onnx.ModelProto.decode(files.get('model/entry/entry.onnx')!);
    expect(Number(entryModel.opsetImport?.[0]?.version)).toBe(13);
    expect(entryModel.graph?.output?.map((o) => o.name)).toEqual(ENTRY_HEADS);

    const trainManifest = json(files.get('model/model_train_manifest.json')!) as { CONTINUE: { metrics: Record<string, Record<string, number>> } };
    expect(typeof trainManifest.CONTINUE.metrics.long_continue_prob.auc).toBe('number');
    expect(typeof trainManifest.CONTINUE.metrics.short_expected_continue_edge_bps.mae_vs_constant_ratio).toBe('number');
  });

  it('computes features from past bars only (ret_1 at bar t uses closes t-2 and t-1)', async () => {
    const files = await generateBaseline({ symbols: 1, days: 1, seed: 9 });
    const feature = readTable(files.get('feature/feature_frame.parquet')!);
    const replay = readTable(files.get('replay/replay_1m.parquet')!);
    const close = replay.getChild('close')!.toArray() as Float64Array;
    const ret1 = feature.getChild('ret_1_bps')!;
    const values = ret1.toArray() as Float32Array;
    let checked = 0;
    for (let t = 2; t < close.length; t++) {
      if (!ret1.isValid(t) || !Number.isFinite(values[t])) continue; // sprinkled NaN/±Inf/nulls
      expect(values[t]).toBeCloseTo(Math.fround((close[t - 1] / close[t - 2] - 1) * 1e4), 3);
      checked++;
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('honours the format options: ISO / ns event_time, codecs, integer sample_id, float storage, no manifest, bad runs', async () => {
    const iso = await generateBaseline({ symbols: 1, days: 1, eventTime: 'iso', codec: ['gzip', 'zstd'], onnxStorage: 'float', trainManifest: false, replayPath: 'C:\\feeds\\bars_gappy.parquet', gaps: true });
    expect(iso.has('model/model_train_manifest.json')).toBe(false);
    expect(iso.has('replay/bars_gappy.parquet')).toBe(true);
    const isoFrame = readTable(iso.get('feature/feature_frame.parquet')!);
    const isoTimes = isoFrame.getChild('event_time')!.toArray() as string[];
    expect(isoTimes[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$/);
    expect(await codecsOf(iso.get('feature/feature_frame.parquet')!)).toEqual(new Set([parquetWasm.Compression.GZIP]));
    expect(await codecsOf(iso.get('label/entry_labels.parquet')!)).toEqual(new Set([parquetWasm.Compression.ZSTD]));
    const replayRows = readTable(iso.get('replay/bars_gappy.parquet')!).numRows;
    expect(replayRows).toBeLessThan(isoFrame.numRows); // replay-only holes
    expect(isoFrame.numRows).toBeLessThan(1440); // gaps
    const floatModel = onnx.ModelProto.decode(iso.get('model/direction/direction.onnx')!);
    const w = floatModel.graph!.initializer!.find((t) => t.name === 'direction_W')!;
    expect(w.floatData!.length).toBe(8 * 3);
    expect(w.rawData?.length ?? 0).toBe(0);

    const ns = await generateBaseline({ symbols: 1, days: 1, eventTime: 'ns', codec: 'brotli', integerSampleId: true });
    const nsFrame = readTable(ns.get('label/entry_labels.parquet')!);
    const type = nsFrame.schema.fields.find((f) => f.name === 'event_time')!.type as arrow.Timestamp;
    expect(type.unit).toBe(arrow.TimeUnit.NANOSECOND);
    expect(arrow.DataType.isInt(nsFrame.schema.fields.find((f) => f.name === 'sample_id')!.type)).toBe(true);
    expect(await codecsOf(ns.get('replay/replay_1m.parquet')!)).toEqual(new Set([parquetWasm.Compression.BROTLI]));

    const bad = await generateBaseline({ symbols: 1, days: 1, omitColumns: ['feature:ret_5_bps'], onnxFeatures: 9 });
    expect(readTable(bad.get('feature/feature_frame.parquet')!).schema.fields.map((f) => f.name)).not.toContain('ret_5_bps');
    expect(initializers(bad.get('model/direction/direction.onnx')!).get('direction_W')!.dims).toEqual([9, 3]);
  });

  it('writes ONNX graphs that onnxruntime runs and that compute x·W + B then softmax / sigmoid / identity', async () => {
    const ort = await import('onnxruntime-web');
    ort.env.wasm.numThreads = 1;
    for (const storage of ['raw', 'float'] as const) {
      const files = await generateBaseline({ symbols: 1, days: 1, seed: 4, onnxStorage: storage });
      const x = Float32Array.from({ length: 16 }, (_, i) => (i - 7) * 1.5);
      const input = new ort.Tensor('float32', x, [2, 8]);
      const check = async (path: string, head: string, width: number, activation: (z: number[]) => number[]) => {
        const init = initializers(files.get(path)!);
        const session = await ort.InferenceSession.create(files.get(path)!);
        const out = (await session.run({ features: input }))[head].data as Float32Array;
        const w = init.get(`${head}_W`)!.values;
        const b = init.get(`${head}_B`)!.values;
        for (let r = 0; r < 2; r++) {
          const z = Array.from({ length: width }, (_, k) => b[k] + x.slice(r * 8, r * 8 + 8).reduce((acc, v, j) => acc + v * w[j * width + k], 0));
          const expected = activation(z);
          for (let k = 0; k < width; k++) expect(out[r * width + k]).toBeCloseTo(expected[k], 4);
        }
      };
      const softmax = (z: number[]) => {
        const m = Math.max(...z);
        const e = z.map((v) => Math.exp(v - m));
        const sum = e.reduce((a, v) => a + v, 0);
        return e.map((v) => v / sum);
      };
      await check('model/direction/direction.onnx', 'direction', 3, softmax);
      await check('model/entry/entry.onnx', 'long_entry_prob', 1, (z) => z.map((v) => 1 / (1 + Math.exp(-v))));
      await check('model/entry/entry.onnx', 'short_expected_net_edge_bps', 1, (z) => z);
    }
  });

  it('parses the CLI flags', () => {
    const parsed = parseCliArgs(['--out', '/tmp/x', '--symbols', '6', '--days', '10', '--features', '32', '--gaps', '--codec', 'gzip,zstd', '--event-time', 'iso', '--no-dictionary', '--no-train-manifest']);
    expect(parsed.out).toBe('/tmp/x');
    expect(parsed.options).toMatchObject({ symbols: 6, days: 10, features: 32, gaps: true, codec: ['gzip', 'zstd'], eventTime: 'iso', dictionary: false, trainManifest: false });
    expect(() => parseCliArgs(['--out', 'x', '--codec', 'lzo'])).toThrow(/--codec/);
    expect(() => parseCliArgs(['--symbols', '2'])).toThrow(/--out/);
  });
});

describe('state-continue fixtures', () => {
  const cases = existsSync(FIXTURES) ? readdirSync(FIXTURES).filter((c) => statSync(join(FIXTURES, c)).isDirectory()) : [];

  it('has the cases the parity tests use', () => {
    for (const name of ['default', 'gaps_iso', 'ridge_clip', 'capped', 'ages_unsorted', 'horizon_edge', 'no_signal', 'real_bars', 'no_manifest', 'ns_brotli', 'us_float64', 'arrow_dict', 'duckdb_written', 'huber_max_iter', 'bad_missing_column', 'bad_f_mismatch', 'bad_replay_column']) {
      expect(cases).toContain(name);
    }
  });

  it.each(cases)('%s: baseline and expected files are readable and consistent', async (name) => {
    const dir = join(FIXTURES, name);
    const meta = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as { reference_args: string[]; exit_code: number };
    expect(meta.reference_args.slice(0, 2)).toEqual(['--state-source', 'time']);
    const base = join(dir, 'baseline');
    const order = JSON.parse(readFileSync(join(base, 'feature/feature_order.json'), 'utf8')) as string[];
    const manifest = JSON.parse(readFileSync(join(base, 'split/split_manifest.json'), 'utf8')) as { source_replay_path: string };
    JSON.parse(readFileSync(join(base, 'label/price_plan_context.json'), 'utf8'));
    const replayName = baseName(manifest.source_replay_path);
    expect(existsSync(join(base, 'replay', replayName))).toBe(true);

    const featureTable = readTable(readFileSync(join(base, 'feature/feature_frame.parquet')));
    const featureColumns = featureTable.schema.fields.map((f) => f.name);
    const direction = initializers(readFileSync(join(base, 'model/direction/direction.onnx')));
    const entry = initializers(readFileSync(join(base, 'model/entry/entry.onnx')));
    readTable(readFileSync(join(base, 'label/entry_labels.parquet')));
    const replayColumns = readTable(readFileSync(join(base, 'replay', replayName))).schema.fields.map((f) => f.name);

    if (meta.exit_code !== 0) {
      // a deliberately bad run: the reference's error text is recorded, and the defect is really there
      expect(meta.exit_code).toBe(2);
      const error = readFileSync(join(dir, 'expected/error.txt'), 'utf8');
      expect(error).toMatch(/^input error: /);
      const missingFeature = [...REQUIRED.feature, ...order].filter((c) => !featureColumns.includes(c));
      const missingReplay = REQUIRED.replay.filter((c) => !replayColumns.includes(c));
      const fMismatch = direction.get('direction_W')!.dims[0] !== order.length;
      expect(missingFeature.length + missingReplay.length + (fMismatch ? 1 : 0)).toBeGreaterThan(0);
      for (const c of [...missingFeature, ...missingReplay]) expect(error).toContain(`'${c}'`);
      if (fMismatch) expect(error).toContain(`F = len(feature_order.json) = ${order.length}`);
      return;
    }

    for (const c of [...REQUIRED.feature, ...order]) expect(featureColumns).toContain(c);
    expect(direction.get('direction_W')!.dims).toEqual([order.length, 3]);
    for (const head of ENTRY_HEADS) expect(entry.get(`${head}_W`)!.dims).toEqual([order.length, 1]);
    for (const artifact of ARTIFACTS) expect(existsSync(join(dir, 'expected', artifact)), artifact).toBe(true);
    expect(existsSync(join(dir, 'expected/run.log'))).toBe(false);
    const result = JSON.parse(readFileSync(join(dir, 'expected/experiment_manifest.json'), 'utf8')) as { row_count: number; split_counts: Record<string, number> };
    const train = readTable(readFileSync(join(dir, 'expected/state_continue_train.parquet')));
    expect(train.numRows).toBe(result.row_count);
    expect(Object.values(result.split_counts).reduce((a, b) => a + b, 0)).toBe(result.row_count);
    const predictions = readTable(readFileSync(join(dir, 'expected/state_continue_predictions.parquet')));
    expect(predictions.schema.fields.map((f) => f.name)).toContain('continue_prob');
    const verdict = JSON.parse(readFileSync(join(dir, 'expected/state_continue_verdict.json'), 'utf8')) as { status: string };
    expect(['PASS_TO_FORMAL_CHAIN', 'NOT_READY_FOR_FORMAL_CHAIN']).toContain(verdict.status);
    expect(existsSync(join(base, 'model/model_train_manifest.json'))).toBe(name !== 'no_manifest');
  });

  it('the default case is the demo run, and the demo manifest lists its files with their hashes', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'public/demo/manifest.json'), 'utf8')) as {
      stateContinue: { root: string; files: { path: string; bytes: number; sha256: string }[] };
    };
    const { root, files } = manifest.stateContinue;
    expect(files.length).toBeGreaterThanOrEqual(8);
    let total = 0;
    for (const file of files) {
      const bytes = readFileSync(join(ROOT, 'public/demo', root, file.path));
      expect(bytes.length).toBe(file.bytes);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(file.sha256);
      total += bytes.length;
      const fixture = join(FIXTURES, 'default/baseline', file.path);
      expect(Buffer.compare(bytes, readFileSync(fixture)), file.path).toBe(0);
    }
    expect(total).toBeLessThan(2_000_000);
    const verdict = JSON.parse(readFileSync(join(FIXTURES, 'default/expected/state_continue_verdict.json'), 'utf8')) as { status: string };
    expect(verdict.status).toBe('PASS_TO_FORMAL_CHAIN');
  });
});
