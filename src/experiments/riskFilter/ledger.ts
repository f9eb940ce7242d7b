/**
 * Trade ledger import (SPEC §4): JSON Lines, CSV or parquet in, an append-only dataset of closed trades keyed by
 * trade_id out. Every rule follows /opt/ref/swing_reference.py `import_ledger`, line by line, so that a ledger
 * gives the same counts, conflicts and bad records here and there.
 */
import { InputError } from '../../core/errors.ts';
import { parseDecisionTime, pyStrip, type DecisionTime } from './isoTime.ts';
import {
  canonicalPy,
  isPyBlank,
  isPyDict,
  isPyNumber,
  parsePyJson,
  pyJsonCompact,
  pySplitLines,
  pyValueRepr,
  pyValueStr,
  type PyDict,
  type PyJsonParse,
  type PyValue,
} from './pyValue.ts';

/** The record's top-level fields as SPEC names them. */
export const LEDGER_TOP_FIELDS = [
  'trade_id',
  'symbol',
  'decision_timestamp',
  'rule_confidence',
  'rule_features',
  'position_size',
  'entry_price',
  'exit_price',
  'holding_days',
  'realized_pnl_pct',
  'mae_pct',
  'mfe_pct',
  'status',
] as const;

export const RULE_FEATURE_PREFIX = 'rule_features.';

export type LedgerFormat = 'jsonl' | 'csv' | 'parquet';

/** One non-blank record of a ledger file, decoded (or not) as Python would. */
export interface LedgerEntry {
  /** 1-based line of the file (CSV: the line the record starts on; parquet: the 1-based row). */
  line: number;
  parsed: PyJsonParse;
  /** A CSV row that is not a record (wrong number of cells): listed as a bad record of kind malformed_row. */
  malformed?: string;
}

export interface LedgerSource {
  file: string;
  format: LedgerFormat;
  sha256: string;
  /** `len(data.decode().splitlines())` for text files; the row count for parquet. */
  lines: number;
  entries: LedgerEntry[];
}

export interface BadRecord {
  line: number;
  kind: 'invalid_json' | 'missing_trade_id' | 'unparsable_time' | 'non_numeric_pnl' | 'malformed_row';
  reason: string;
}

export interface Conflict {
  line: number;
  trade_id: string;
  fields: string[];
}

export interface ImportReport {
  records: number;
  closed_added: number;
  identical_duplicates: number;
  conflicts: Conflict[];
  open_skipped: number;
  bad_records: BadRecord[];
}

/** One closed trade of the dataset, as stored. */
export interface StoredTrade {
  trade_id: string;
  record: PyDict;
  /** canonical JSON (sorted keys): what a re-import is compared with. */
  canonical: string;
  time: DecisionTime;
}

/** Append-only: rows are only ever added, never replaced (a differing record is a conflict). */
export class TradeDataset {
  readonly rows: StoredTrade[] = [];
  private readonly byId = new Map<string, StoredTrade>();

  get size(): number {
    return this.rows.length;
  }

  get(tradeId: string): StoredTrade | undefined {
    return this.byId.get(tradeId);
  }

  has(tradeId: string): boolean {
    return this.byId.has(tradeId);
  }

  /** Only import uses this (and the store when it reloads what it wrote). */
  append(trade: StoredTrade): void {
    if (this.byId.has(trade.trade_id)) throw new Error(`dataset: trade ${trade.trade_id} is already stored`);
    this.byId.set(trade.trade_id, trade);
    this.rows.push(trade);
  }

  static fromRows(rows: StoredTrade[]): TradeDataset {
    const dataset = new TradeDataset();
    for (const row of rows) dataset.append(row);
    return dataset;
  }
}

