import { PARQUET_TESTING } from '../../test/sharedData.ts';
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pw from 'parquet-wasm';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableToIPC, vectorFromArray, makeVector, makeData, Dictionary, Utf8, LargeUtf8, Int32, Uint64, TimestampSecond, TimestampNanosecond, DateMillisecond, DateDay, Table as ArrowTable, type DataType } from 'apache-arrow';
import { readParquet, readParquetAsync, parquetSchema, parquetSchemaAsync, writeParquet, writeParquetStreamed, frameSlices, IN_MEMORY_PARQUET_BYTES, IN_MEMORY_PARQUET_ROWS, materializeDictionaries } from './parquet.ts';
import { InputError } from '../core/errors.ts';
import { sha256Hex } from '../core/hash.ts';
import { frameBuffers, makeFrame, stringAt, takeColumn, type Frame, type StringColumn, type NumericColumn, type TimestampColumn, type BoolColumn } from './frame.ts';

const FIXTURES = join(__dirname, '../../test/fixtures/data');

function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, name)));
}

function strings(frame: Frame, name: string): (string | null)[] {
  const column = frame.columns[name] as StringColumn;
  expect(column.kind).toBe('string');
  return Array.from({ length: frame.length }, (_, i) => stringAt(column, i));
}

function numbers(frame: Frame, name: string): number[] {
  const column = frame.columns[name] as NumericColumn;
  expect(column.kind).toBe('number');
  return Array.from(column.values);
}

function micros(frame: Frame, name: string): number[] {
  const column = frame.columns[name] as TimestampColumn;
  expect(column.kind).toBe('timestamp');
  return Array.from(column.micros);
}

