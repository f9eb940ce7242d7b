/**
 * Ledger records as Python's `json.loads` sees them, because the reference compares records as canonical JSON
 * (`5` and `5.0` differ there, key order of first appearance matters, and bad lines are reported with the
 * decoder's own message). JavaScript's JSON.parse loses all three, so ledger lines go through this parser.
 *
 * PyValue: null | boolean | string | bigint (Python int) | number (Python float) | PyValue[] | PyDict.
 * A PyDict is a Map: insertion order is kept even for integer-like keys, and a repeated key keeps its first
 * position with the last value, as a Python dict does.
 */
import { pyFloatRepr } from '../../core/pyjson.ts';
import { pyStrip } from './isoTime.ts';

export type PyValue = null | boolean | string | bigint | number | PyValue[] | PyDict;
export type PyDict = Map<string, PyValue>;

export type PyJsonParse = { ok: true; value: PyValue } | { ok: false; msg: string; pos: number };

class DecodeError extends Error {
  constructor(
    readonly msg: string,
    readonly pos: number,
  ) {
    super(msg);
  }
}

const NUMBER_RE = /(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?/y;
const PLAIN_RUN = /[^"\\\x00-\x1f]*/y;
const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const WS = new Set([' ', '\t', '\n', '\r']);

/** json.loads(text) with Python 3.11's decoder messages (`exc.msg`). */
export function parsePyJson(text: string): PyJsonParse {
  if (text.startsWith('\ufeff')) return { ok: false, msg: 'Unexpected UTF-8 BOM (decode using utf-8-sig)', pos: 0 };
  const n = text.length;
  const skip = (i: number): number => {
    while (i < n && WS.has(text[i])) i++;
    return i;
  };

  const scanString = (start: number): [string, number] => {
    // start is the index just after the opening quote; plain runs are sliced whole (no per-character work)
    let out = '';
    let i = start;
    for (;;) {
      PLAIN_RUN.lastIndex = i;
      PLAIN_RUN.test(text);
      const runEnd = PLAIN_RUN.lastIndex;
      if (runEnd > i) {
        out += text.slice(i, runEnd);
        i = runEnd;
      }
      if (i >= n) throw new DecodeError('Unterminated string starting at', start - 1);
      const c = text[i];
      if (c === '"') return [out, i + 1];
      if (c === '\\') {
        i++;
        if (i >= n) throw new DecodeError('Unterminated string starting at', start - 1);
        const e = text[i];
        const simple = SIMPLE_ESCAPES[e];
        if (simple !== undefined) {
          out += simple;
          i++;
          continue;
        }
        if (e !== 'u') throw new DecodeError('Invalid \\escape', i - 1);
        const hex = text.slice(i + 1, i + 5);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new DecodeError('Invalid \\uXXXX escape', i - 1);
        let code = parseInt(hex, 16);
        i += 5;
        if (code >= 0xd800 && code <= 0xdbff && text[i] === '\\' && text[i + 1] === 'u') {
          const hex2 = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex2)) throw new DecodeError('Invalid \\uXXXX escape', i);
          const low = parseInt(hex2, 16);
          if (low >= 0xdc00 && low <= 0xdfff) {
            code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
            i += 6;
          }
        }
        out += String.fromCodePoint(code);
        continue;
      }
      // what stops a plain run and is neither a quote nor a backslash: a control character
      throw new DecodeError('Invalid control character at', i);
    }
  };

  const scanOnce = (i: number): [PyValue, number] => {
    if (i >= n) throw new DecodeError('Expecting value', i);
    const c = text[i];
    if (c === '"') return scanString(i + 1);
    if (c === '{') return scanObject(i + 1);
    if (c === '[') return scanArray(i + 1);
    if (c === 'n' && text.startsWith('null', i)) return [null, i + 4];
    if (c === 't' && text.startsWith('true', i)) return [true, i + 4];
    if (c === 'f' && text.startsWith('false', i)) return [false, i + 5];
    NUMBER_RE.lastIndex = i;
    const m = NUMBER_RE.exec(text);
    if (m) {
      const [all, int, frac, exp] = m;
      if (frac || exp) return [Number(all), i + all.length];
      return [BigInt(int), i + all.length];
    }
    if (c === 'N' && text.startsWith('NaN', i)) return [NaN, i + 3];
    if (c === 'I' && text.startsWith('Infinity', i)) return [Infinity, i + 8];
    if (c === '-' && text.startsWith('-Infinity', i)) return [-Infinity, i + 9];
    throw new DecodeError('Expecting value', i);
  };

  const scanObject = (start: number): [PyDict, number] => {
    const dict: PyDict = new Map();
    let i = skip(start);
    if (text[i] !== '"') {
      if (text[i] === '}') return [dict, i + 1];
      throw new DecodeError('Expecting property name enclosed in double quotes', i);
    }
    for (;;) {
      const [key, afterKey] = scanString(i + 1);
      i = afterKey;
      if (text[i] !== ':') {
        i = skip(i);
        if (text[i] !== ':') throw new DecodeError("Expecting ':' delimiter", i);
      }
      i = skip(i + 1);
      const [value, afterValue] = scanOnce(i);
      dict.set(key, value);
      i = skip(afterValue);
      const next = text[i];
      i++;
      if (next === '}') return [dict, i];
      if (next !== ',') throw new DecodeError("Expecting ',' delimiter", i - 1);
      i = skip(i);
      if (text[i] !== '"') throw new DecodeError('Expecting property name enclosed in double quotes', i);
    }
  };

  const scanArray = (start: number): [PyValue[], number] => {
    const list: PyValue[] = [];
    let i = skip(start);
    if (text[i] === ']') return [list, i + 1];
    for (;;) {
      const [value, after] = scanOnce(i);
      list.push(value);
      i = skip(after);
      const next = text[i];
      i++;
      if (next === ']') return [list, i];
      if (next !== ',') throw new DecodeError("Expecting ',' delimiter", i - 1);
      i = skip(i);
    }
  };

  try {
    const [value, end] = scanOnce(skip(0));
    const tail = skip(end);
    if (tail !== n) return { ok: false, msg: 'Extra data', pos: tail };
    return { ok: true, value };
  } catch (error) {
    if (error instanceof DecodeError) return { ok: false, msg: error.msg, pos: error.pos };
    throw error;
  }
}

