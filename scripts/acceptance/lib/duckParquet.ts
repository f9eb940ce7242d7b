// Parquet read through DuckDB (the seed's own bridge, /opt/ref/parquet_io.mjs), never through the project's reader:
// what a client's checker with DuckDB/pandas sees is what counts, and a file only our reader can open fails here.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PARQUET_IO = process.env.PARQUET_IO ?? '/opt/ref/parquet_io.mjs';
const NULL_TOKEN = '\\N';

export interface DuckColumn {
  name: string;
  /** parquet_io's kind: float32 float64 int8 … string timestamp (epoch ns) */
  type: string;
  /** DuckDB's type name, e.g. FLOAT, TIMESTAMP WITH TIME ZONE, VARCHAR */
  sourceType: string;
  /** The CSV tokens (null for NULL). Floats are shortest round-trip decimals, timestamps epoch nanoseconds. */
  values: (string | null)[];
}

export interface DuckFrame {
  file: string;
  rowCount: number;
  columns: DuckColumn[];
  col(name: string): DuckColumn | undefined;
}

export function readParquetDuck(file: string): DuckFrame {
  const dir = mkdtempSync(join(tmpdir(), 'acceptance-pq-'));
  try {
    const csv = join(dir, 'x.csv');
    const schemaFile = join(dir, 'x.schema.json');
    try {
      execFileSync(process.execPath, [PARQUET_IO, 'read', file, csv, schemaFile], { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 });
    } catch (error) {
      const e = error as { stderr?: Buffer };
      throw new Error(`DuckDB cannot read ${file}: ${e.stderr?.toString().trim() ?? String(error)}`);
    }
    const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as {
      columns: { name: string; type: string; source_type: string }[];
      row_count: number;
    };
    const rows = parseCsv(readFileSync(csv, 'utf8'));
    const header = rows.shift() ?? [];
    const columns: DuckColumn[] = schema.columns.map((c, k) => {
      if (header[k] !== c.name) throw new Error(`${file}: CSV header ${header[k]} vs schema ${c.name}`);
      return { name: c.name, type: c.type, sourceType: c.source_type, values: rows.map((r) => r[k]) };
    });
    if (rows.length !== schema.row_count) throw new Error(`${file}: ${rows.length} CSV rows vs row_count ${schema.row_count}`);
    const byName = new Map(columns.map((c) => [c.name, c]));
    return { file, rowCount: schema.row_count, columns, col: (n) => byName.get(n) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** RFC 4180 with the bridge's NULL token (\N, unquoted). Quoted "\N" stays the string. */
export function parseCsv(text: string): (string | null)[][] {
  const rows: (string | null)[][] = [];
  let row: (string | null)[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    let field: string | null;
    if (text[i] === '"') {
      let s = '';
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new Error('unterminated quoted CSV field');
        s += text.slice(i, q);
        if (text[q + 1] === '"') {
          s += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      field = s;
    } else {
      let j = i;
      while (j < n && text[j] !== ',' && text[j] !== '\n' && text[j] !== '\r') j++;
      const raw = text.slice(i, j);
      field = raw === NULL_TOKEN ? null : raw;
      i = j;
    }
    row.push(field);
    if (text[i] === ',') {
      i++;
      if (i === n) row.push('');
    } else {
      if (text[i] === '\r') i++;
      if (text[i] === '\n') i++;
      rows.push(row);
      row = [];
    }
  }
  if (row.length) rows.push(row);
  return rows;
}

export function toNumber(token: string | null): number {
  if (token === null) return NaN;
  if (token === 'nan' || token === 'NaN') return NaN;
  if (token === 'inf' || token === 'Infinity') return Infinity;
  if (token === '-inf' || token === '-Infinity') return -Infinity;
  return Number(token);
}
