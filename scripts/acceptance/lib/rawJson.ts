// A JSON reader that keeps what JSON.parse throws away and a Python reader would see: whether a number was written
// as an int (`4`) or a float (`4.0`), the order of keys, and Python's NaN/Infinity tokens. The seed writes
// json.dumps(..., indent=2, sort_keys=True); a file whose 4.0 became 4 loads as an int in Python.

export type RawValue =
  | { t: 'null' }
  | { t: 'bool'; v: boolean }
  | { t: 'num'; v: number; raw: string; float: boolean }
  | { t: 'str'; v: string }
  | { t: 'arr'; items: RawValue[] }
  | { t: 'obj'; keys: string[]; map: Map<string, RawValue> };

export function parseRawJson(text: string, file = 'JSON'): RawValue {
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`${file}: ${what} at offset ${i}`);
  };
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
  };
  const value = (): RawValue => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const keys: string[] = [];
      const map = new Map<string, RawValue>();
      ws();
      if (text[i] === '}') {
        i++;
        return { t: 'obj', keys, map };
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const k = str();
        ws();
        if (text[i] !== ':') fail('expected :');
        i++;
        if (map.has(k)) fail(`duplicate key ${k}`);
        keys.push(k);
        map.set(k, value());
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return { t: 'obj', keys, map };
        }
        fail('expected , or }');
      }
    }
    if (c === '[') {
      i++;
      const items: RawValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return { t: 'arr', items };
      }
      for (;;) {
        items.push(value());
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return { t: 'arr', items };
        }
        fail('expected , or ]');
      }
    }
    if (c === '"') return { t: 'str', v: str() };
    for (const [word, val] of [
      ['null', { t: 'null' }],
      ['true', { t: 'bool', v: true }],
      ['false', { t: 'bool', v: false }],
      ['NaN', { t: 'num', v: NaN, raw: 'NaN', float: true }],
      ['Infinity', { t: 'num', v: Infinity, raw: 'Infinity', float: true }],
      ['-Infinity', { t: 'num', v: -Infinity, raw: '-Infinity', float: true }],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return val as RawValue;
      }
    }
    const m = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(i, i + 64));
    if (!m) fail('unexpected character');
    i += m![0].length;
    return { t: 'num', v: Number(m![0]), raw: m![0], float: m![1] !== undefined || m![2] !== undefined };
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail('unterminated string');
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const out = value();
  ws();
  if (i !== text.length) fail('trailing text');
  return out;
}

export function plain(v: RawValue): unknown {
  switch (v.t) {
    case 'null':
      return null;
    case 'bool':
    case 'num':
    case 'str':
      return v.v;
    case 'arr':
      return v.items.map(plain);
    case 'obj':
      return Object.fromEntries(v.keys.map((k) => [k, plain(v.map.get(k)!)]));
  }
}

export function kind(v: RawValue | undefined): string {
  if (!v) return 'absent';
  if (v.t === 'num') return v.float ? 'float' : 'int';
  return v.t;
}

/** Python's repr of a float-valued JSON number: what `f"{x}"` prints in the seed's reasons and report. */
export function pyFloatText(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return `${x}.0`;
  const s = String(x);
  // JS and Python agree on the shortest round-trip digits; only exponent spelling differs (1e-7 vs 1e-07).
  return s.replace(/e([-+])(\d)$/, 'e$10$2');
}

/**
 * Deep comparison of two raw JSON trees. `tol(path, ours, seed)` decides numbers: return null for exact,
 * or a verdict. Reports: missing/extra keys, key order, int-vs-float spelling, type, value.
 */
export interface JsonDiff {
  path: string;
  what: string;
  /** 'value' fails; 'format' (key order, 4 vs 4.0) fails too but is reported apart; 'warn' is shown only. */
  severity: 'value' | 'format' | 'warn';
}

export type NumberRule = (path: string, ours: number, seed: number) => { ok: boolean; severity?: 'value' | 'warn'; note?: string } | null;

export function diffJson(ours: RawValue, seed: RawValue, rule: NumberRule, path = ''): JsonDiff[] {
  const out: JsonDiff[] = [];
  const walk = (a: RawValue, b: RawValue, p: string) => {
    if (a.t !== b.t) {
      out.push({ path: p, what: `type ${kind(a)} (ours ${short(a)}) vs seed ${kind(b)} (${short(b)})`, severity: 'value' });
      return;
    }
    if (a.t === 'obj' && b.t === 'obj') {
      const missing = b.keys.filter((k) => !a.map.has(k));
      const extra = a.keys.filter((k) => !b.map.has(k));
      if (missing.length) out.push({ path: p, what: `keys missing in ours: ${missing.join(', ')}`, severity: 'value' });
      if (extra.length) out.push({ path: p, what: `keys only in ours: ${extra.join(', ')}`, severity: 'value' });
      const common = b.keys.filter((k) => a.map.has(k));
      const oursOrder = a.keys.filter((k) => b.map.has(k));
      if (common.join('\u0000') !== oursOrder.join('\u0000'))
        out.push({ path: p, what: `key order differs: ours [${oursOrder.join(', ')}] seed [${common.join(', ')}]`, severity: 'format' });
      for (const k of common) walk(a.map.get(k)!, b.map.get(k)!, p ? `${p}.${k}` : k);
      return;
    }
    if (a.t === 'arr' && b.t === 'arr') {
      if (a.items.length !== b.items.length) out.push({ path: p, what: `length ${a.items.length} vs seed ${b.items.length}`, severity: 'value' });
      const n = Math.min(a.items.length, b.items.length);
      for (let k = 0; k < n; k++) walk(a.items[k], b.items[k], `${p}[${k}]`);
      return;
    }
    if (a.t === 'num' && b.t === 'num') {
      if (a.float !== b.float) out.push({ path: p, what: `number spelled ${a.raw} (${kind(a)}) vs seed ${b.raw} (${kind(b)})`, severity: 'format' });
      const r = rule(p, a.v, b.v);
      if (r === null) {
        if (!(a.v === b.v || (Number.isNaN(a.v) && Number.isNaN(b.v)))) out.push({ path: p, what: `${a.raw} vs seed ${b.raw} (exact expected)`, severity: 'value' });
      } else if (!r.ok) {
        out.push({ path: p, what: `${a.raw} vs seed ${b.raw}${r.note ? ` (${r.note})` : ''}`, severity: r.severity ?? 'value' });
      }
      return;
    }
    if (a.t === 'str' && b.t === 'str') {
      if (a.v !== b.v) out.push({ path: p, what: `${JSON.stringify(a.v)} vs seed ${JSON.stringify(b.v)}`, severity: 'value' });
      return;
    }
    if (a.t === 'bool' && b.t === 'bool' && a.v !== b.v) out.push({ path: p, what: `${a.v} vs seed ${b.v}`, severity: 'value' });
  };
  walk(ours, seed, path);
  return out;
}

function short(v: RawValue): string {
  const s = JSON.stringify(plain(v));
  return s && s.length > 60 ? `${s.slice(0, 57)}…` : String(s);
}
