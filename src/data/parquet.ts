/**
 * Parquet in and out: parquet-wasm decodes to Arrow, Arrow becomes a `Frame` of typed arrays (no object per row).
 *
 * In the browser, `await ensureParquetWasm()` (parquetInit.ts) before the first call. In Node nothing is needed.
 *
 * Decoder panics: parquet-wasm is Rust; on some malformed files it panics (`RuntimeError: unreachable`). We turn
 * that into an InputError like any other decode failure (`ParquetDecoderPanic`, a subclass) and count it in
 * `parquetDecoderPanics()`. What the caller must do:
 *  - browser: a panicked wasm instance may hold corrupt state and never gives memory back; the decode worker that
 *    saw a `ParquetDecoderPanic` (error name `ParquetDecoderPanic`) should be terminated and a fresh one spawned
 *    for the next file.
 *  - Node: checked on parquet-testing's `large_string_map.brotli.parquet` — reads after the panic return the same
 *    values as before it (test/unit/parquetTesting.test.ts asserts this), so the runner carries on; it reads one
 *    baseline per process anyway.
 *
 * Known limits (from the decoder, arrow-rs): INT96 timestamps (legacy Spark/Impala) outside 1677–2262 wrap
 * around, because they are converted to int64 nanoseconds; encrypted files are refused. A file whose footer row
 * count disagrees with its row groups is refused (arrow-rs and DuckDB would read different row counts).
 */
import { release } from '../core/release.ts';
import * as pw from 'parquet-wasm';
import { parseTable } from 'arrow-js-ffi';
import {
  DataType,
  Type,
  makeData,
  Table as ArrowTable,
  RecordBatch,
  Schema,
  Field,
  Struct,
  Float32 as ArrowFloat32,
  Float64 as ArrowFloat64,
  Int8 as ArrowInt8,
  Int16 as ArrowInt16,
  Int32 as ArrowInt32,
  Int64 as ArrowInt64,
  Uint8 as ArrowUint8,
  Uint16 as ArrowUint16,
  Uint32 as ArrowUint32,
  Uint64 as ArrowUint64,
  Utf8,
  Bool,
  TimestampMicrosecond,
  tableFromIPC,
  tableToIPC,
  type Data,
  type Timestamp,
  type Float,
  type Int,
  type Decimal,
  type Date_,
  type Dictionary,
} from 'apache-arrow';
import { InputError, type InputProblem } from '../core/errors.ts';
import { frameBuffers, numericSlice, type Column, type Frame, type NumericColumn, type NumericType, type Utf8List } from './frame.ts';
import { StringTable } from './stringTable.ts';
import { newSha256 } from './sha256Stream.ts';
import { readParquetFooter, checkEnvelope, decodeFooter, FooterError, type FooterColumn } from './parquetFooter.ts';
import { decodeUtf8, hashBytes } from './utf8.ts';
import { typedCopy } from '../core/arrays.ts';

export type { ColumnKind, FooterColumn } from './parquetFooter.ts';

/** BROWSER.md: the default 1024-row batches make the Arrow conversion 20–70× slower. */
const BATCH_SIZE = 131072;

export interface ParquetSchema {
  rowCount: number;
  columns: FooterColumn[];
  /** Row groups in the file (readParquetAsync reads a large file one row group at a time). */
  rowGroupCount?: number;
}

/** A decode that crashed the wasm decoder; see the module comment for what the caller must do. */
export class ParquetDecoderPanic extends InputError {
  constructor(message: string, problems: InputProblem[]) {
    super(message, problems);
    this.name = 'ParquetDecoderPanic';
  }
}

let panics = 0;
/** How many decodes panicked in this instance of the wasm decoder (a worker seeing > 0 should be replaced). */
export function parquetDecoderPanics(): number {
  return panics;
}

function fail(file: string, reason: string, field?: string): InputError {
  const message = `${file}: ${reason}`;
  return new InputError(message, [{ file, field, message: reason }]);
}

function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/^(Error: )+/, '').trim() || 'unknown error';
}

function isWasmPanic(error: unknown): boolean {
  return (
    (typeof WebAssembly !== 'undefined' && error instanceof WebAssembly.RuntimeError) ||
    (error instanceof Error && /unreachable|RuntimeError/.test(`${error.name} ${error.message}`))
  );
}

/** Row count and top-level columns from the footer only: no data is decoded and the wasm decoder is not used. */
export function parquetSchema(bytes: Uint8Array, file: string): ParquetSchema {
  try {
    const footer = readParquetFooter(bytes);
    return { rowCount: footer.rowCount, columns: footer.columns, rowGroupCount: footer.rowGroupCount };
  } catch (error) {
    if (error instanceof FooterError) throw fail(file, `cannot read parquet: ${error.message}`);
    throw fail(file, `cannot read parquet: ${reasonOf(error)}`);
  }
}

export interface ReadParquetOptions {
  /** Columns to load (file order is kept in the Frame). Missing or unloadable ones are an InputError. Without it
   * every loadable column is loaded and nested/unsupported ones are skipped. */
  columns?: string[];
  /** Rows per Arrow batch (tests use small ones to exercise multi-chunk conversion). Default ≥ 131072. */
  batchSize?: number;
  /** readParquetAsync on a large Blob: called after each piece (row group × column group) is decoded. */
  onProgress?: (done: number, total: number) => void;
  /** readParquetAsync on a large Blob: columns decoded per read (default COLUMNS_PER_READ). */
  columnsPerRead?: number;
  /**
   * String columns come back with their dictionaries as UTF-8 (`StringColumn.utf8`, `dictionary` empty) rather than
   * as strings, for a decode worker: its heap then holds no string of the file, and the thread it sends the frame
   * to makes them (`materializeDictionaries`). The heap of a worker that ended was seen to stay resident in
   * Chromium for seconds after it, where L's two decoders had grown theirs to ~100 MB each on sample ids.
   */
  utf8Dictionaries?: boolean;
}

/**
 * A large file is decoded a few columns of one row group at a time: wasm memory (which never shrinks and stops at
 * 4 GB) then peaks at one such piece, not at the whole file's compressed and decoded columns together.
 */
export const COLUMNS_PER_READ = 8;

/**
 * Decodes `bytes` (a parquet file called `file`, used in messages) into a Frame.
 * Types: float32 stays Float32Array; float64, decimals, float16 and all integers become numbers (ints as float64,
 * type kept, nulls NaN); timestamps of any unit become UTC epoch microseconds (floored; naive = UTC); strings,
 * binary and dictionary strings become dictionary-coded strings; dates become ISO `YYYY-MM-DD` strings; booleans.
 */