/** A stored trade rebuilt from its record JSON (as kept in IndexedDB). */
export function storedTradeFromJson(recordJson: string): StoredTrade {
  const parsed = parsePyJson(recordJson);
  if (!parsed.ok || !isPyDict(parsed.value)) throw new Error(`stored trade is not a JSON object: ${recordJson.slice(0, 80)}`);
  const record = parsed.value;
  const time = parseDecisionTime(record.get('decision_timestamp'));
  if (!time) throw new Error(`stored trade has no decision time: ${recordJson.slice(0, 80)}`);
  return { trade_id: pyValueStr(record.get('trade_id')!), record, canonical: canonicalPy(record), time };
}

/** The record as JSON text in its own key order (what the store keeps; parsePyJson gives it back exactly). */
export function recordJson(record: PyDict): string {
  return pyJsonCompact(record, false);
}

/** import_ledger of the reference: mutates `dataset`, returns the report. */
export function importLedger(entries: LedgerEntry[], dataset: TradeDataset): ImportReport {
  const report: ImportReport = { records: 0, closed_added: 0, identical_duplicates: 0, conflicts: [], open_skipped: 0, bad_records: [] };
  for (const { line, parsed, malformed } of entries) {
    report.records += 1;
    if (malformed !== undefined) {
      report.bad_records.push({ line, kind: 'malformed_row', reason: malformed });
      continue;
    }
    if (!parsed.ok) {
      report.bad_records.push({ line, kind: 'invalid_json', reason: `not valid JSON: ${parsed.msg}` });
      continue;
    }
    const record = parsed.value;
    if (!isPyDict(record)) {
      report.bad_records.push({ line, kind: 'invalid_json', reason: 'not a JSON object' });
      continue;
    }
    const rawId = record.get('trade_id');
    if (rawId === undefined || rawId === null || (typeof rawId === 'string' && pyStrip(rawId) === '')) {
      report.bad_records.push({ line, kind: 'missing_trade_id', reason: 'missing trade_id' });
      continue;
    }
    const tradeId = pyValueStr(rawId);
    const time = parseDecisionTime(record.get('decision_timestamp'));
    if (!time) {
      report.bad_records.push({
        line,
        kind: 'unparsable_time',
        reason: `unparsable decision_timestamp: ${pyValueRepr(record.get('decision_timestamp'))}`,
      });
      continue;
    }
    if (!isClosed(record)) {
      report.open_skipped += 1;
      continue;
    }
    if (!isPyNumber(record.get('realized_pnl_pct'))) {
      report.bad_records.push({
        line,
        kind: 'non_numeric_pnl',
        reason: `non-numeric realized_pnl_pct: ${pyValueRepr(record.get('realized_pnl_pct'))}`,
      });
      continue;
    }
    const canonical = canonicalPy(record);
    const stored = dataset.get(tradeId);
    if (stored) {
      if (stored.canonical === canonical) report.identical_duplicates += 1;
      else report.conflicts.push({ line, trade_id: tradeId, fields: differingFields(stored.record, record) });
      continue;
    }
    dataset.append({ trade_id: tradeId, record, canonical, time });
    report.closed_added += 1;
  }
  return report;
}

/** closed = status CLOSED, or without status, exit_price set. */
export function isClosed(record: PyDict): boolean {
  const status = record.get('status');
  if (status !== undefined && status !== null) return pyValueStr(status).toUpperCase() === 'CLOSED';
  const exit = record.get('exit_price');
  return exit !== undefined && exit !== null;
}

/** The top-level fields whose canonical JSON differs (a missing field reads as null), sorted. */
export function differingFields(stored: PyDict, record: PyDict): string[] {
  const keys = new Set([...stored.keys(), ...record.keys()]);
  return [...keys].filter((k) => canonicalPy(stored.get(k)) !== canonicalPy(record.get(k))).sort(comparePythonStr);
}

function comparePythonStr(a: string, b: string): number {
  const ca = Array.from(a);
  const cb = Array.from(b);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const d = ca[i].codePointAt(0)! - cb[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return ca.length - cb.length;
}

function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InputError(`${file}: the ledger is not UTF-8 text`, [{ file, message: 'expected UTF-8 text, found bytes that are not UTF-8' }]);
  }
}

