/**
 * Reads a parquet file's footer (Thrift compact protocol) in plain TypeScript: the row count and the top-level
 * schema, without touching the wasm decoder. Validation runs on every dropped file before any work, so it must
 * be cheap, synchronous and unable to crash the decoder (parquet-wasm panics on some malformed files).
 */

/** What a column can become in a Frame. 'unsupported' columns (nested, binary blobs, times, intervals) are skipped
 * unless asked for. */
export type ColumnKind = 'number' | 'string' | 'timestamp' | 'bool' | 'date' | 'unsupported';

export interface FooterColumn {
  name: string;
  /** Readable type, e.g. `float32`, `int64`, `string`, `timestamp[ms, UTC]`, `decimal(10,2)`, `list`. */
  type: string;
  kind: ColumnKind;
}

export interface ParquetFooter {
  rowCount: number;
  rowGroupCount: number;
  createdBy: string | null;
  columns: FooterColumn[];
}

/** Thrown for anything that is not a well-formed footer; parquet.ts turns it into an InputError naming the file. */
export class FooterError extends Error {}

const MAGIC = 0x31524150; // "PAR1" little-endian
const MAGIC_ENCRYPTED = 0x45524150; // "PARE"

export function readParquetFooter(bytes: Uint8Array): ParquetFooter {
  if (bytes.length < 12) throw new FooterError(`the file is ${bytes.length} bytes long, too short to be parquet`);
  const footerLength = checkEnvelope(bytes.subarray(0, 4), bytes.subarray(bytes.length - 8), bytes.length);
  return decodeFooter(bytes.subarray(bytes.length - 8 - footerLength, bytes.length - 8));
}

/**
 * Checks the parquet markers around a file of `size` bytes from its first 4 and last 8 bytes, and returns the
 * footer's length (so a caller holding a Blob reads only the footer, never the data).
 */
export function checkEnvelope(head: Uint8Array, tail: Uint8Array, size: number): number {
  if (size < 12 || head.length < 4 || tail.length < 8) throw new FooterError(`the file is ${size} bytes long, too short to be parquet`);
  const headMagic = new DataView(head.buffer, head.byteOffset, 4).getUint32(0, true);
  const tailView = new DataView(tail.buffer, tail.byteOffset, 8);
  const tailMagic = tailView.getUint32(4, true);
  if (tailMagic === MAGIC_ENCRYPTED) throw new FooterError('the file is an encrypted parquet file (encrypted footer), which is not supported');
  if (headMagic !== MAGIC) throw new FooterError('the file does not start with the parquet marker PAR1: it is not a parquet file');
  if (tailMagic !== MAGIC)
    throw new FooterError('the file does not end with the parquet marker PAR1: it is truncated or not a complete parquet file');
  const footerLength = tailView.getUint32(0, true);
  if (footerLength <= 0 || footerLength > size - 12)
    throw new FooterError(`the footer length ${footerLength} does not fit in a file of ${size} bytes: the file is truncated or corrupt`);
  return footerLength;
}

/** Decodes the Thrift FileMetaData (the bytes between the data and the trailing length + PAR1). */
export function decodeFooter(footer: Uint8Array): ParquetFooter {
  const reader = new CompactReader(footer);
  try {
    return decodeFileMetaData(reader);
  } catch (error) {
    if (error instanceof FooterError) throw error;
    throw new FooterError(`the footer cannot be decoded (${(error as Error).message}): the file is corrupt`);
  }
}

// ---- Thrift compact protocol, just enough to walk FileMetaData ----

const T_STOP = 0;
const T_TRUE = 1;
const T_FALSE = 2;
const T_BYTE = 3;
const T_I16 = 4;
const T_I32 = 5;
const T_I64 = 6;
const T_DOUBLE = 7;
const T_BINARY = 8;
const T_LIST = 9;
const T_SET = 10;
const T_MAP = 11;
const T_STRUCT = 12;

class CompactReader {
  pos = 0;
  private depth = 0;
  constructor(private readonly buf: Uint8Array) {}

  byte(): number {
    if (this.pos >= this.buf.length) throw new FooterError('the footer ends in the middle of a record: the file is truncated or corrupt');
    return this.buf[this.pos++];
  }