export function readParquet(bytes: Uint8Array, file: string, options: ReadParquetOptions = {}): Frame {
  const footer = parquetSchema(bytes, file);
  const wanted = checkWanted(footer, file, options.columns);
  let table: pw.Table;
  try {
    table = pw.readParquet(bytes, { batchSize: options.batchSize ?? batchSizeFor(footer.rowCount) });
  } catch (error) {
    throw decodeError(file, error);
  }
  try {
    if (!options.utf8Dictionaries) return tableToFrame(table, file, footer, wanted);
    const interners: Interners = { strings: false, byName: new Map() };
    return finishDictionaries(tableToFrame(table, file, footer, wanted, true, interners), interners);
  } finally {
    table.free();
  }
}

/** Blobs above this size are read through ParquetFile piece by piece (a few columns of one row group per read)
 * instead of whole into wasm memory; below it, one whole read is as fast and its memory is small... */
export const IN_MEMORY_PARQUET_BYTES = 32 * 1024 * 1024;

/**
 * ...unless the file holds more rows than this: a whole read's wasm memory follows the rows decoded, not the
 * file's size. L's entry labels (9.7 MB of parquet, 864,000 rows) grew it to 118 MB read whole, 21 MB read a
 * piece at a time (1.2 against 1.6 s, in a decode worker that waits for the feature frame's anyway).
 */
export const IN_MEMORY_PARQUET_ROWS = 262_144;

/** Whether the footer of these bytes says more than IN_MEMORY_PARQUET_ROWS rows (false if it cannot be read:
 * the whole read then reports what is wrong with the file). */
function manyRows(bytes: Uint8Array): boolean {
  try {
    return readParquetFooter(bytes).rowCount > IN_MEMORY_PARQUET_ROWS;
  } catch {
    return false;
  }
}

/**
 * Like readParquet, for a Blob/File too. Small inputs are read whole (fastest); a Blob larger than
 * `maxInMemoryBytes` is read through parquet-wasm's ParquetFile, which fetches only the requested columns' byte
 * ranges, a few columns of one row group at a time (`onProgress` after each piece): wasm memory (which never
 * shrinks, and stops at 4 GB) then peaks at one piece, not at the file. L's 166 MB feature frame: 322 -> 23 MB of
 * wasm memory, same CPU time. A small Blob of many rows is read that way too (IN_MEMORY_PARQUET_ROWS).
 */