/** Bytes in, ledger entries out; the format is told by the name (`.jsonl`/`.json`/`.ndjson`, `.csv`, `.parquet`). */
export async function readLedger(
  bytes: Uint8Array,
  file: string,
  readParquetFrame?: (bytes: Uint8Array, file: string) => import('../../data/frame.ts').Frame,
): Promise<LedgerSource> {
  const { sha256Hex } = await import('../../core/hash.ts');
  const sha256 = await sha256Hex(bytes);
  const format = ledgerFormatOf(file, bytes);
  if (format === 'parquet') {
    const read = readParquetFrame ?? (await import('../../data/parquet.ts')).readParquet;
    const frame = read(bytes, file);
    return { file, format, sha256, lines: frame.length, entries: entriesFromFrame(frame, file) };
  }
  const text = decodeUtf8(bytes, file);
  const lines = pySplitLines(text);
  if (format === 'csv') return { file, format, sha256, lines: lines.length, entries: entriesFromCsv(text, file) };
  const entries: LedgerEntry[] = [];
  lines.forEach((raw, index) => {
    if (!isPyBlank(raw)) entries.push({ line: index + 1, parsed: parsePyJson(raw) });
  });
  return { file, format, sha256, lines: lines.length, entries };
}

export function ledgerFormatOf(file: string, bytes?: Uint8Array): LedgerFormat {
  const lower = file.toLowerCase();
  if (lower.endsWith('.parquet')) return 'parquet';
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson') || lower.endsWith('.json')) return 'jsonl';
  if (bytes && bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x41 && bytes[2] === 0x52 && bytes[3] === 0x31) return 'parquet';
  throw new InputError(`${file}: not a trade ledger (expected a .jsonl, .csv or .parquet file)`, [
    { file, message: 'expected a .jsonl, .csv or .parquet trade ledger, found another kind of file' },
  ]);
}

// ---------------------------------------------------------------------------------------------------------------
// CSV: a header row, then one trade per record; `rule_features.NAME` columns become the rule_features object.

/** Fields that hold text whatever they look like (an id of digits stays a string). */
const TEXT_FIELDS = new Set(['trade_id', 'symbol', 'decision_timestamp', 'status']);
const INT_RE = /^-?(?:0|[1-9][0-9]*)$/;
const FLOAT_RE = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$/;

/** A CSV cell as a value: empty is null, JSON-like numbers are ints or floats, anything else stays text. */
export function csvCellValue(column: string, cell: string): PyValue {
  if (cell === '') return null;
  if (TEXT_FIELDS.has(column)) return cell;
  if (INT_RE.test(cell)) return BigInt(cell);
  if (FLOAT_RE.test(cell)) return Number(cell);
  return cell;
}