  /** Unsigned varint as a double (exact below 2^53, which covers every count and size in a footer). */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new FooterError('malformed varint in the footer');
  }

  zigzag(): number {
    const n = this.varint();
    // zigzag decode without 32-bit overflow: even → n/2, odd → -(n+1)/2
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  binary(): Uint8Array {
    const length = this.varint();
    if (length > this.buf.length - this.pos) throw new FooterError('a string in the footer runs past its end: the file is corrupt');
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  string(): string {
    return new TextDecoder('utf-8', { fatal: false }).decode(this.binary());
  }

  /** Reads a field header; returns [fieldId, type] or null at STOP. */
  fieldHeader(lastId: number): [number, number] | null {
    const b = this.byte();
    const type = b & 0x0f;
    if (type === T_STOP) return null;
    const delta = b >> 4;
    const id = delta === 0 ? this.zigzag() : lastId + delta;
    return [id, type];
  }

  listHeader(): [number, number] {
    const b = this.byte();
    const size = b >> 4 === 15 ? this.varint() : b >> 4;
    if (size > this.buf.length) throw new FooterError(`a list of ${size} elements cannot fit in the footer: the file is corrupt`);
    return [size, b & 0x0f];
  }

  skip(type: number): void {
    switch (type) {
      case T_TRUE:
      case T_FALSE:
        return; // the value lives in the field header (in a list it is one byte, handled by skipListElement)
      case T_BYTE:
        this.byte();
        return;
      case T_I16:
      case T_I32:
      case T_I64:
        this.varint();
        return;
      case T_DOUBLE:
        this.pos += 8;
        if (this.pos > this.buf.length) throw new FooterError('the footer ends in the middle of a number');
        return;
      case T_BINARY:
        this.binary();
        return;
      case T_LIST:
      case T_SET: {
        const [size, elem] = this.listHeader();
        for (let i = 0; i < size; i++) this.skipListElement(elem);
        return;
      }
      case T_MAP: {
        const size = this.varint();
        if (size === 0) return;
        const kv = this.byte();
        for (let i = 0; i < size; i++) {
          this.skipListElement(kv >> 4);
          this.skipListElement(kv & 0x0f);
        }
        return;
      }
      case T_STRUCT:
        this.structFields(() => false);
        return;
      default:
        throw new FooterError(`unknown Thrift type ${type} in the footer: the file is corrupt`);
    }
  }

  skipListElement(type: number): void {
    if (type === T_TRUE || type === T_FALSE) this.byte();
    else this.skip(type);
  }

  /** Walks a struct; `visit` returns true when it consumed the field's value. */
  structFields(visit: (id: number, type: number) => boolean): void {
    if (++this.depth > 64) throw new FooterError('the footer nests too deeply: the file is corrupt');
    let lastId = 0;
    for (;;) {
      const header = this.fieldHeader(lastId);
      if (!header) break;
      const [id, type] = header;
      lastId = id;
      if (!visit(id, type)) this.skip(type);
    }
    this.depth--;
  }
}

interface SchemaElement {
  name: string;
  physical: number | null;
  typeLength: number | null;
  repetition: number | null;
  numChildren: number;
  converted: number | null;
  scale: number | null;
  precision: number | null;
  logical: LogicalType | null;
}

type LogicalType =
  | { kind: 'string' | 'map' | 'list' | 'enum' | 'date' | 'unknown' | 'json' | 'bson' | 'uuid' | 'float16' | 'variant' | 'geometry' | 'other' }
  | { kind: 'decimal'; scale: number; precision: number }
  | { kind: 'time' | 'timestamp'; utc: boolean; unit: 'ms' | 'us' | 'ns' }
  | { kind: 'integer'; bitWidth: number; signed: boolean };

function decodeFileMetaData(r: CompactReader): ParquetFooter {
  let rowCount: number | null = null;
  let rowGroupCount = 0;
  let rowGroupRows = 0;
  let createdBy: string | null = null;
  let schema: SchemaElement[] | null = null;
  r.structFields((id, type) => {
    if (id === 2 && type === T_LIST) {
      const [size, elem] = r.listHeader();
      if (elem !== T_STRUCT) throw new FooterError('the footer schema is not a list of records');
      schema = [];
      for (let i = 0; i < size; i++) schema.push(decodeSchemaElement(r));
      return true;
    }
    if (id === 3 && type === T_I64) {
      rowCount = r.zigzag();
      return true;
    }
    if (id === 4 && type === T_LIST) {
      const [size, elem] = r.listHeader();
      rowGroupCount = size;
      if (elem !== T_STRUCT) throw new FooterError('the footer row groups are not a list of records');
      for (let i = 0; i < size; i++) {
        r.structFields((fid, ftype) => {
          if (fid === 3 && ftype === T_I64) {
            rowGroupRows += r.zigzag();
            return true;
          }
          return false;
        });
      }
      return true;
    }
    if (id === 6 && type === T_BINARY) {
      createdBy = r.string();
      return true;
    }
    return false;
  });
  if (rowCount === null || rowCount < 0) throw new FooterError('the footer has no row count: the file is corrupt');
  if (!schema || (schema as SchemaElement[]).length === 0) throw new FooterError('the footer has no schema: the file is corrupt');
  // Readers disagree on such files (arrow-rs trusts the file's count, DuckDB the row groups'): refuse rather than
  // load the wrong number of rows.
  if (rowGroupRows !== rowCount)
    throw new FooterError(`the footer says ${rowCount} rows but its row groups hold ${rowGroupRows}: the file is inconsistent`);
  return { rowCount, rowGroupCount, createdBy, columns: describeColumns(schema) };
}

function decodeSchemaElement(r: CompactReader): SchemaElement {
  const el: SchemaElement = {
    name: '',
    physical: null,
    typeLength: null,
    repetition: null,
    numChildren: 0,
    converted: null,
    scale: null,
    precision: null,
    logical: null,
  };
  r.structFields((id, type) => {
    if (type === T_I32) {
      const v = r.zigzag();
      if (id === 1) el.physical = v;
      else if (id === 2) el.typeLength = v;
      else if (id === 3) el.repetition = v;
      else if (id === 5) el.numChildren = v;
      else if (id === 6) el.converted = v;
      else if (id === 7) el.scale = v;
      else if (id === 8) el.precision = v;
      return true;
    }
    if (id === 4 && type === T_BINARY) {
      el.name = r.string();
      return true;
    }
    if (id === 10 && type === T_STRUCT) {
      el.logical = decodeLogicalType(r);
      return true;
    }
    return false;
  });
  return el;
}

function decodeLogicalType(r: CompactReader): LogicalType {
  let out: LogicalType = { kind: 'other' };
  const simple: Record<number, LogicalType['kind']> = {
    1: 'string',
    2: 'map',
    3: 'list',
    4: 'enum',
    6: 'date',
    11: 'unknown',
    12: 'json',
    13: 'bson',
    14: 'uuid',
    15: 'float16',
    16: 'variant',
    17: 'geometry',
  };
  r.structFields((id, type) => {
    if (type !== T_STRUCT) return false;
    if (id === 5) {
      let scale = 0;
      let precision = 0;
      r.structFields((fid, ftype) => {
        if (ftype !== T_I32) return false;
        if (fid === 1) scale = r.zigzag();
        else if (fid === 2) precision = r.zigzag();
        else return false;
        return true;
      });
      out = { kind: 'decimal', scale, precision };
      return true;
    }
    if (id === 7 || id === 8) {
      let utc = false;
      let unit: 'ms' | 'us' | 'ns' = 'us';
      r.structFields((fid, ftype) => {
        if (fid === 1 && (ftype === T_TRUE || ftype === T_FALSE)) {
          utc = ftype === T_TRUE;
          return true;
        }
        if (fid === 2 && ftype === T_STRUCT) {
          r.structFields((uid) => {
            unit = uid === 1 ? 'ms' : uid === 2 ? 'us' : 'ns';
            return false; // the unit's own struct is empty; skip it
          });
          return true;
        }
        return false;
      });
      out = { kind: id === 7 ? 'time' : 'timestamp', utc, unit };
      return true;
    }
    if (id === 10) {
      let bitWidth = 64;
      let signed = true;
      r.structFields((fid, ftype) => {
        if (fid === 1 && ftype === T_BYTE) {
          const b = r.byte();
          bitWidth = b > 127 ? b - 256 : b;
          return true;
        }
        if (fid === 2 && (ftype === T_TRUE || ftype === T_FALSE)) {
          signed = ftype === T_TRUE;
          return true;
        }
        return false;
      });
      out = { kind: 'integer', bitWidth, signed };
      return true;
    }
    if (simple[id]) {
      out = { kind: simple[id] } as LogicalType;
      return false; // skip the empty struct
    }
    return false;
  });
  return out;
}

/** Top-level columns of the schema tree (element 0 is the root). */
function describeColumns(schema: SchemaElement[]): FooterColumn[] {
  const root = schema[0];
  const columns: FooterColumn[] = [];
  let index = 1;
  // Skip a whole subtree, returning the index after it.
  const skipTree = (i: number): number => {
    let next = i + 1;
    for (let c = 0; c < schema[i].numChildren; c++) {
      if (next >= schema.length) throw new FooterError('the footer schema lists more children than elements: the file is corrupt');
      next = skipTree(next);
    }
    return next;
  };
  for (let c = 0; c < root.numChildren; c++) {
    if (index >= schema.length) throw new FooterError('the footer schema lists more columns than it holds: the file is corrupt');
    const el = schema[index];
    columns.push({ name: el.name, ...describeType(el) });
    index = skipTree(index);
  }
  return columns;
}

const PHYSICAL = ['boolean', 'int32', 'int64', 'int96', 'float', 'double', 'binary', 'fixed_len_byte_array'];

function describeType(el: SchemaElement): { type: string; kind: ColumnKind } {
  const logical = el.logical;
  if (el.numChildren > 0 || el.physical === null) {
    const nested = logical?.kind === 'list' || el.converted === 3 ? 'list' : logical?.kind === 'map' || el.converted === 1 || el.converted === 2 ? 'map' : 'struct';
    return { type: nested, kind: 'unsupported' };
  }
  if (el.repetition === 2) return { type: `list<${PHYSICAL[el.physical] ?? el.physical}>`, kind: 'unsupported' };
  const decimal = (): { type: string; kind: ColumnKind } => {
    const scale = logical?.kind === 'decimal' ? logical.scale : (el.scale ?? 0);
    const precision = logical?.kind === 'decimal' ? logical.precision : (el.precision ?? 0);
    return { type: `decimal(${precision},${scale})`, kind: 'number' };
  };
  if (logical?.kind === 'decimal' || el.converted === 5) return decimal();
  switch (el.physical) {
    case 0:
      return { type: 'bool', kind: 'bool' };
    case 1:
    case 2: {
      const bits = el.physical === 1 ? 32 : 64;
      if (logical?.kind === 'date' || el.converted === 6) return { type: 'date', kind: 'date' };
      if (logical?.kind === 'timestamp') return { type: `timestamp[${logical.unit}${logical.utc ? ', UTC' : ''}]`, kind: 'timestamp' };
      if (el.converted === 9) return { type: 'timestamp[ms, UTC]', kind: 'timestamp' };
      if (el.converted === 10) return { type: 'timestamp[us, UTC]', kind: 'timestamp' };
      if (logical?.kind === 'time' || el.converted === 7 || el.converted === 8) return { type: 'time', kind: 'unsupported' };
      if (el.converted === 21) return { type: 'interval', kind: 'unsupported' };
      if (logical?.kind === 'integer') return { type: `${logical.signed ? 'int' : 'uint'}${logical.bitWidth}`, kind: 'number' };
      const converted: Record<number, string> = { 11: 'uint8', 12: 'uint16', 13: 'uint32', 14: 'uint64', 15: 'int8', 16: 'int16', 17: 'int32', 18: 'int64' };
      if (el.converted !== null && converted[el.converted]) return { type: converted[el.converted], kind: 'number' };
      return { type: `int${bits}`, kind: 'number' };
    }
    case 3:
      return { type: 'timestamp[ns] (int96)', kind: 'timestamp' };
    case 4:
      return { type: 'float32', kind: 'number' };
    case 5:
      return { type: 'float64', kind: 'number' };
    case 6:
      if (logical?.kind === 'string' || logical?.kind === 'enum' || logical?.kind === 'json' || el.converted === 0 || el.converted === 4 || el.converted === 19)
        return { type: 'string', kind: 'string' };
      if (logical?.kind === 'bson' || el.converted === 20) return { type: 'bson', kind: 'unsupported' };
      // Unannotated byte arrays are how older writers (Impala, Hive, Spark without the UTF8 flag) store strings.
      return { type: 'binary', kind: 'string' };
    case 7:
      if (logical?.kind === 'float16') return { type: 'float16', kind: 'number' };
      if (logical?.kind === 'uuid') return { type: 'uuid', kind: 'unsupported' };
      if (el.converted === 21) return { type: 'interval', kind: 'unsupported' };
      return { type: `fixed_len_byte_array(${el.typeLength ?? '?'})`, kind: 'unsupported' };
    default:
      return { type: `unknown physical type ${el.physical}`, kind: 'unsupported' };
  }
}