describe('readParquet on files written by DuckDB (test/fixtures/data/duckdb_types.csv)', () => {
  // Expected values follow from the CSV and DuckDB's write casts (ms and us are truncated from ns by the writer;
  // ns is kept and we floor it to microseconds).
  const files = ['snappy', 'gzip', 'zstd', 'brotli', 'uncompressed', 'v2'].map((c) => `duckdb_types.${c}.parquet`);
  for (const file of files) {
    it(`${file}: every type arrives with its values`, () => {
      const frame = readParquet(fixture(file), file);
      expect(frame.length).toBe(6);
      expect(frame.names).toEqual(['sample_id', 'symbol', 'ts_ms', 'ts_us', 'ts_ns', 'ts_utc', 'open_time_ms', 'f32', 'f64', 'i8', 'flag', 'day', 'note']);
      expect(strings(frame, 'sample_id')).toEqual(['s0', 's1', 's2', 's3', null, 's5']);
      expect(strings(frame, 'symbol')).toEqual(['BTCUSDT', 'ETHUSDT', 'BTCUSDT', 'BTCUSDT', 'ETHUSDT', 'SOLUSDT']);
      expect((frame.columns.symbol as StringColumn).dictionary.length).toBe(3); // deduplicated, not one per row
      expect(micros(frame, 'ts_ms')).toEqual([1700000000123000, 1700000060000000, NaN, 1577836800000000, 86400000000, 1700000120000000]);
      expect(micros(frame, 'ts_us')).toEqual([1700000000123456, 1700000060000000, NaN, 1577836800000001, 0, 1700000120000000]);
      expect(micros(frame, 'ts_ns')).toEqual([1700000000123456, -2, NaN, 1577836800000001, -1, 1700000120000000]);
      expect(micros(frame, 'ts_utc')).toEqual([1700000000123456, 1700000060000000, NaN, 1577836800000001, 0, 1700000120000000]);
      expect(numbers(frame, 'open_time_ms')).toEqual([1700000000000, 1700000060000, NaN, 9007199254740991, -1, 1700000120000]);
      expect((frame.columns.open_time_ms as NumericColumn).type).toBe('int64');
      const f32 = frame.columns.f32 as NumericColumn;
      expect(f32.values).toBeInstanceOf(Float32Array);
      expect(Array.from(f32.values)).toEqual([1.5, NaN, NaN, Infinity, -0, Math.fround(3.4028234663852886e38)]);
      expect(Object.is(f32.values[4], -0)).toBe(true);
      const f64 = frame.columns.f64 as NumericColumn;
      expect(f64.values).toBeInstanceOf(Float64Array);
      expect(Array.from(f64.values)).toEqual([0.1, NaN, NaN, -Infinity, 1e-300, 1.7976931348623157e308]);
      expect(numbers(frame, 'i8')).toEqual([1, -128, NaN, 127, 0, NaN]);
      expect((frame.columns.i8 as NumericColumn).type).toBe('int8');
      expect(Array.from((frame.columns.flag as BoolColumn).values)).toEqual([1, 0, 255, 1, 0, 1]);
      expect(strings(frame, 'day')).toEqual(['2023-03-01', '1969-12-31', null, '2000-02-29', '1970-01-01', '2024-12-31']);
      expect(strings(frame, 'note')).toEqual(['plain', 'comma, "quoted"', null, 'ünïcødé ✓', '', 'x']);
    });
  }

  it('parquetSchema reads the footer: row count and readable types', () => {
    const schema = parquetSchema(fixture('duckdb_types.snappy.parquet'), 'duckdb_types.snappy.parquet');
    expect(schema.rowCount).toBe(6);
    expect(schema.columns.map((c) => `${c.name}:${c.type}:${c.kind}`)).toEqual([
      'sample_id:string:string',
      'symbol:string:string',
      'ts_ms:timestamp[ms]:timestamp',
      'ts_us:timestamp[us]:timestamp',
      'ts_ns:timestamp[ns]:timestamp',
      'ts_utc:timestamp[us, UTC]:timestamp',
      'open_time_ms:int64:number',
      'f32:float32:number',
      'f64:float64:number',
      'i8:int8:number',
      'flag:bool:bool',
      'day:date:date',
      'note:string:string',
    ]);
  });

  it('columns option: only the asked columns, in file order', () => {
    const frame = readParquet(fixture('duckdb_types.zstd.parquet'), 'x.parquet', { columns: ['f64', 'symbol'] });
    expect(frame.names).toEqual(['symbol', 'f64']);
    expect(frame.length).toBe(6);
  });

  it('a missing column is an InputError naming the file, the column and what was found', () => {
    expect(() => readParquet(fixture('duckdb_types.zstd.parquet'), 'label/entry_labels.parquet', { columns: ['symbol', 'entry_target'] })).toThrowError(
      /label\/entry_labels\.parquet: column entry_target is missing \(found columns: sample_id, symbol/,
    );
  });

  it('small batches give the same frame as one batch (strings merged across chunks)', () => {
    const whole = readParquet(fixture('duckdb_types.v2.parquet'), 'v2');
    const chunked = readParquet(fixture('duckdb_types.v2.parquet'), 'v2', { batchSize: 2 });
    for (const name of whole.names) {
      const a = whole.columns[name];
      const b = chunked.columns[name];
      if (a.kind === 'string') expect(strings(chunked, name)).toEqual(strings(whole, name));
      else expect(b).toEqual(a);
    }
  });
});

describe('readParquet refuses what it cannot read with an InputError naming the file', () => {
  const good = fixture('duckdb_types.snappy.parquet');
  it('truncated file', () => {
    const truncated = good.subarray(0, good.length - 100);
    expect(() => readParquet(truncated, 'feature/feature_frame.parquet')).toThrowError(InputError);
    expect(() => readParquet(truncated, 'feature/feature_frame.parquet')).toThrowError(/feature\/feature_frame\.parquet: .*truncated/);
    expect(() => parquetSchema(truncated, 'feature/feature_frame.parquet')).toThrowError(/truncated/);
  });
  it('not a parquet file', () => {
    const text = new TextEncoder().encode('sample_id,symbol\n1,BTCUSDT\n');
    expect(() => readParquet(text, 'replay.parquet')).toThrowError(/replay\.parquet: cannot read parquet: .*not a parquet file/);
    expect(() => readParquet(new Uint8Array(0), 'empty.parquet')).toThrowError(/empty\.parquet: .*too short/);
  });
  it('corrupt data pages (footer intact)', () => {
    const corrupt = good.slice();
    for (let i = 4; i < 600; i++) corrupt[i] = (i * 7919) & 0xff;
    let caught: unknown;
    try {
      readParquet(corrupt, 'corrupt.parquet');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as Error).message).toMatch(/^corrupt\.parquet: /);
  });
});

