/** Column access shared by the stages: required columns, numbers, epoch milliseconds, string codes. */
import { numericSlice, plainNumeric, type Column, type Frame, type StringColumn } from '../../data/frame.ts';
import { InputError } from '../../core/errors.ts';

/** The seed's `missing = sorted(required.difference(columns))` check, as an InputError naming the file. */
export function requireColumns(frame: Frame, required: Iterable<string>, file: string, what: string): void {
  const missing = [...new Set(required)].filter((name) => !(name in frame.columns)).sort();
  if (missing.length) {
    throw new InputError(`${file}: ${what} missing columns: [${missing.map((m) => `'${m}'`).join(', ')}]`, [
      { file, field: missing.join(', '), message: `missing columns: ${missing.join(', ')}` },
    ]);
  }
}

export function stringColumn(frame: Frame, name: string, file: string): StringColumn {
  const column = frame.columns[name];
  if (!column || column.kind !== 'string') {
    throw new InputError(`${file}: column ${name} must be a string column, found ${column ? column.kind : 'nothing'}`, [
      { file, field: name, message: `expected strings, found ${column ? column.kind : 'no column'}` },
    ]);
  }
  return column;
}

/** A numeric column's values (float64 copy only when needed). Booleans read as 0/1. */
export function numberValues(frame: Frame, name: string, file: string): Float32Array | Float64Array {
  const column = frame.columns[name];
  if (column?.kind === 'number') return column.values;
  if (column?.kind === 'indexed') return numericSlice(column);
  if (column?.kind === 'bool') {
    const out = new Float64Array(column.values.length);
    for (let i = 0; i < out.length; i++) out[i] = column.values[i] === 255 ? NaN : column.values[i];
    return out;
  }
  throw new InputError(`${file}: column ${name} must be numeric, found ${column ? column.kind : 'nothing'}`, [
    { file, field: name, message: `expected numbers, found ${column ? column.kind : 'no column'}` },
  ]);
}

/** Row mask of a string column whose value is one of `values`. */
export function stringIn(column: StringColumn, values: readonly string[]): Uint8Array {
  const hit = new Uint8Array(column.dictionary.length);
  for (let d = 0; d < column.dictionary.length; d++) hit[d] = values.includes(column.dictionary[d]) ? 1 : 0;
  const out = new Uint8Array(column.codes.length);
  for (let i = 0; i < out.length; i++) out[i] = column.codes[i] >= 0 ? hit[column.codes[i]] : 0;
  return out;
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?)?\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Epoch milliseconds of an ISO-8601 text as `pd.to_datetime(text, utc=True)` reads it, floored like the seed's
 * `ns // 1_000_000`: a naive time is UTC, an offset is converted. Returns NaN for text it cannot read.
 */
export function parseIsoMillis(text: string): number {
  const m = ISO.exec(text.trim());
  if (!m) return NaN;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return NaN;
  let ms = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Number(s));
  // Date.UTC rolls 31 February over into March; pandas refuses it.
  if (new Date(ms).getUTCDate() !== day) return NaN;
  if (Number(y) < 100) ms = new Date(ms).setUTCFullYear(Number(y));
  if (frac) ms += Math.floor(Number(frac.slice(0, 9).padEnd(9, '0')) / 1e6);
  if (zone && zone !== 'Z' && zone !== 'z' && zone !== 'UTC') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offset = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0');
    ms -= sign * offset * 60_000;
  }
  return ms;
}

/**
 * `pd.to_datetime(column, utc=True).astype("int64") // 1_000_000`: epoch milliseconds of each row (NaN for null).
 * A timestamp column is floored from microseconds; a string column is parsed as ISO-8601 (an unreadable text is
 * an InputError naming the row, as pandas refuses it); numbers are taken as nanoseconds, as pandas does.
 */
export function eventTimeMillis(stored: Column, file: string, name: string): Float64Array {
  const column = stored.kind === 'indexed' ? plainNumeric(stored) : stored;
  switch (column.kind) {
    case 'timestamp': {
      const out = new Float64Array(column.micros.length);
      for (let i = 0; i < out.length; i++) out[i] = Math.floor(column.micros[i] / 1000);
      return out;
    }
    case 'string': {
      const parsed = new Float64Array(column.dictionary.length);
      for (let d = 0; d < parsed.length; d++) {
        const value = parseIsoMillis(column.dictionary[d]);
        parsed[d] = value;
      }
      const out = new Float64Array(column.codes.length);
      for (let i = 0; i < out.length; i++) {
        const code = column.codes[i];
        if (code < 0) {
          out[i] = NaN;
          continue;
        }
        const value = parsed[code];
        if (value !== value) {
          throw new InputError(
            `${file}: column ${name} row ${i}: expected an ISO-8601 time, found '${column.dictionary[code]}'`,
            [{ file, field: name, message: `row ${i}: expected an ISO-8601 time, found '${column.dictionary[code]}'` }],
          );
        }
        out[i] = value;
      }
      return out;
    }
    case 'number': {
      const out = new Float64Array(column.values.length);
      for (let i = 0; i < out.length; i++) out[i] = Math.floor(column.values[i] / 1e6);
      return out;
    }
    case 'bool':
      throw new InputError(`${file}: column ${name} must be a timestamp or ISO-8601 text, found booleans`, [
        { file, field: name, message: 'expected a timestamp or ISO-8601 text, found booleans' },
      ]);
  }
}