export async function readParquetAsync(
  data: Blob | Uint8Array,
  file: string,
  options: ReadParquetOptions & { maxInMemoryBytes?: number } = {},
): Promise<Frame> {
  if (data instanceof Uint8Array) return readParquet(data, file, options);
  if (data.size <= (options.maxInMemoryBytes ?? IN_MEMORY_PARQUET_BYTES)) {
    const bytes = new Uint8Array(await data.arrayBuffer());
    if (!manyRows(bytes)) return readParquet(bytes, file, options);
    // a small file of many rows (well compressed) is read a piece at a time all the same
    release(bytes);
  }
  const footer = await parquetSchemaAsync(data, file);
  const wanted = checkWanted(footer, file, options.columns);
  const wantedSet = wanted ? new Set(wanted) : null;
  // file order, as readParquet keeps it
  const columns = [...new Set(footer.columns.filter((c) => (wantedSet ? wantedSet.has(c.name) : c.kind !== 'unsupported')).map((c) => c.name))];
  if (columns.length === 0) return { length: footer.rowCount, names: [], columns: {} };
  const perRead = Math.max(1, options.columnsPerRead ?? COLUMNS_PER_READ);
  const columnGroups: string[][] = [];
  for (let i = 0; i < columns.length; i += perRead) columnGroups.push(columns.slice(i, i + perRead));
  const rowGroups = Math.max(1, footer.rowGroupCount ?? 1);
  const total = rowGroups * columnGroups.length;
  // The reader sizes each column's builders by the batch size, not by the rows read: with the whole file's row
  // count as the batch size, reading L's feature frame a piece at a time grew wasm memory to 87 MB; with
  // BATCH_SIZE rows, 23 MB, in the same time (a single-row-group file gives a few batches per piece, joined).
  const pieceBatchSize = options.batchSize ?? BATCH_SIZE;
  let parquetFile: pw.ParquetFile | null = null;
  const rowParts: Frame[] = [];
  // one interner per string column for all row groups: codes agree across them
  const interners: Interners = { strings: !options.utf8Dictionaries, byName: new Map() };
  try {
    parquetFile = await withPanicGuard(() => pw.ParquetFile.fromFile(data));
    for (let rg = 0; rg < rowGroups; rg++) {
      let partLength = -1;
      const partNames: string[] = [];
      const partColumns: Record<string, Column> = {};
      for (const group of columnGroups) {
        const table = await withPanicGuard(() =>
          parquetFile!.read({ columns: group, batchSize: pieceBatchSize, ...(rowGroups > 1 ? { rowGroups: [rg] } : {}) }),
        ).catch((error: unknown) => {
          throw decodeError(file, error);
        });
        let piece: Frame;
        try {
          // the row count of one row group is checked against the whole file's below, once the pieces are joined
          piece = tableToFrame(table, file, footer, group, rowGroups === 1, interners);
        } finally {
          table.free();
        }
        if (partLength >= 0 && piece.length !== partLength) {
          throw fail(file, `cannot read parquet: row group ${rg} gives ${piece.length} rows for some columns and ${partLength} for others; the file is corrupt`);
        }
        partLength = piece.length;
        for (const name of piece.names) {
          partNames.push(name);
          partColumns[name] = piece.columns[name];
        }
        options.onProgress?.(rg * columnGroups.length + columnGroups.indexOf(group) + 1, total);
      }
      rowParts.push({ length: partLength, names: partNames, columns: partColumns });
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw decodeError(file, error);
  } finally {
    try {
      (parquetFile as pw.ParquetFile | null)?.free();
    } catch {
      // a panicked instance may refuse even this; the worker is to be replaced anyway
    }
  }
  const frame = rowParts.length === 1 ? rowParts[0] : concatRows(rowParts);
  if (frame.length !== footer.rowCount) {
    throw fail(file, `cannot read parquet: the footer says ${footer.rowCount} rows but ${frame.length} were decoded; the file is corrupt`);
  }
  return finishDictionaries(frame, interners);
}

/** Row groups read apart, one after the other (same names and kinds in every part; dictionaries merged). Each
 * column's pieces are freed once joined, so the frame is not held twice while the next column is joined. */
function concatRows(parts: Frame[]): Frame {
  const length = parts.reduce((n, p) => n + p.length, 0);
  const first = parts[0];
  const columns: Record<string, Column> = {};
  for (const name of first.names) {
    const kinds = parts.map((p) => p.columns[name]);
    const c0 = kinds[0];
    let at = 0;
    switch (c0.kind) {
      case 'number': {
        const values = c0.values instanceof Float32Array ? new Float32Array(length) : new Float64Array(length);
        for (const c of kinds as NumericColumn[]) {
          values.set(c.values as Float32Array & Float64Array, at);
          at += c.values.length;
        }
        columns[name] = { kind: 'number', type: c0.type, values };
        release(...(kinds as NumericColumn[]).map((c) => c.values));
        break;
      }
      case 'timestamp': {
        const micros = new Float64Array(length);
        for (const c of kinds) {
          const m = (c as { micros: Float64Array }).micros;
          micros.set(m, at);
          at += m.length;
        }
        columns[name] = { kind: 'timestamp', micros };
        release(...kinds.map((c) => (c as { micros: Float64Array }).micros));
        break;
      }
      case 'bool': {
        const values = new Uint8Array(length);
        for (const c of kinds) {
          const v = (c as { values: Uint8Array }).values;
          values.set(v, at);
          at += v.length;
        }
        columns[name] = { kind: 'bool', values };
        release(...kinds.map((c) => (c as { values: Uint8Array }).values));
        break;
      }
      case 'string': {
        const codes = new Int32Array(length);
        if (kinds.every((c) => (c as { dictionary: string[] }).dictionary === c0.dictionary)) {
          // the parts' codes come from one interner (readParquetAsync): joined as they are
          for (const c of kinds as { codes: Int32Array }[]) {
            codes.set(c.codes, at);
            at += c.codes.length;
          }
          columns[name] = { kind: 'string', codes, dictionary: c0.dictionary };
          release(...kinds.map((c) => (c as { codes: Int32Array }).codes));
          break;
        }
        const table = new StringTable();
        for (const c of kinds as { codes: Int32Array; dictionary: string[] }[]) {
          const remap = new Int32Array(c.dictionary.length);
          for (let d = 0; d < c.dictionary.length; d++) remap[d] = table.add(c.dictionary[d]);
          for (let i = 0; i < c.codes.length; i++) codes[at + i] = c.codes[i] < 0 ? -1 : remap[c.codes[i]];
          at += c.codes.length;
        }
        columns[name] = { kind: 'string', codes, dictionary: table.values };
        release(...kinds.map((c) => (c as { codes: Int32Array }).codes));
        break;
      }
    }
  }
  return { length, names: [...first.names], columns };
}

/**
 * ParquetFile decodes inside wasm-bindgen futures: a panic there is thrown from a microtask, not into our
 * promise, which would then never settle. Listen for it globally while the read runs and fail the read instead.
 */
async function withPanicGuard<T>(run: () => Promise<T>): Promise<T> {
  let detach = () => {};
  const panicked = new Promise<never>((_, reject) => {
    const proc = (globalThis as { process?: NodeJS.Process }).process;
    if (proc && typeof proc.on === 'function' && proc.versions?.node) {
      const onError = (error: unknown) => {
        if (isWasmPanic(error)) reject(error);
        else if (proc.listenerCount('uncaughtException') <= 1) {
          // we are the only listener: keep Node's default for anything else (report and exit)
          console.error(error);
          proc.exit(1);
        }
      };
      proc.on('uncaughtException', onError);
      detach = () => proc.off('uncaughtException', onError);
    } else if (typeof globalThis.addEventListener === 'function') {
      const onError = (event: ErrorEvent) => {
        if (isWasmPanic(event.error ?? new Error(event.message))) {
          event.preventDefault();
          reject(event.error ?? new Error(event.message));
        }
      };
      globalThis.addEventListener('error', onError);
      detach = () => globalThis.removeEventListener('error', onError);
    }
  });
  try {
    return await Promise.race([run(), panicked]);
  } finally {
    detach();
  }
}

/** How much of a file's end is read at once to find its footer (a footer larger than this costs one more read). */
const FOOTER_GUESS_BYTES = 64 * 1024;

/** parquetSchema for a Blob/File: reads the first 4 and last bytes only (a 1 GB file costs a few kB). */
export async function parquetSchemaAsync(data: Blob | Uint8Array, file: string): Promise<ParquetSchema> {
  if (data instanceof Uint8Array) return parquetSchema(data, file);
  const slice = async (start: number, end: number) => new Uint8Array(await data.slice(start, end).arrayBuffer());
  try {
    const size = data.size;
    if (size < 12) return parquetSchema(await slice(0, size), file);
    // The head and a tail that holds most footers, read side by side (each read of a File is a round trip).
    const tailStart = Math.max(4, size - FOOTER_GUESS_BYTES);
    const [head, tail] = await Promise.all([slice(0, 4), slice(tailStart, size)]);
    const footerLength = checkEnvelope(head, tail.subarray(tail.length - 8), size);
    const footerStart = size - 8 - footerLength;
    const footerBytes = footerStart >= tailStart ? tail.subarray(footerStart - tailStart, tail.length - 8) : await slice(footerStart, size - 8);
    const footer = decodeFooter(footerBytes);
    return { rowCount: footer.rowCount, columns: footer.columns, rowGroupCount: footer.rowGroupCount };
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw fail(file, `cannot read parquet: ${reasonOf(error)}`);
  }
}

function batchSizeFor(rowCount: number): number {
  return Math.max(BATCH_SIZE, Math.min(rowCount, 1 << 22));
}

function decodeError(file: string, error: unknown): InputError {
  if (isWasmPanic(error)) {
    panics++;
    const reason = `cannot read parquet: the decoder crashed on this file (${reasonOf(error)}); it is malformed or uses a feature the decoder does not support`;
    return new ParquetDecoderPanic(`${file}: ${reason}`, [{ file, message: reason }]);
  }
  return fail(file, `cannot read parquet: ${reasonOf(error)}`);
}

/** The requested columns (deduplicated), after checking that each exists and can be loaded; null for all. */
function checkWanted(footer: ParquetSchema, file: string, columns: string[] | undefined): string[] | null {
  if (!columns) return null;
  const wanted = [...new Set(columns)];
  const present = new Set(footer.columns.map((c) => c.name));
  const missing = wanted.filter((name) => !present.has(name));
  if (missing.length > 0) {
    const problems = missing.map((name) => ({
      file,
      field: name,
      message: `column ${name} is missing (found columns: ${footer.columns.map((c) => c.name).join(', ')})`,
    }));
    throw new InputError(problems.map((p) => `${file}: ${p.message}`).join('\n'), problems);
  }
  const unsupported = footer.columns.filter((c) => wanted.includes(c.name) && c.kind === 'unsupported');
  if (unsupported.length > 0) throw unsupportedError(file, unsupported);
  return wanted;
}

function unsupportedError(file: string, columns: { name: string; type: string }[]): InputError {
  const problems = columns.map((c) => ({
    file,
    field: c.name,
    message: `column ${c.name} has type ${c.type}, which cannot be loaded (expected numbers, strings, timestamps, dates or booleans)`,
  }));
  return new InputError(problems.map((p) => `${file}: ${p.message}`).join('\n'), problems);
}

/**
 * The string columns' interners of a read made of several pieces (a large file's row groups), one per column and
 * shared by its pieces: codes are the same across pieces, which are then joined by copying codes alone.
 * `strings: false` keeps the dictionaries as UTF-8 (`utf8Dictionaries`).
 */
interface Interners {
  strings: boolean;
  byName: Map<string, ByteInterner>;
}

function internerFor(interners: Interners | undefined, name: string): () => ByteInterner {
  if (!interners) return () => new ByteInterner();
  return () => {
    let interner = interners.byName.get(name);
    if (!interner) interners.byName.set(name, (interner = new ByteInterner(interners.strings)));
    return interner;
  };
}

/** A read's string columns given their interners' final dictionaries (as strings, or as UTF-8). */
function finishDictionaries(frame: Frame, interners: Interners): Frame {
  for (const [name, interner] of interners.byName) {
    const column = frame.columns[name];
    if (column?.kind !== 'string') continue;
    if (interner.strings) column.dictionary = interner.dictionary;
    else {
      column.dictionary = [];
      column.utf8 = interner.utf8();
    }
  }
  return frame;
}

/** Arrow via the C data interface over wasm memory (half the time and memory of IPC, BROWSER.md); IPC if the
 * FFI view cannot be used (sliced arrays, which arrow-js-ffi does not handle). */
function tableToFrame(table: pw.Table, file: string, footer: ParquetSchema, wanted: string[] | null, checkRows = true, interners?: Interners): Frame {
  let arrow: ArrowTable | null = null;
  let ffi: pw.FFIStream | null = null;
  try {
    ffi = table.toFFI();
    // Views on wasm memory (copy = false): valid until the next wasm allocation, so convert before anything else.
    arrow = parseTable(pw.wasmMemory().buffer, ffi.arrayAddrs(), ffi.schemaAddr(), false);
    if (!allOffsetsZero(arrow)) arrow = null;
    if (arrow) return arrowToFrame(arrow, file, footer, wanted, checkRows, interners);
  } catch (error) {
    if (error instanceof InputError) throw error;
    arrow = null;
  } finally {
    ffi?.free();
  }
  try {
    arrow = tableFromIPC(table.intoIPCStream());
  } catch (error) {
    throw fail(file, `cannot read parquet: ${reasonOf(error)}`);
  }
  return arrowToFrame(arrow, file, footer, wanted, checkRows, interners);
}

function allOffsetsZero(table: ArrowTable): boolean {
  const check = (data: Data): boolean => data.offset === 0 && data.children.every(check);
  return table.batches.every((b) => b.data.children.every(check));
}

function arrowToFrame(table: ArrowTable, file: string, footer: ParquetSchema, wanted: string[] | null, checkRows = true, interners?: Interners): Frame {
  if (checkRows && table.numRows !== footer.rowCount)
    throw fail(file, `cannot read parquet: the footer says ${footer.rowCount} rows but ${table.numRows} were decoded; the file is corrupt`);
  const names: string[] = [];
  const columns: Record<string, Column> = {};
  const unsupported: { name: string; type: string }[] = [];
  table.schema.fields.forEach((field, index) => {
    const name = field.name;
    if (wanted && !wanted.includes(name)) return;
    if (Object.prototype.hasOwnProperty.call(columns, name)) return; // a repeated name: the first one wins
    const chunks = table.batches.map((b) => b.data.children[index]);
    let column: Column | null;
    try {
      column = convertColumn(field.type, chunks, table.numRows, internerFor(interners, name));
    } catch (error) {
      throw fail(file, `cannot read column ${name}: ${reasonOf(error)}`, name);
    }
    if (column === null) {
      if (wanted) unsupported.push({ name, type: arrowTypeName(field.type) });
      return;
    }
    names.push(name);
    columns[name] = column;
  });
  if (unsupported.length > 0) throw unsupportedError(file, unsupported);
  return { length: table.numRows, names, columns };
}

export function arrowTypeName(type: DataType): string {
  switch (type.typeId) {
    case Type.Timestamp: {
      const t = type as Timestamp;
      return `timestamp[${['s', 'ms', 'us', 'ns'][t.unit]}${t.timezone ? `, ${t.timezone}` : ''}]`;
    }
    case Type.List:
    case Type.LargeList:
    case Type.FixedSizeList:
      return 'list';
    case Type.Struct:
      return 'struct';
    case Type.Map:
      return 'map';
    default:
      return String(type).toLowerCase();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Arrow chunks → Frame columns

type AnyData = Data<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function validBitmap(data: AnyData): Uint8Array | null {
  const bitmap = data.nullBitmap as Uint8Array | undefined;
  if (!bitmap || bitmap.length === 0 || data.nullCount === 0) return null;
  return bitmap;
}

const isNull = (bitmap: Uint8Array | null, i: number): boolean => bitmap !== null && ((bitmap[i >> 3] >> (i & 7)) & 1) === 0;

/** Returns null for a type that has no Frame column (nested, fixed binary, times, intervals, durations). */
function convertColumn(type: DataType, chunks: AnyData[], rows: number, interner: () => ByteInterner = () => new ByteInterner()): Column | null {
  switch (type.typeId) {
    case Type.Float: {
      const precision = (type as Float).precision;
      const values = precision === 2 ? new Float64Array(rows) : new Float32Array(rows);
      let at = 0;
      for (const data of chunks) {
        const src = data.values as Float32Array | Float64Array | Uint16Array;
        const bitmap = validBitmap(data);
        if (precision === 0) for (let i = 0; i < data.length; i++) values[at + i] = float16ToNumber((src as Uint16Array)[i]);
        else values.set(src.subarray(0, data.length) as Float32Array & Float64Array, at);
        if (bitmap) for (let i = 0; i < data.length; i++) if (isNull(bitmap, i)) values[at + i] = NaN;
        at += data.length;
      }
      return { kind: 'number', type: precision === 2 ? 'float64' : 'float32', values };
    }
    case Type.Int: {
      const t = type as Int;
      const values = new Float64Array(rows);
      let at = 0;
      for (const data of chunks) {
        const bitmap = validBitmap(data);
        if (t.bitWidth === 64) {
          const words = int32Words(data.values as BigInt64Array | BigUint64Array, data.length);
          for (let i = 0; i < data.length; i++) {
            const lo = words[2 * i] >>> 0;
            const hi = t.isSigned ? words[2 * i + 1] : words[2 * i + 1] >>> 0;
            values[at + i] = hi * 4294967296 + lo;
          }
        } else {
          const src = data.values as Int32Array;
          for (let i = 0; i < data.length; i++) values[at + i] = src[i];
        }
        if (bitmap) for (let i = 0; i < data.length; i++) if (isNull(bitmap, i)) values[at + i] = NaN;
        at += data.length;
      }
      const typeName = `${t.isSigned ? 'int' : 'uint'}${t.bitWidth}` as NumericType;
      return { kind: 'number', type: typeName, values } satisfies NumericColumn;
    }
    case Type.Decimal: {
      const t = type as Decimal;
      const stride = t.bitWidth / 32;
      const divisor = 10 ** t.scale;
      const values = new Float64Array(rows);
      let at = 0;
      for (const data of chunks) {
        const bitmap = validBitmap(data);
        // arrow-js-ffi's zero-copy view holds `length` words instead of `length × stride`: view the buffer ourselves
        const raw = data.values as Uint32Array;
        const words = new Uint32Array(raw.buffer, raw.byteOffset, data.length * stride);
        for (let i = 0; i < data.length; i++) {
          // two's complement: all words unsigned except the top one, which carries the sign
          let v = words[i * stride + stride - 1] | 0;
          for (let w = stride - 2; w >= 0; w--) v = v * 4294967296 + words[i * stride + w];
          values[at + i] = isNull(bitmap, i) ? NaN : v / divisor;
        }
        at += data.length;
      }
      return { kind: 'number', type: 'float64', values };
    }
    case Type.Bool: {
      const values = new Uint8Array(rows);
      let at = 0;
      for (const data of chunks) {
        const bitmap = validBitmap(data);
        const bits = data.values as Uint8Array;
        for (let i = 0; i < data.length; i++) values[at + i] = isNull(bitmap, i) ? 255 : (bits[i >> 3] >> (i & 7)) & 1;
        at += data.length;
      }
      return { kind: 'bool', values };
    }
    case Type.Timestamp: {
      const unit = (type as Timestamp).unit;
      const micros = new Float64Array(rows);
      let at = 0;
      for (const data of chunks) {
        const bitmap = validBitmap(data);
        const words = int32Words(data.values as BigInt64Array, data.length);
        for (let i = 0; i < data.length; i++) {
          micros[at + i] = isNull(bitmap, i) ? NaN : int64ToMicros(words[2 * i + 1], words[2 * i] >>> 0, unit);
        }
        at += data.length;
      }
      return { kind: 'timestamp', micros };
    }
    case Type.Date: {
      const unit = (type as Date_).unit; // 0 days (int32), 1 milliseconds (int64)
      const codes = new Int32Array(rows);
      const dictionary: string[] = [];
      const codeByDay = new Map<number, number>();
      let at = 0;
      for (const data of chunks) {
        const bitmap = validBitmap(data);
        const words = unit === 1 ? int32Words(data.values as BigInt64Array, data.length) : null;
        const days = data.values as Int32Array;
        for (let i = 0; i < data.length; i++) {
          if (isNull(bitmap, i)) {
            codes[at + i] = -1;
            continue;
          }
          const day = words ? Math.floor((words[2 * i + 1] * 4294967296 + (words[2 * i] >>> 0)) / 86400000) : days[i];
          let code = codeByDay.get(day);
          if (code === undefined) {
            code = dictionary.length;
            codeByDay.set(day, code);
            dictionary.push(new Date(day * 86400000).toISOString().slice(0, 10));
          }
          codes[at + i] = code;
        }
        at += data.length;
      }
      return { kind: 'string', codes, dictionary };
    }
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Binary:
    case Type.LargeBinary: {
      const strings = interner();
      const codes = new Int32Array(rows);
      let at = 0;
      for (const data of chunks) {
        internChunk(data, strings, codes, at);
        at += data.length;
      }
      return { kind: 'string', codes, dictionary: strings.dictionary };
    }
    case Type.Dictionary: {
      const t = type as Dictionary;
      const valueType = t.dictionary.typeId;
      if (![Type.Utf8, Type.LargeUtf8, Type.Binary, Type.LargeBinary].includes(valueType)) return null;
      const strings = interner();
      const codes = new Int32Array(rows);
      let at = 0;
      for (const data of chunks) {
        // The dictionary is interned once per chunk; rows map through it (no string per row).
        const dictVector = data.dictionary!;
        const local: number[] = [];
        for (const d of dictVector.data) {
          const tmp = new Int32Array(d.length);
          internChunk(d, strings, tmp, 0);
          for (let i = 0; i < tmp.length; i++) local.push(tmp[i]);
        }
        const map = Int32Array.from(local);
        const bitmap = validBitmap(data);
        const indices = data.values as Int32Array | BigInt64Array;
        const wide = (t.indices.bitWidth as number) === 64;
        const words = wide ? int32Words(indices as BigInt64Array, data.length) : null;
        for (let i = 0; i < data.length; i++) {
          if (isNull(bitmap, i)) {
            codes[at + i] = -1;
            continue;
          }
          const index = words ? words[2 * i] : (indices as Int32Array)[i];
          if (index < 0 || index >= map.length) throw new Error(`dictionary index ${index} out of range`);
          codes[at + i] = map[index];
        }
        at += data.length;
      }
      return { kind: 'string', codes, dictionary: strings.dictionary };
    }
    case Type.Null:
      return { kind: 'number', type: 'float64', values: new Float64Array(rows).fill(NaN) };
    default:
      return null;
  }
}

function int32Words(values: BigInt64Array | BigUint64Array, length: number): Int32Array {
  return new Int32Array(values.buffer, values.byteOffset, length * 2);
}

/** Exact floor of an int64 (hi, lo) timestamp to microseconds; the result is below 2^53 for any real date. */
function int64ToMicros(hi: number, lo: number, unit: number): number {
  switch (unit) {
    case 0:
      return (hi * 4294967296 + lo) * 1e6;
    case 1:
      return (hi * 4294967296 + lo) * 1e3;
    case 2:
      return hi * 4294967296 + lo;
    default: {
      // nanoseconds exceed 2^53; split hi = 1000a + b so every partial product stays exact
      const a = Math.floor(hi / 1000);
      const b = hi - a * 1000;
      return a * 4294967296 + Math.floor((b * 4294967296 + lo) / 1000);
    }
  }
}

function float16ToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function internChunk(data: AnyData, interner: ByteInterner, codes: Int32Array, at: number): void {
  const bitmap = validBitmap(data);
  const bytes = data.values as Uint8Array;
  const rawOffsets = data.valueOffsets as Int32Array | BigInt64Array;
  const offsets: ArrayLike<number> =
    rawOffsets instanceof BigInt64Array ? Float64Array.from(rawOffsets, (v) => Number(v)) : (rawOffsets as Int32Array);
  for (let i = 0; i < data.length; i++) {
    codes[at + i] = isNull(bitmap, i) ? -1 : interner.intern(bytes, offsets[i], offsets[i + 1]);
  }
}

/**
 * Deduplicates strings by their UTF-8 bytes: each distinct value is decoded once, so a million-row symbol column
 * costs a hash per row and a handful of strings. Without `strings`, no string is made at all: the distinct values
 * stay UTF-8 (`utf8()`), for a decode worker whose heap would otherwise hold a million sample ids that only the
 * thread it hands the frame to reads (`ReadParquetOptions.utf8Dictionaries`).
 */
class ByteInterner {
  readonly dictionary: string[] = [];
  /** Distinct values so far. */
  count = 0;
  private slots = new Int32Array(1024).fill(-1);
  // per distinct value: its hash and its bytes' start in `pool` (typed, grown by doubling: no JS array per value)
  private hashes = new Int32Array(1024);
  private starts = new Int32Array(1025);
  private pool = new Uint8Array(4096);
  private poolUsed = 0;

  constructor(readonly strings = true) {}

  intern(bytes: Uint8Array, start: number, end: number): number {
    // an int32, as `hashes` holds it (the empty value's hash is the seed itself)
    const h = hashBytes(bytes, start, end);
    const mask = this.slots.length - 1;
    let slot = (h >>> 0) & mask;
    for (;;) {
      const code = this.slots[slot];
      if (code === -1) break;
      if (this.hashes[code] === h && this.equals(code, bytes, start, end)) return code;
      slot = (slot + 1) & mask;
    }
    const code = this.count++;
    if (this.strings) this.dictionary.push(decodeUtf8(bytes, start, end));
    if (code >= this.hashes.length) this.hashes = grown(this.hashes, this.hashes.length * 2);
    this.hashes[code] = h;
    this.store(bytes, start, end);
    this.slots[slot] = code;
    if (this.count * 2 > this.slots.length) this.grow();
    return code;
  }

  /** The distinct values as UTF-8, in code order (copies; the interner is then done with). */
  utf8(): Utf8List {
    const list = { bytes: this.pool.slice(0, this.poolUsed), offsets: this.starts.slice(0, this.count + 1) };
    release(this.pool, this.starts, this.hashes, this.slots);
    return list;
  }

  private equals(code: number, bytes: Uint8Array, start: number, end: number): boolean {
    const s = this.starts[code];
    const length = this.starts[code + 1] - s;
    if (length !== end - start) return false;
    for (let i = 0; i < length; i++) if (this.pool[s + i] !== bytes[start + i]) return false;
    return true;
  }

  private store(bytes: Uint8Array, start: number, end: number): void {
    const length = end - start;
    if (this.poolUsed + length > this.pool.length) this.pool = grown(this.pool, Math.max(this.pool.length * 2, this.poolUsed + length));
    this.pool.set(bytes.subarray(start, end), this.poolUsed);
    this.poolUsed += length;
    // starts[code + 1] is where the next value begins: the end of this one
    if (this.count + 1 > this.starts.length - 1) this.starts = grown(this.starts, this.starts.length * 2);
    this.starts[this.count] = this.poolUsed;
  }

  private grow(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = slots.length - 1;
    for (let code = 0; code < this.count; code++) {
      let slot = (this.hashes[code] >>> 0) & mask;
      while (slots[slot] !== -1) slot = (slot + 1) & mask;
      slots[slot] = code;
    }
    release(this.slots);
    this.slots = slots;
  }
}

/** `array` copied into a new one of `length` elements (the old one freed). */
function grown<T extends Int32Array | Uint8Array>(array: T, length: number): T {
  const bigger = new (array.constructor as new (n: number) => T)(length);
  bigger.set(array);
  release(array);
  return bigger;
}

/**
 * Makes the strings of the dictionaries a decode worker sent as UTF-8 (`utf8Dictionaries`), in place, and frees
 * the bytes: the frame is then an ordinary one, but for the columns in `keepUtf8` (whose reader takes UTF-8).
 */
export function materializeDictionaries(frame: Frame, keepUtf8: ReadonlySet<string> = new Set()): Frame {
  for (const name of frame.names) {
    const column = frame.columns[name];
    if (column.kind !== 'string' || !column.utf8 || keepUtf8.has(name)) continue;
    const { bytes, offsets } = column.utf8;
    const dictionary: string[] = new Array(offsets.length - 1);
    for (let d = 0; d < dictionary.length; d++) dictionary[d] = decodeUtf8(bytes, offsets[d], offsets[d + 1]);
    column.dictionary = dictionary;
    delete column.utf8;
    release(bytes, offsets);
  }
  return frame;
}

// ---------------------------------------------------------------------------------------------------------------
// Frame → parquet

export interface WriteParquetOptions {
  /** Rows per row group (default WRITE_ROW_GROUP_ROWS, 65,536). */
  rowGroupSize?: number;
}

/**
 * Writes a Frame as a snappy parquet file, with the seed's type mapping (io_utils.write_parquet): float32 → FLOAT,
 * float64 → DOUBLE, int8/int64 (and the other integer widths) → INT, strings → UTF8, timestamps →
 * TIMESTAMP(isAdjustedToUTC=true, MICROS), booleans → BOOLEAN. NaN in float columns and in integer columns is
 * written as null, as pyarrow's from_pandas does (the seed's outputs have it).
 */
export function writeParquet(frame: Frame, options: WriteParquetOptions = {}): Uint8Array {
  const { schema, children } = arrowColumns(frame, 0, frame.length);
  const batchData = makeData({ type: new Struct(schema.fields), length: frame.length, nullCount: 0, children });
  const ipc = tableToIPC(new ArrowTable(schema, [new RecordBatch(schema, batchData)]), 'stream');
  const wasmTable = pw.Table.fromIPCStream(ipc);
  return pw.writeParquet(wasmTable, writerProperties(frame, options));
}

/**
 * Rows per row group written. The writer holds a whole row group in its wasm memory (which never shrinks, and
 * stays through the plots that follow the artifacts) before flushing it: a million-row group of the L run's 52
 * columns grew it by some hundreds of MB. DuckDB's 122,880 rows, as in the seed's files, grew it to 106 MB in the
 * page on L; 65,536 rows (one slice) to 65 MB; 32,768 rows took the artifacts' peak from 786 to 735 MB (one run
 * each). Readers see the same table either way.
 */
export const WRITE_ROW_GROUP_ROWS = 32_768;

/** Rows per slice handed to the streaming writer (a multiple of the writer's 1024-row mini-batches). */
export const WRITE_SLICE_ROWS = 32_768;

/** A written parquet file: its bytes as a Blob, and their SHA-256 when asked for. */
export interface WrittenParquet {
  blob: Blob;
  sha256: string | null;
}

/**
 * `writeParquet`'s bytes, as a Blob. A large frame goes to the wasm writer in slices of `WRITE_SLICE_ROWS` rows
 * (each slice is encoded into the open row group as it arrives), so neither a whole-frame Arrow IPC copy in JS
 * nor a whole-frame Arrow table in wasm memory (which never shrinks) is made; each piece the writer gives back
 * becomes a Blob of its own at once (hashed first when `sha256` is asked for), so the file is never joined into
 * one buffer either: on L, the train parquet (153 MB) no longer stands in the page's memory two or three times
 * over (pieces, their join, WebCrypto's copy for the hash).
 */
export async function writeParquetStreamed(frame: Frame, options: WriteParquetOptions & { sliceRows?: number; sha256?: boolean } = {}): Promise<WrittenParquet> {
  const sliceRows = options.sliceRows ?? WRITE_SLICE_ROWS;
  const hash = options.sha256 ? await newSha256() : null;
  const parts: Blob[] = [];
  const take = (chunk: Uint8Array) => {
    hash?.update(chunk);
    // the Blob holds a copy: the writer's piece is freed now, not at the next collection (on L the pieces piled
    // up by ~100 MB between collections while the artifacts were written)
    parts.push(new Blob([chunk as Uint8Array<ArrayBuffer>]));
    release(chunk);
  };
  if (frame.length <= sliceRows) {
    take(writeParquet(frame, options));
    return { blob: new Blob(parts), sha256: hash?.digest('hex') ?? null };
  }
  const encoded = new Map<string, EncodedDictionary>();
  for (const name of frame.names) {
    const column = frame.columns[name];
    if (column.kind === 'string') encoded.set(name, column.utf8 ? { pool: column.utf8.bytes, start: column.utf8.offsets, shared: true } : encodeDictionary(column.dictionary));
  }
  const batches = frameSlices(frame, sliceRows, encoded);
  const bytes = (await pw.transformParquetStream(batches, writerProperties(frame, options))) as ReadableStream<Uint8Array>;
  const reader = bytes.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    take(value);
  }
  for (const { pool, start, shared } of encoded.values()) if (!shared) release(pool, start);
  return { blob: new Blob(parts), sha256: hash?.digest('hex') ?? null };
}

/**
 * The frame as the writer's input: one record batch of `sliceRows` rows per read, made in wasm memory only when the
 * writer asks for it (high-water mark 0). With the default mark of one, the stream made the next slice while the
 * writer still encoded the previous one, so two slices stood in wasm memory, which never shrinks: writing L's
 * state frame grew it to 150 MB instead of 119 MB, for the same bytes.
 */
export function frameSlices(frame: Frame, sliceRows: number, encoded: Map<string, EncodedDictionary>): ReadableStream<pw.RecordBatch> {
  const own = new Set(frameBuffers(frame));
  let start = 0;
  return new ReadableStream<pw.RecordBatch>(
    {
      pull(controller) {
        if (start >= frame.length) {
          controller.close();
          return;
        }
        const length = Math.min(sliceRows, frame.length - start);
        const { schema, children } = arrowColumns(frame, start, length, encoded);
        const batchData = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children });
        const ipc = tableToIPC(new ArrowTable(schema, [new RecordBatch(schema, batchData)]), 'stream');
        const table = pw.Table.fromIPCStream(ipc);
        // the slice now lives in wasm memory: its IPC bytes (a whole slice's copy) are freed, and so are the arrays
        // made for this slice alone (gathers, conversions, null bitmaps, string bytes: ~15 MB a slice on L, left to
        // the collector they piled up over a file's slices), never the frame's own
        release(ipc);
        for (const data of children) {
          for (const array of [data.values, data.nullBitmap, data.valueOffsets] as (ArrayBufferView | undefined)[]) {
            if (array && !own.has(array.buffer as ArrayBuffer)) release(array);
          }
        }
        try {
          for (const batch of table.recordBatches()) controller.enqueue(batch);
        } finally {
          table.free();
        }
        start += length;
      },
    },
    { highWaterMark: 0 },
  );
}