function sampleFrame(): Frame {
  return makeFrame(['sample_id', 'event_time', 'open_time_ms', 'x32', 'x64', 'continue_target', 'flag', 'side'], {
    sample_id: { kind: 'string', codes: Int32Array.from([0, 1, 2, -1, 3]), dictionary: ['a', 'b', 'ünï ✓', ''] },
    event_time: { kind: 'timestamp', micros: Float64Array.from([1700000000123456, -2, NaN, 0, 4102444800000000]) },
    open_time_ms: { kind: 'number', type: 'int64', values: Float64Array.from([1700000000000, -1, NaN, 9007199254740991, -9007199254740991]) },
    x32: { kind: 'number', type: 'float32', values: Float32Array.from([1.25, NaN, Infinity, -0, -3.5e38]) },
    x64: { kind: 'number', type: 'float64', values: Float64Array.from([0.1, -Infinity, NaN, 5e-324, 1e300]) },
    continue_target: { kind: 'number', type: 'int8', values: Float64Array.from([0, 1, 1, -128, 127]) },
    flag: { kind: 'bool', values: Uint8Array.from([1, 0, 255, 1, 0]) },
    side: { kind: 'string', codes: Int32Array.from([0, 1, 0, 1, 0]), dictionary: ['LONG', 'SHORT'] },
  });
}

/** A parquet file as DuckDB sees it (in process, as the seed's parquet_io.mjs reads it): each column's physical and
 * logical types, the compression codecs used, and the rows (timestamps as epoch nanoseconds, nulls as null). */