/** RFC 4180 records with the line each starts on. */
export function parseCsvRecords(text: string): { line: number; cells: string[] }[] {
  const out: { line: number; cells: string[] }[] = [];
  let i = 0;
  let line = 1;
  const n = text.length;
  if (text.startsWith('\ufeff')) i = 1;
  while (i < n) {
    const startLine = line;
    const cells: string[] = [];
    let cell = '';
    let done = false;
    while (!done) {
      if (i < n && text[i] === '"') {
        i++;
        for (;;) {
          if (i >= n) throw new RangeError(`line ${startLine}: unterminated quoted field`);
          if (text[i] === '"') {
            if (text[i + 1] === '"') {
              cell += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (text[i] === '\n') line++;
          cell += text[i++];
        }
      }
      while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') cell += text[i++];
      cells.push(cell);
      cell = '';
      if (i >= n) done = true;
      else if (text[i] === ',') i++;
      else {
        if (text[i] === '\r' && text[i + 1] === '\n') i++;
        i++;
        line++;
        done = true;
      }
    }
    if (!(cells.length === 1 && cells[0] === '')) out.push({ line: startLine, cells });
  }
  return out;
}

function recordFromCells(header: string[], cells: (PyValue | undefined)[]): PyDict {
  const record: PyDict = new Map();
  let features: PyDict | null = null;
  header.forEach((name, j) => {
    const value = cells[j] ?? null;
    if (name.startsWith(RULE_FEATURE_PREFIX)) {
      if (!features) {
        features = new Map();
        record.set('rule_features', features);
      }
      // A trade without a feature has no such key (as in a JSON ledger), not a null one.
      if (value !== null) features.set(name.slice(RULE_FEATURE_PREFIX.length), value);
    } else record.set(name, value);
  });
  return record;
}

export function entriesFromCsv(text: string, file: string): LedgerEntry[] {
  let records: { line: number; cells: string[] }[];
  try {
    records = parseCsvRecords(text);
  } catch (error) {
    throw new InputError(`${file}: ${(error as Error).message}`, [{ file, message: (error as Error).message }]);
  }
  if (records.length === 0) return [];
  const header = records[0].cells.map((c) => c.trim());
  checkHeader(header, file);
  const entries: LedgerEntry[] = [];
  for (const { line, cells } of records.slice(1)) {
    if (cells.length !== header.length) {
      const reason = `expected ${header.length} cells, found ${cells.length}`;
      entries.push({ line, parsed: { ok: false, msg: reason, pos: 0 }, malformed: reason });
      continue;
    }
    const values = cells.map((cell, j) => csvCellValue(header[j].startsWith(RULE_FEATURE_PREFIX) ? 'feature' : header[j], cell));
    entries.push({ line, parsed: { ok: true, value: recordFromCells(header, values) } });
  }
  return entries;
}

function checkHeader(header: string[], file: string): void {
  if (!header.includes('trade_id')) {
    throw new InputError(`${file}: the ledger has no trade_id column`, [
      { file, field: 'trade_id', message: `expected a trade_id column, found columns ${header.join(', ')}` },
    ]);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Parquet: typed columns; ints stay ints, floats floats, timestamps become ISO strings in UTC.

export function entriesFromFrame(frame: import('../../data/frame.ts').Frame, file: string): LedgerEntry[] {
  checkHeader(frame.names, file);
  const entries: LedgerEntry[] = [];
  for (let row = 0; row < frame.length; row++) {
    const values = frame.names.map((name) => frameCell(frame, name, row));
    entries.push({ line: row + 1, parsed: { ok: true, value: recordFromCells(frame.names, values) } });
  }
  return entries;
}

const INT_TYPES = new Set(['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64']);

function frameCell(frame: import('../../data/frame.ts').Frame, name: string, row: number): PyValue {
  const column = frame.columns[name];
  switch (column.kind) {
    case 'string': {
      const code = column.codes[row];
      return code < 0 ? null : column.dictionary[code];
    }
    case 'number':
    case 'indexed': {
      const v = column.kind === 'number' ? column.values[row] : column.source[column.index[row]];
      if (Number.isNaN(v)) return null;
      if (INT_TYPES.has(column.type) && Number.isInteger(v) && !TEXT_FIELDS.has(name)) return BigInt(v);
      if (TEXT_FIELDS.has(name)) return String(v);
      return v;
    }
    case 'timestamp': {
      const us = column.micros[row];
      if (Number.isNaN(us)) return null;
      const ms = Math.floor(us / 1000);
      const micro = us - ms * 1000;
      const base = new Date(ms).toISOString().slice(0, 19);
      const fraction = (ms % 1000 + 1000) % 1000 * 1000 + micro;
      return `${base}${fraction ? `.${String(fraction).padStart(6, '0')}` : ''}+00:00`;
    }
    case 'bool': {
      const v = column.values[row];
      return v === 255 ? null : v === 1;
    }
  }
}