function arrowColumns(frame: Frame, start: number, length: number, encoded?: Map<string, EncodedDictionary>): { schema: Schema; children: AnyData[] } {
  const fields: Field[] = [];
  const children: AnyData[] = [];
  for (const name of frame.names) {
    const data = columnToArrow(frame.columns[name], length, start, encoded?.get(name));
    fields.push(new Field(name, data.type, true));
    children.push(data);
  }
  return { schema: new Schema(fields), children };
}

function writerProperties(frame: Frame, options: WriteParquetOptions): pw.WriterProperties {
  // Dictionary encoding only for strings: on float columns the writer's dictionary attempt costs ~0.4 s per
  // million rows and is then abandoned anyway (measured: 1M × 10 float32, 4.3 s with, 0.5 s without).
  let builder = new pw.WriterPropertiesBuilder()
    .setCompression(pw.Compression.SNAPPY)
    .setDictionaryEnabled(false)
    .setStatisticsEnabled(pw.EnabledStatistics.Chunk)
    .setMaxRowGroupSize(options.rowGroupSize ?? WRITE_ROW_GROUP_ROWS);
  for (const name of frame.names) if (frame.columns[name].kind === 'string') builder = builder.setColumnDictionaryEnabled(name, true);
  return builder.build();
}

/** Validity bitmap (1 = present) of a number column whose nulls are NaN; one loop per array type, no callback. */
function nanBitmap(v: Float32Array | Float64Array, length: number): { bitmap: Uint8Array | undefined; nullCount: number } {
  let nullCount = 0;
  for (let i = 0; i < length; i++) if (v[i] !== v[i]) nullCount++;
  if (nullCount === 0) return { bitmap: undefined, nullCount };
  const bitmap = new Uint8Array((length + 7) >> 3);
  for (let i = 0; i < length; i++) if (v[i] === v[i]) bitmap[i >> 3] |= 1 << (i & 7);
  return { bitmap, nullCount };
}

