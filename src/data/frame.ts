/**
 * Columnar frames: the one in-memory shape of every table in the workbench (parquet in, artifacts out).
 * No object per row: each column is a typed array. Strings are dictionary-coded (codes index `dictionary`),
 * which makes joins and group-bys integer work and keeps million-row frames small.
 */

export type NumericType = 'float32' | 'float64' | 'int8' | 'int16' | 'int32' | 'int64' | 'uint8' | 'uint16' | 'uint32' | 'uint64';

/** Numbers. Nulls are NaN (pandas' semantics after pyarrow's to_pandas: an integer column with nulls becomes float64).
 * int64 values are held as float64: exact up to 2^53, which covers epoch milliseconds and microseconds. */
export interface NumericColumn {
  kind: 'number';
  type: NumericType;
  values: Float32Array | Float64Array;
}

/** Strings, dictionary-coded. code -1 is null. The dictionary need not be sorted nor minimal. */
export interface StringColumn {
  kind: 'string';
  codes: Int32Array;
  dictionary: string[];
  /**
   * Only on a frame coming from a decode worker (`ReadParquetOptions.utf8Dictionaries`): the dictionary as UTF-8,
   * entry d is `bytes[offsets[d]..offsets[d + 1]]`, with `dictionary` empty until `materializeDictionaries` makes
   * its strings in the thread that reads them.
   */
  utf8?: Utf8List;
}

/** Strings as UTF-8 bytes end to end: entry d is `bytes[offsets[d]..offsets[d + 1]]`. */
export interface Utf8List {
  bytes: Uint8Array;
  offsets: Int32Array;
}

/** Timestamps as UTC epoch microseconds (any parquet unit is converted; sub-microsecond digits are floored). NaN is null. */
export interface TimestampColumn {
  kind: 'timestamp';
  micros: Float64Array;
}

/** Booleans: 0 false, 1 true, 255 null. */
export interface BoolColumn {
  kind: 'bool';
  values: Uint8Array;
}

/**
 * Numbers read through a row index: row i is `source[index[i]]`. A gather not made: the state frame's 32 market
 * columns are the feature frame's own arrays read by feature row (115 MB on L that a copy would hold from the state
 * frame to the end of the run). `numericSlice` and `plainNumeric` give plain values where a consumer needs them.
 */
export interface IndexedNumberColumn {
  kind: 'indexed';
  type: NumericType;
  source: Float32Array | Float64Array;
  index: Int32Array;
}

export type Column = NumericColumn | StringColumn | TimestampColumn | BoolColumn | IndexedNumberColumn;

export interface Frame {
  readonly length: number;
  /** Column names in file order. */
  readonly names: string[];
  readonly columns: Record<string, Column>;
}

export const NULL_CODE = -1;
export const BOOL_NULL = 255;

export function makeFrame(names: string[], columns: Record<string, Column>): Frame {
  let length = -1;
  for (const name of names) {
    const column = columns[name];
    if (!column) throw new Error(`frame: column ${name} is listed but has no data`);
    const n = columnLength(column);
    if (length === -1) length = n;
    else if (n !== length) throw new Error(`frame: column ${name} has ${n} rows, expected ${length}`);
  }
  return { length: Math.max(length, 0), names: [...names], columns };
}

/** The ArrayBuffers behind a Frame's columns, each once (to move the frame to another worker, or to tell its own
 * arrays from copies). */
export function frameBuffers(frame: Frame): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const column of Object.values(frame.columns)) {
    const arrays = column.kind === 'string' ? [column.codes, ...(column.utf8 ? [column.utf8.bytes, column.utf8.offsets] : [])] : column.kind === 'timestamp' ? [column.micros] : column.kind === 'indexed' ? [column.source, column.index] : [column.values];
    for (const a of arrays) if (a.buffer instanceof ArrayBuffer && a.byteLength > 0) buffers.add(a.buffer);
  }
  return [...buffers];
}

export function columnLength(column: Column): number {
  switch (column.kind) {
    case 'number':
      return column.values.length;
    case 'string':
      return column.codes.length;
    case 'timestamp':
      return column.micros.length;
    case 'bool':
      return column.values.length;
    case 'indexed':
      return column.index.length;
  }
}

/** Rows [start, end) of a numeric column (plain or indexed) as a typed array of its own storage type: a view of a
 * plain column, a gather of an indexed one. */
export function numericSlice(column: NumericColumn | IndexedNumberColumn, start = 0, end = columnLength(column)): Float32Array | Float64Array {
  if (column.kind === 'number') return start === 0 && end === column.values.length ? column.values : column.values.subarray(start, end);
  const { source, index } = column;
  const out = source instanceof Float32Array ? new Float32Array(end - start) : new Float64Array(end - start);
  for (let i = start; i < end; i++) out[i - start] = source[index[i]];
  return out;
}

/** A numeric column (plain or indexed) with its values made plain (indexed ones gathered). */
export function plainNumeric(column: NumericColumn | IndexedNumberColumn): NumericColumn {
  return column.kind === 'number' ? column : { kind: 'number', type: column.type, values: numericSlice(column) };
}

export function stringAt(column: StringColumn, row: number): string | null {
  const code = column.codes[row];
  return code < 0 ? null : column.dictionary[code];
}

/** The string dictionary code of `value`, or -1 when the column never holds it. */
export function codeOf(column: StringColumn, value: string): number {
  return column.dictionary.indexOf(value);
}

/** Take rows by index (a gather) from every column; indexed columns that share an index share the taken one. */
export function takeRows(frame: Frame, rows: Int32Array | Uint32Array | number[]): Frame {
  const columns: Record<string, Column> = {};
  const takenIndex = new Map<Int32Array, Int32Array>();
  for (const name of frame.names) {
    const column = frame.columns[name];
    if (column.kind === 'indexed') {
      let index = takenIndex.get(column.index);
      if (!index) {
        index = (takeColumn(column, rows) as IndexedNumberColumn).index;
        takenIndex.set(column.index, index);
      }
      columns[name] = { kind: 'indexed', type: column.type, source: column.source, index };
    } else columns[name] = takeColumn(column, rows);
  }
  return { length: rows.length, names: [...frame.names], columns };
}

export function takeColumn(column: Column, rows: ArrayLike<number>): Column {
  const n = rows.length;
  switch (column.kind) {
    case 'number': {
      const out = column.values instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
      const src = column.values;
      for (let i = 0; i < n; i++) out[i] = src[rows[i]];
      return { kind: 'number', type: column.type, values: out };
    }
    case 'string': {
      const out = new Int32Array(n);
      const src = column.codes;
      for (let i = 0; i < n; i++) out[i] = src[rows[i]];
      return { kind: 'string', codes: out, dictionary: column.dictionary, ...(column.utf8 ? { utf8: column.utf8 } : {}) };
    }
    case 'timestamp': {
      const out = new Float64Array(n);
      const src = column.micros;
      for (let i = 0; i < n; i++) out[i] = src[rows[i]];
      return { kind: 'timestamp', micros: out };
    }
    case 'bool': {
      const out = new Uint8Array(n);
      const src = column.values;
      for (let i = 0; i < n; i++) out[i] = src[rows[i]];
      return { kind: 'bool', values: out };
    }
    case 'indexed': {
      // the index is taken, the values stay where they are
      const out = new Int32Array(n);
      const src = column.index;
      for (let i = 0; i < n; i++) out[i] = src[rows[i]];
      return { kind: 'indexed', type: column.type, source: column.source, index: out };
    }
  }
}