async function readWithDuckDb(path: string): Promise<{ schema: Record<string, Record<string, unknown>>; compression: string[]; rows: unknown[][] }> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const file = `'${path.replace(/'/g, "''")}'`;
    const all = async (sql: string) => (await connection.runAndReadAll(sql)).getRowObjects();
    const schema = Object.fromEntries((await all(`SELECT name, type, logical_type, converted_type FROM parquet_schema(${file})`)).map((c) => [String(c.name), c]));
    const compression = (await all(`SELECT DISTINCT compression FROM parquet_metadata(${file})`)).map((c) => String(c.compression));
    const columns = sampleFrame().names.map((name) => (name === 'event_time' ? 'epoch_ns(event_time)' : name));
    const rows = (await connection.runAndReadAll(`SELECT ${columns.join(', ')} FROM read_parquet(${file})`)).getRows();
    return { schema, compression, rows };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe('writeParquet', () => {
  it('round trip through readParquet is exact (NaN in float columns comes back as null = NaN)', () => {
    const frame = sampleFrame();
    const back = readParquet(writeParquet(frame), 'out.parquet');
    expect(back.names).toEqual(frame.names);
    expect(back.length).toBe(5);
    expect(micros(back, 'event_time')).toEqual(Array.from((frame.columns.event_time as TimestampColumn).micros));
    expect(numbers(back, 'open_time_ms')).toEqual([1700000000000, -1, NaN, 9007199254740991, -9007199254740991]);
    expect((back.columns.open_time_ms as NumericColumn).type).toBe('int64');
    expect((back.columns.x32 as NumericColumn).values).toEqual((frame.columns.x32 as NumericColumn).values);
    expect((back.columns.x64 as NumericColumn).values).toEqual((frame.columns.x64 as NumericColumn).values);
    expect(numbers(back, 'continue_target')).toEqual([0, 1, 1, -128, 127]);
    expect((back.columns.continue_target as NumericColumn).type).toBe('int8');
    expect(back.columns.flag).toEqual(frame.columns.flag);
    expect(strings(back, 'sample_id')).toEqual(['a', 'b', 'ünï ✓', null, '']);
    expect(strings(back, 'side')).toEqual(['LONG', 'SHORT', 'LONG', 'SHORT', 'LONG']);
  });

  it('the footer has the seed writer types (FLOAT, DOUBLE, INT8, INT64, UTF8, TIMESTAMP UTC micros)', () => {
    const schema = parquetSchema(writeParquet(sampleFrame()), 'out.parquet');
    expect(schema.rowCount).toBe(5);
    expect(Object.fromEntries(schema.columns.map((c) => [c.name, c.type]))).toEqual({
      sample_id: 'string',
      event_time: 'timestamp[us, UTC]',
      open_time_ms: 'int64',
      x32: 'float32',
      x64: 'float64',
      continue_target: 'int8',
      flag: 'bool',
      side: 'string',
    });
  });

  it('DuckDB (the seed\'s parquet reader) reads what we write: types, compression, values, NaN as null', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pq-'));
    const frame = sampleFrame();
    // the whole-frame writer, and the streamed one over several slices and row groups (as the artifacts are written)
    const whole = join(dir, 'whole.parquet');
    writeFileSync(whole, writeParquet(frame));
    const streamed = join(dir, 'streamed.parquet');
    writeFileSync(streamed, new Uint8Array(await (await writeParquetStreamed(frame, { sliceRows: 2, rowGroupSize: 2 })).blob.arrayBuffer()));
    for (const path of [whole, streamed]) {
      const { schema, compression, rows } = await readWithDuckDb(path);
      expect(schema.x32.type).toBe('FLOAT');
      expect(schema.x64.type).toBe('DOUBLE');
      expect(schema.open_time_ms.type).toBe('INT64');
      expect(schema.continue_target.converted_type).toBe('INT_8');
      expect(schema.flag.type).toBe('BOOLEAN');
      expect(schema.sample_id.type).toBe('BYTE_ARRAY');
      expect(String(schema.sample_id.logical_type) + String(schema.sample_id.converted_type)).toMatch(/String|UTF8/);
      expect(schema.event_time.logical_type).toMatch(/isAdjustedToUTC=1.*MICROS=MicroSeconds/);
      expect(compression).toEqual(['SNAPPY']);
      // NaN is written as null, as pyarrow's from_pandas does; ±Inf and -0 stay
      expect(rows).toEqual([
        ['a', 1700000000123456000n, 1700000000000n, 1.25, 0.1, 0, true, 'LONG'],
        ['b', -2000n, -1n, null, -Infinity, 1, false, 'SHORT'],
        ['ünï ✓', null, null, Infinity, null, 1, null, 'LONG'],
        [null, 0n, 9007199254740991n, -0, 5e-324, -128, true, 'SHORT'],
        ['', 4102444800000000000n, -9007199254740991n, Math.fround(-3.5e38), 1e300, 127, false, 'LONG'],
      ]);
      expect(Object.is(rows[3][3], -0)).toBe(true);
    }
  });

  it('Arrow dictionary<int32, utf8> columns (as pyarrow writes categoricals) load as their dictionary', () => {
    const dictType = new Dictionary(new Utf8(), new Int32());
    const symbol = vectorFromArray(['ETHUSDT', 'BTCUSDT', null, 'ETHUSDT', 'SOLUSDT', 'BTCUSDT'], dictType);
    const table = new ArrowTable({ symbol, n: vectorFromArray([1, 2, 3, 4, 5, 6]) });
    const bytes = pw.writeParquet(pw.Table.fromIPCStream(tableToIPC(table, 'stream')));
    for (const batchSize of [undefined, 2]) {
      const frame = readParquet(bytes, 'dict.parquet', { batchSize });
      expect(strings(frame, 'symbol')).toEqual(['ETHUSDT', 'BTCUSDT', null, 'ETHUSDT', 'SOLUSDT', 'BTCUSDT']);
      expect((frame.columns.symbol as StringColumn).dictionary).toEqual(['ETHUSDT', 'BTCUSDT', 'SOLUSDT']);
    }
  });

  it('Arrow types that pyarrow keeps in the file schema: timestamp[s], timestamp[ns, tz], date64, large_utf8, uint64', () => {
    // built from raw buffers (nulls in the third row) so the stored values are exactly these
    const valid = Uint8Array.from([0b011]);
    const col = <T extends DataType>(type: T, data: ArrayLike<unknown>, nullBitmap = valid) =>
      makeVector(makeData({ type, length: 3, nullCount: 1, nullBitmap, data } as never));
    const table = new ArrowTable({
      ts_s: col(new TimestampSecond(), BigInt64Array.from([1700000000n, -1n, 0n])),
      ts_ns_tz: col(new TimestampNanosecond('America/New_York'), BigInt64Array.from([1700000000123456789n, -1500n, 0n])),
      d64: col(new DateMillisecond(), BigInt64Array.from([BigInt(Date.UTC(2024, 1, 29)), BigInt(Date.UTC(1969, 11, 31)), 0n])),
      d32: col(new DateDay(), Int32Array.from([10957, 0, 0]), Uint8Array.from([0b101])),
      big: vectorFromArray(['x', null, 'ünï'], new LargeUtf8()),
      u64: col(new Uint64(), BigUint64Array.from([0n, 9007199254740993n, 0n])),
    });
    const bytes = pw.writeParquet(pw.Table.fromIPCStream(tableToIPC(table, 'stream')));
    const frame = readParquet(bytes, 'arrow.parquet');
    expect(micros(frame, 'ts_s')).toEqual([1700000000000000, -1000000, NaN]);
    expect(micros(frame, 'ts_ns_tz')).toEqual([1700000000123456, -2, NaN]);
    expect(strings(frame, 'd64')).toEqual(['2024-02-29', '1969-12-31', null]);
    expect(strings(frame, 'd32')).toEqual(['2000-01-01', null, '1970-01-01']);
    expect(strings(frame, 'big')).toEqual(['x', null, 'ünï']);
    expect((frame.columns.u64 as NumericColumn).type).toBe('uint64');
    expect(numbers(frame, 'u64')).toEqual([0, 9007199254740992, NaN]); // int64 as float64: exact up to 2^53
  });

  it('empty frames and all-null columns round trip', () => {
    const empty = makeFrame(['a', 's', 't'], {
      a: { kind: 'number', type: 'float32', values: new Float32Array(0) },
      s: { kind: 'string', codes: new Int32Array(0), dictionary: [] },
      t: { kind: 'timestamp', micros: new Float64Array(0) },
    });
    const back = readParquet(writeParquet(empty), 'empty.parquet');
    expect(back.length).toBe(0);
    expect(back.names).toEqual(['a', 's', 't']);
    const nulls = makeFrame(['s', 'x'], {
      s: { kind: 'string', codes: Int32Array.from([-1, -1]), dictionary: [] },
      x: { kind: 'number', type: 'float64', values: Float64Array.from([NaN, NaN]) },
    });
    expect(readParquet(writeParquet(nulls), 'nulls.parquet').columns).toEqual(nulls.columns);
  });

  it('an unsupported column is skipped unless asked for, then it is an InputError naming file, column and type', () => {
    const bytes = new Uint8Array(readFileSync(join(PARQUET_TESTING, 'data/nested_maps.snappy.parquet')));
    const frame = readParquet(bytes, 'nested_maps.snappy.parquet');
    expect(frame.names).toEqual(['b', 'c']);
    expect(() => readParquet(bytes, 'nested_maps.snappy.parquet', { columns: ['a', 'b'] })).toThrowError(
      /nested_maps\.snappy\.parquet: column a has type map, which cannot be loaded/,
    );
  });
});