function codeBitmap(codes: Int32Array | Uint8Array, length: number, nullCode: number): { bitmap: Uint8Array | undefined; nullCount: number } {
  let nullCount = 0;
  for (let i = 0; i < length; i++) if (codes[i] === nullCode || codes[i] < 0) nullCount++;
  if (nullCount === 0) return { bitmap: undefined, nullCount };
  const bitmap = new Uint8Array((length + 7) >> 3);
  for (let i = 0; i < length; i++) if (!(codes[i] === nullCode || codes[i] < 0)) bitmap[i >> 3] |= 1 << (i & 7);
  return { bitmap, nullCount };
}

/** Rows [start, start + length) of a column as Arrow data (views where the types allow, no copy). */
function columnToArrow(column: Column, length: number, start = 0, encoded?: EncodedDictionary): AnyData {
  switch (column.kind) {
    case 'indexed':
      // gathered a slice at a time (the writer's slices), never whole
      return columnToArrow({ kind: 'number', type: column.type, values: numericSlice(column, start, start + length) }, length);
    case 'number': {
      const v = start === 0 && column.values.length === length ? column.values : column.values.subarray(start, start + length);
      const { bitmap: nullBitmap, nullCount } = nanBitmap(v, length);
      switch (column.type) {
        case 'float32':
          return makeData({ type: new ArrowFloat32(), length, nullCount, nullBitmap, data: v instanceof Float32Array ? v : typedCopy(Float32Array, v, length) });
        case 'float64':
          return makeData({ type: new ArrowFloat64(), length, nullCount, nullBitmap, data: v instanceof Float64Array ? v : typedCopy(Float64Array, v, length) });
        case 'int8':
          return makeData({ type: new ArrowInt8(), length, nullCount, nullBitmap, data: typedCopy(Int8Array, v, length, zeroNaN) });
        case 'int16':
          return makeData({ type: new ArrowInt16(), length, nullCount, nullBitmap, data: typedCopy(Int16Array, v, length, zeroNaN) });
        case 'int32':
          return makeData({ type: new ArrowInt32(), length, nullCount, nullBitmap, data: typedCopy(Int32Array, v, length, zeroNaN) });
        case 'uint8':
          return makeData({ type: new ArrowUint8(), length, nullCount, nullBitmap, data: typedCopy(Uint8Array, v, length, zeroNaN) });
        case 'uint16':
          return makeData({ type: new ArrowUint16(), length, nullCount, nullBitmap, data: typedCopy(Uint16Array, v, length, zeroNaN) });
        case 'uint32':
          return makeData({ type: new ArrowUint32(), length, nullCount, nullBitmap, data: typedCopy(Uint32Array, v, length, zeroNaN) });
        case 'int64':
          return makeData({ type: new ArrowInt64(), length, nullCount, nullBitmap, data: toInt64(v, length, false) as BigInt64Array });
        case 'uint64':
          return makeData({ type: new ArrowUint64(), length, nullCount, nullBitmap, data: toInt64(v, length, true) as BigUint64Array });
      }
      throw new Error(`writeParquet: unknown numeric type ${String((column as NumericColumn).type)}`);
    }
    case 'timestamp': {
      const v = column.micros.subarray(start, start + length);
      const { bitmap: nullBitmap, nullCount } = nanBitmap(v, length);
      return makeData({ type: new TimestampMicrosecond('UTC'), length, nullCount, nullBitmap, data: toInt64(v, length, false) as BigInt64Array });
    }
    case 'bool': {
      const v = column.values.subarray(start, start + length);
      const { bitmap: nullBitmap, nullCount } = codeBitmap(v, length, 255);
      const bits = new Uint8Array((length + 7) >> 3);
      for (let i = 0; i < length; i++) if (v[i] === 1) bits[i >> 3] |= 1 << (i & 7);
      return makeData({ type: new Bool(), length, nullCount, nullBitmap, data: bits });
    }
    case 'string': {
      // Each dictionary entry is encoded once into one pool, then rows copy their entry's bytes (short strings
      // byte by byte: a typed-array set() per row costs more than the copy).
      const { pool, start: entryStart } = encoded ?? (column.utf8 ? { pool: column.utf8.bytes, start: column.utf8.offsets } : encodeDictionary(column.dictionary));
      const codes = column.codes.subarray(start, start + length);
      let total = 0;
      for (let i = 0; i < length; i++) {
        const code = codes[i];
        if (code >= 0) total += entryStart[code + 1] - entryStart[code];
      }
      const bytes = new Uint8Array(total);
      const offsets = new Int32Array(length + 1);
      let at = 0;
      for (let i = 0; i < length; i++) {
        const code = codes[i];
        if (code >= 0) {
          const from = entryStart[code];
          const end = entryStart[code + 1];
          if (end - from <= 32) for (let k = from; k < end; k++) bytes[at++] = pool[k];
          else {
            bytes.set(pool.subarray(from, end), at);
            at += end - from;
          }
        }
        offsets[i + 1] = at;
      }
      const { bitmap: nullBitmap, nullCount } = codeBitmap(codes, length, -1);
      return makeData({ type: new Utf8(), length, nullCount, nullBitmap, valueOffsets: offsets, data: bytes });
    }
  }
}