export function isPyDict(value: PyValue | undefined): value is PyDict {
  return value instanceof Map;
}

/** Python's is_number of the reference: int or float, not bool, finite. */
export function isPyNumber(value: PyValue | undefined): value is number | bigint {
  if (typeof value === 'bigint') return Number.isFinite(Number(value));
  return typeof value === 'number' && Number.isFinite(value);
}

/** float(value) for an int or float. */
export function pyToFloat(value: number | bigint): number {
  return typeof value === 'bigint' ? Number(value) : value;
}

function jsonString(text: string): string {
  return JSON.stringify(text);
}

const SURROGATE = /[\ud800-\udfff]/;

/** Python's str order (code points); UTF-16 order is the same unless a surrogate is involved. */
function comparePython(a: string, b: string): number {
  if (!SURROGATE.test(a) && !SURROGATE.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  const ca = Array.from(a);
  const cb = Array.from(b);
  const m = Math.min(ca.length, cb.length);
  for (let i = 0; i < m; i++) {
    const d = ca[i].codePointAt(0)! - cb[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return ca.length - cb.length;
}

/** json.dumps(value, separators=(",", ":"), ensure_ascii=False [, sort_keys=True]). */
export function pyJsonCompact(value: PyValue, sortKeys: boolean): string {
  if (value === null) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'string') return jsonString(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return pyFloatRepr(value);
  if (Array.isArray(value)) return `[${value.map((v) => pyJsonCompact(v, sortKeys)).join(',')}]`;
  let keys = [...value.keys()];
  if (sortKeys) keys = keys.sort(comparePython);
  return `{${keys.map((k) => `${jsonString(k)}:${pyJsonCompact(value.get(k)!, sortKeys)}`).join(',')}}`;
}

/** The reference's canonical(): what identical and conflicting records are told apart by. */
export function canonicalPy(value: PyValue | undefined): string {
  return pyJsonCompact(value === undefined ? null : value, true);
}

/** Python's repr() of a str: single quotes unless the text holds ' and no ", non-printables escaped. */
export function pyStrRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (ch !== ' ' && /[\p{C}\p{Z}]/u.test(ch)) {
      if (code < 0x100) out += `\\x${code.toString(16).padStart(2, '0')}`;
      else if (code < 0x10000) out += `\\u${code.toString(16).padStart(4, '0')}`;
      else out += `\\U${code.toString(16).padStart(8, '0')}`;
    } else out += ch;
  }
  return out + quote;
}

/** Python's repr() of a decoded JSON value (what `{value!r}` shows in the reference's reasons). */
export function pyValueRepr(value: PyValue | undefined): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return pyStrRepr(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'nan';
    if (value === Infinity) return 'inf';
    if (value === -Infinity) return '-inf';
    return pyFloatRepr(value);
  }
  if (Array.isArray(value)) return `[${value.map(pyValueRepr).join(', ')}]`;
  return `{${[...value.entries()].map(([k, v]) => `${pyStrRepr(k)}: ${pyValueRepr(v)}`).join(', ')}}`;
}

/** Python's str() of a decoded JSON value (trade ids: `str(trade_id)`). */
export function pyValueStr(value: PyValue): string {
  return typeof value === 'string' ? value : pyValueRepr(value);
}

/** Python's str.strip() whitespace test (blank lines are skipped by `not raw.strip()`). */
export function isPyBlank(text: string): boolean {
  return pyStrip(text) === '';
}

/** Python's str.splitlines(): \n, \r\n, \r, \v, \f, \x1c-\x1e, \x85, \u2028, \u2029. */
export function pySplitLines(text: string): string[] {
  const lines: string[] = [];
  const re = /\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/g;
  let start = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    lines.push(text.slice(start, m.index));
    start = m.index + m[0].length;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

/** A plain-JS view of a value for display and storage (ints become numbers). */
export function pyToPlain(value: PyValue): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(pyToPlain);
  if (value instanceof Map) return Object.fromEntries([...value.entries()].map(([k, v]) => [k, pyToPlain(v)]));
  return value;
}