describe('writeParquetStreamed', () => {
  /** Every value of every column, nulls as null, for an exact comparison of two frames. */
  const cells = (f: Frame) =>
    f.names.map((name) => {
      const c = f.columns[name];
      const out: unknown[] = [];
      for (let i = 0; i < f.length; i++) {
        if (c.kind === 'string') out.push(stringAt(c, i));
        else if (c.kind === 'timestamp') out.push(c.micros[i]);
        else if (c.kind === 'indexed') out.push(c.source[c.index[i]]);
        else out.push(c.values[i]);
      }
      return [name, c.kind, c.kind === 'number' ? c.type : '', out];
    });

  it('writes the values, types and row count of writeParquet, whatever the slice size (nulls, UTF-8, every kind)', async () => {
    // 5 sample rows repeated to 23: slices of 4 and 7 rows cut through every column, the last slice short
    const base = sampleFrame();
    const rows = Int32Array.from({ length: 23 }, (_, i) => i % 5);
    const frame = makeFrame(base.names, Object.fromEntries(base.names.map((n) => [n, takeColumn(base.columns[n], rows)])));
    const whole = readParquet(writeParquet(frame), 'whole.parquet');
    const before = cells(frame);
    for (const sliceRows of [4, 7, 23, 1000]) {
      const written = await writeParquetStreamed(frame, { sliceRows, sha256: true });
      const bytes = new Uint8Array(await written.blob.arrayBuffer());
      expect(written.sha256).toBe(await sha256Hex(bytes));
      const back = readParquet(bytes, 'streamed.parquet');
      expect(back.length).toBe(23);
      expect(cells(back)).toEqual(cells(whole));
      expect(parquetSchema(bytes, 'streamed.parquet').columns).toEqual(parquetSchema(writeParquet(frame), 'whole.parquet').columns);
    }
    // the writer frees the arrays it made for each slice, never the frame's own
    expect(cells(frame)).toEqual(before);
  });

  it('makes a slice in wasm memory only when the writer asks for one, never the next one ahead', async () => {
    const n = 23;
    const values = Float64Array.from({ length: n }, (_, i) => i * 1.5);
    const frame = makeFrame(['x'], { x: { kind: 'number', type: 'float64', values } });
    let made = 0; // slices made: each reads the column once
    const counted = { ...frame, columns: new Proxy(frame.columns, { get: (target, key) => (key === 'x' && made++, Reflect.get(target, key)) }) };
    const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
    const reader = frameSlices(counted, 4, new Map()).getReader();
    made = 0; // (the stream notes the frame's own buffers when made; a pull comes later, if at all)
    await tick();
    expect(made).toBe(0);
    const lengths: number[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      lengths.push(value.numRows);
      value.free();
      await tick();
      expect(made).toBe(lengths.length);
    }
    expect(lengths).toEqual([4, 4, 4, 4, 4, 3]);
  });

  it('encodes strings of 1 to 4 UTF-8 bytes per character, and lone surrogates as U+FFFD, as TextEncoder does', async () => {
    const texts = ['a', 'é', '✓', '😀 ok', 'x\uD800y', '\uDC00', 'ünïcødé 😀😀', ''];
    const n = 40;
    const frame = makeFrame(['s'], { s: { kind: 'string', codes: Int32Array.from({ length: n }, (_, i) => i % texts.length), dictionary: texts } });
    const written = await writeParquetStreamed(frame, { sliceRows: 16 });
    const back = readParquet(new Uint8Array(await written.blob.arrayBuffer()), 'utf8.parquet');
    const expected = texts.map((t) => new TextDecoder().decode(new TextEncoder().encode(t)));
    const column = back.columns.s as StringColumn;
    expect(Array.from({ length: n }, (_, i) => stringAt(column, i))).toEqual(Array.from({ length: n }, (_, i) => expected[i % texts.length]));
  });
});