interface EncodedDictionary {
  pool: Uint8Array;
  start: Int32Array;
  /** The column's own UTF-8 dictionary (`StringColumn.utf8`), not a copy made for the write: not freed after it. */
  shared?: boolean;
}

/** UTF-8 of every entry, back to back: entry d is pool[start[d], start[d + 1]). ASCII is copied directly. */
function encodeDictionary(dictionary: string[]): EncodedDictionary {
  const start = new Int32Array(dictionary.length + 1);
  // the pool is sized to the bytes written (3 bytes per UTF-16 unit, the bound, was 54 MB for L's 900,000 sample
  // ids, 18 MB of them used)
  let capacity = 0;
  for (let d = 0; d < dictionary.length; d++) capacity += utf8Length(dictionary[d]);
  const pool = new Uint8Array(capacity);
  const encoder = new TextEncoder();
  let at = 0;
  for (let d = 0; d < dictionary.length; d++) {
    const s = dictionary[d];
    start[d] = at;
    let ascii = true;
    for (let k = 0; k < s.length; k++) {
      const c = s.charCodeAt(k);
      if (c >= 0x80) {
        ascii = false;
        break;
      }
      pool[at + k] = c;
    }
    if (ascii) at += s.length;
    else at += encoder.encodeInto(s, pool.subarray(at)).written;
  }
  start[dictionary.length] = at;
  return { pool, start };
}

/** Bytes of `s` in UTF-8 as TextEncoder writes it (a lone surrogate becomes U+FFFD, 3 bytes). */
function utf8Length(s: string): number {
  let bytes = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && k + 1 < s.length && (s.charCodeAt(k + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      k++;
    } else bytes += 3;
  }
  return bytes;
}

function zeroNaN(x: number): number {
  return Number.isNaN(x) ? 0 : x;
}

/** Float64 integers (< 2^53) to int64 words without a BigInt per row. */
function toInt64(values: ArrayLike<number>, length: number, unsigned: boolean): BigInt64Array | BigUint64Array {
  const out = unsigned ? new BigUint64Array(length) : new BigInt64Array(length);
  const words = new Uint32Array(out.buffer);
  for (let i = 0; i < length; i++) {
    const x = values[i];
    if (Number.isNaN(x)) continue;
    const v = Math.trunc(x);
    const hi = Math.floor(v / 4294967296);
    words[2 * i] = v - hi * 4294967296;
    words[2 * i + 1] = hi >>> 0;
  }
  return out;
}
