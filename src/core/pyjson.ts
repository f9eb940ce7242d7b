/**
 * JSON exactly as Python's `json.dumps` writes it, so that artifacts and hashes equal the seed's.
 *
 * JavaScript has one number type; Python tells `5` from `5.0`. Values that Python holds as floats are wrapped
 * with `pyFloat(x)` (or the whole number set is declared float with `floats: true`); plain JS numbers are
 * written as Python ints. `undefined` is not allowed (Python has no such value); `null` is `null`.
 */

export class PyFloat {
  constructor(readonly value: number) {}
}

export function pyFloat(value: number): PyFloat {
  return new PyFloat(value);
}

/** Python's repr() of a float: shortest round-trip digits, scientific below 1e-4 and from 1e16. */
export function pyFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = value.toExponential().split('e');
  const exponent = Number(expText);
  if (exponent < -4 || exponent >= 16) {
    const exp = Math.abs(exponent) < 10 ? `0${Math.abs(exponent)}` : `${Math.abs(exponent)}`;
    return `${mantissa}e${exponent < 0 ? '-' : '+'}${exp}`;
  }
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  let text: string;
  if (exponent >= 0) {
    if (digits.length <= exponent + 1) text = digits + '0'.repeat(exponent + 1 - digits.length) + '.0';
    else text = `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
  } else {
    text = `0.${'0'.repeat(-exponent - 1)}${digits}`;
  }
  return negative ? `-${text}` : text;
}

/** Python's repr()/str() of a JSON-like value, as an f-string shows it (`None`, `True`, `[5, 15]`, `'a'`). */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value instanceof PyFloat) return pyFloatRepr(value.value);
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : pyFloatRepr(value);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(', ')}}`;
  }
  throw new Error(`pyRepr: unsupported value ${String(value)}`);
}

/** f-string interpolation: strings bare, everything else as repr. */
export function pyStr(value: unknown): string {
  return typeof value === 'string' ? value : pyRepr(value);
}

export interface PyJsonOptions {
  /** json.dumps indent; undefined writes one line. */
  indent?: number;
  sortKeys?: boolean;
  /** separators as json.dumps: default (', ', ': ') without indent, (',', ': ') with indent. */
  separators?: [string, string];
}

function quote(text: string): string {
  // ensure_ascii=False: JSON.stringify escapes the same set Python does (", \\, control characters).
  return JSON.stringify(text);
}

/** json.dumps(value, indent, sort_keys, ensure_ascii=False, separators). */
export function pyJsonDumps(value: unknown, options: PyJsonOptions = {}): string {
  const { indent, sortKeys = false } = options;
  const [itemSep, keySep] = options.separators ?? (indent === undefined ? [', ', ': '] : [',', ': ']);
  const write = (node: unknown, depth: number): string => {
    if (node === null) return 'null';
    if (node === undefined) throw new Error('pyJsonDumps: undefined has no JSON form');
    if (node instanceof PyFloat) return pyFloatRepr(node.value);
    if (typeof node === 'number') {
      if (!Number.isFinite(node)) return pyFloatRepr(node);
      if (!Number.isInteger(node)) return pyFloatRepr(node);
      return String(node);
    }
    if (typeof node === 'boolean') return node ? 'true' : 'false';
    if (typeof node === 'string') return quote(node);
    const open = indent === undefined ? '' : `\n${' '.repeat(indent * (depth + 1))}`;
    const close = indent === undefined ? '' : `\n${' '.repeat(indent * depth)}`;
    if (Array.isArray(node)) {
      if (node.length === 0) return '[]';
      return `[${open}${node.map((item) => write(item, depth + 1)).join(itemSep + open)}${close}]`;
    }
    if (typeof node === 'object') {
      let keys = Object.keys(node as object);
      if (keys.length === 0) return '{}';
      if (sortKeys) keys = keys.sort(comparePython);
      const parts = keys.map((key) => `${quote(key)}${keySep}${write((node as Record<string, unknown>)[key], depth + 1)}`);
      return `{${open}${parts.join(itemSep + open)}${close}}`;
    }
    throw new Error(`pyJsonDumps: unsupported value ${String(node)}`);
  };
  return write(value, 0);
}

/** Python compares str by code point; JS `<` compares UTF-16 units. They differ only beyond the BMP. */
function comparePython(a: string, b: string): number {
  const ca = Array.from(a);
  const cb = Array.from(b);
  const n = Math.min(ca.length, cb.length);
  for (let i = 0; i < n; i++) {
    const d = ca[i].codePointAt(0)! - cb[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return ca.length - cb.length;
}

/** The seed's write_json: indent 2, sorted keys, UTF-8 unescaped, trailing newline. */
export function writeJsonText(value: unknown): string {
  return `${pyJsonDumps(value, { indent: 2, sortKeys: true })}\n`;
}

/** The text sha256_json hashes: sorted keys, separators (',', ':'). */
export function canonicalJson(value: unknown): string {
  return pyJsonDumps(value, { sortKeys: true, separators: [',', ':'] });
}