describe('readParquetAsync piece by piece (row groups × column groups)', () => {
  it('a file of several row groups read a few columns at a time equals readParquet, with progress per piece', async () => {
    const base = sampleFrame();
    const rows = Int32Array.from({ length: 23 }, (_, i) => (i * 3) % 5);
    const frame = makeFrame(base.names, Object.fromEntries(base.names.map((n) => [n, takeColumn(base.columns[n], rows)])));
    const bytes = writeParquet(frame, { rowGroupSize: 5 });
    expect(parquetSchema(bytes, 'groups.parquet').rowGroupCount).toBe(5);
    const whole = readParquet(bytes, 'groups.parquet');
    const progress: [number, number][] = [];
    const pieces = await readParquetAsync(new Blob([bytes.slice()]), 'groups.parquet', { maxInMemoryBytes: 0, columnsPerRead: 3, onProgress: (d, t) => progress.push([d, t]) });
    expect(pieces.names).toEqual(whole.names);
    expect(pieces.length).toBe(23);
    for (const name of whole.names) {
      const a = whole.columns[name];
      const b = pieces.columns[name];
      expect(b.kind).toBe(a.kind);
      for (let i = 0; i < 23; i++) {
        const at = (c: typeof a) => (c.kind === 'string' ? stringAt(c, i) : c.kind === 'timestamp' ? c.micros[i] : c.kind === 'indexed' ? c.source[c.index[i]] : c.values[i]);
        expect(at(b)).toEqual(at(a));
      }
    }
    // 8 columns in groups of 3 → 3 pieces per row group, 5 row groups
    expect(progress.length).toBe(15);
    expect(progress.at(-1)).toEqual([15, 15]);
    const some = await readParquetAsync(new Blob([bytes.slice()]), 'groups.parquet', { maxInMemoryBytes: 0, columnsPerRead: 1, columns: ['side', 'x32'] });
    expect(some.names).toEqual(whole.names.filter((n) => n === 'side' || n === 'x32'));
    expect(Array.from((some.columns.x32 as NumericColumn).values)).toEqual(Array.from((whole.columns.x32 as NumericColumn).values));
  });

  it('a small file of many rows in one row group is read a piece at a time too, in several batches per piece, with the same values', async () => {
    const n = IN_MEMORY_PARQUET_ROWS + 1000;
    const frame = makeFrame(['id', 'symbol'], {
      id: { kind: 'number', type: 'int64', values: Float64Array.from({ length: n }, (_, i) => i) },
      symbol: { kind: 'string', codes: Int32Array.from({ length: n }, (_, i) => i % 3), dictionary: ['AAA', 'BBB', 'CCC'] },
    });
    const bytes = writeParquet(frame, { rowGroupSize: n });
    expect(bytes.length).toBeLessThan(IN_MEMORY_PARQUET_BYTES);
    expect(parquetSchema(bytes, 'many.parquet').rowGroupCount).toBe(1);
    const progress: [number, number][] = [];
    const read = await readParquetAsync(new Blob([bytes.slice()]), 'many.parquet', { columnsPerRead: 1, onProgress: (d, t) => progress.push([d, t]) });
    // read by pieces (one per column), not whole: a whole read reports no pieces
    expect(progress).toEqual([
      [1, 2],
      [2, 2],
    ]);
    expect(read.length).toBe(n);
    const ids = (read.columns.id as NumericColumn).values;
    expect(ids[0]).toBe(0);
    expect(ids[n - 1]).toBe(n - 1);
    expect(ids.every((v, i) => v === i)).toBe(true);
    const symbols = read.columns.symbol as StringColumn;
    expect([0, 1, 2, n - 1].map((i) => stringAt(symbols, i))).toEqual(['AAA', 'BBB', 'CCC', ['AAA', 'BBB', 'CCC'][(n - 1) % 3]]);
    // a small file of few rows is still read whole (no pieces)
    const few: [number, number][] = [];
    await readParquetAsync(new Blob([writeParquet(sampleFrame()).slice()]), 'few.parquet', { onProgress: (d, t) => few.push([d, t]) });
    expect(few).toEqual([]);
  });
});

describe('UTF-8 dictionaries (a decode worker makes no string)', () => {
  it('read piece by piece or whole, the string columns come as UTF-8, then as the same strings and codes as a plain read', async () => {
    const texts = ['id-0001', 'é', '😀 ok', 'id-0002', '', 'ünïcødé', 'id-0001-b'];
    const n = 31;
    const frame = makeFrame(['s', 'x'], {
      s: { kind: 'string', codes: Int32Array.from({ length: n }, (_, i) => (i % 5 === 4 ? -1 : (i * 3) % texts.length)), dictionary: texts },
      x: { kind: 'number', type: 'float64', values: Float64Array.from({ length: n }, (_, i) => i / 2) },
    });
    const bytes = writeParquet(frame, { rowGroupSize: 4 });
    expect(parquetSchema(bytes, 'utf8.parquet').rowGroupCount).toBe(8);
    const plain = readParquet(bytes, 'utf8.parquet');
    for (const read of [
      await readParquetAsync(new Blob([bytes.slice()]), 'utf8.parquet', { maxInMemoryBytes: 0, columnsPerRead: 1, utf8Dictionaries: true }),
      readParquet(bytes, 'utf8.parquet', { utf8Dictionaries: true }),
    ]) {
      const s = read.columns.s as StringColumn;
      // no string made: the distinct values as UTF-8, in code order, each once
      expect(s.dictionary).toEqual([]);
      const values = Array.from({ length: s.utf8!.offsets.length - 1 }, (_, d) => new TextDecoder().decode(s.utf8!.bytes.subarray(s.utf8!.offsets[d], s.utf8!.offsets[d + 1])));
      expect(new Set(values).size).toBe(values.length);
      // and moved whole with the frame
      expect(frameBuffers(read)).toContain(s.utf8!.bytes.buffer);
      materializeDictionaries(read);
      expect(s.utf8).toBeUndefined();
      expect(s.dictionary).toEqual(values);
      expect(Array.from({ length: n }, (_, i) => stringAt(s, i))).toEqual(Array.from({ length: n }, (_, i) => stringAt(plain.columns.s as StringColumn, i)));
      expect(Array.from((read.columns.x as NumericColumn).values)).toEqual(Array.from((plain.columns.x as NumericColumn).values));
    }
    // a plain piece-by-piece read of several row groups: one code per value across the row groups, in order of first appearance
    const pieces = await readParquetAsync(new Blob([bytes.slice()]), 'utf8.parquet', { maxInMemoryBytes: 0 });
    expect(pieces.columns.s).toEqual(plain.columns.s);
  });
});

describe('readParquetAsync (Blob/File input)', () => {
  const file = 'duckdb_types.zstd.parquet';
  const bytes = fixture(file);
  const blob = new Blob([bytes as Uint8Array<ArrayBuffer>]);
  it('through ParquetFile (column ranges only) gives the same frame as the in-memory path', async () => {
    const sync = readParquet(bytes, file);
    expect(await readParquetAsync(blob, file, { maxInMemoryBytes: 0 })).toEqual(sync);
    expect(await readParquetAsync(blob, file)).toEqual(sync);
    const projected = await readParquetAsync(blob, file, { maxInMemoryBytes: 0, columns: ['ts_ns', 'symbol'] });
    expect(projected.names).toEqual(['symbol', 'ts_ns']);
    expect(projected.columns.ts_ns).toEqual(sync.columns.ts_ns);
    expect(await parquetSchemaAsync(blob, file)).toEqual(parquetSchema(bytes, file));
  });
  it('reads a footer larger than the tail it reads first (a wide file) with one more read', async () => {
    const names = Array.from({ length: 1500 }, (_, i) => `feature_with_a_long_name_${i}`);
    const wide = writeParquet({ length: 2, names, columns: Object.fromEntries(names.map((n) => [n, { kind: 'number', type: 'float64', values: new Float64Array([1, 2]) }])) } as Frame);
    const footerLength = new DataView(wide.buffer, wide.byteOffset + wide.byteLength - 8, 4).getUint32(0, true);
    expect(footerLength).toBeGreaterThan(64 * 1024);
    const schema = await parquetSchemaAsync(new Blob([wide as Uint8Array<ArrayBuffer>]), 'wide.parquet');
    expect(schema).toEqual(parquetSchema(wide, 'wide.parquet'));
    expect(schema.columns.map((c) => c.name)).toEqual(names);
  });
  it('refuses what readParquet refuses, naming the file', async () => {
    const truncated = new Blob([bytes.slice(0, bytes.length - 50)]);
    await expect(readParquetAsync(truncated, 'replay.parquet', { maxInMemoryBytes: 0 })).rejects.toThrowError(/^replay\.parquet: cannot read parquet: .*truncated/);
    await expect(readParquetAsync(blob, 'replay.parquet', { maxInMemoryBytes: 0, columns: ['close'] })).rejects.toThrowError(/^replay\.parquet: column close is missing/);
  });
  it('a decoder panic inside ParquetFile rejects (no promise left pending), checked in a child process', () => {
    // vitest reports any uncaught exception as a failure even when the code handles it, so this runs alone
    const script = join(__dirname, '../../test/fixtures/data/async_panic_check.ts');
    const output = execFileSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000, cwd: join(__dirname, '../..') });
    expect(output.trim()).toBe('ParquetDecoderPanic: corrupt.parquet: cannot read parquet: the decoder crashed on this file (unreachable); it is malformed or uses a feature the decoder does not support');
  });
});

describe('warmUpParquet', () => {
  it('writes and reads back its made-up baseline-shaped frame without error', async () => {
    const { warmUpParquet } = await import('./decoderWarmUp.ts');
    expect(() => warmUpParquet(1024)).not.toThrow();
  });
});
