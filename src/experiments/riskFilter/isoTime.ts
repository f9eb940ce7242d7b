/**
 * decision_timestamp as the reference reads it: Python 3.11's `datetime.fromisoformat` (after a trailing `Z` is
 * turned into `+00:00`), and written back with `datetime.isoformat()` for the time ranges of swing_result.json.
 * 3.11 accepts most of ISO 8601 (basic and extended dates, week dates, any single separator character, fractions
 * with `.` or `,`, offsets with seconds); we follow its parser step by step so that the same strings are bad.
 */

export interface DecisionTime {
  /** Microseconds since the epoch: of the UTC instant when aware, of the wall clock read as UTC when naive. */
  micros: number;
  /** Offset in microseconds (aware) or null (naive). */
  offsetMicros: number | null;
  /** Python's isoformat() of the parsed datetime. */
  iso: string;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

function findSeparator(s: string): number {
  const n = s.length;
  if (n === 7) return 7;
  if (s[4] === '-') {
    if (s[5] === 'W') {
      if (n < 8) throw new RangeError('Invalid ISO string');
      if (n > 8 && s[8] === '-') {
        if (n === 9) throw new RangeError('Invalid ISO string');
        if (n > 10 && isDigit(s[10])) return 8;
        return 10;
      }
      return 8;
    }
    return 10;
  }
  if (s[4] === 'W') {
    let idx = 7;
    while (idx < n && isDigit(s[idx])) idx++;
    if (idx < 9) return idx;
    return idx % 2 === 0 ? 7 : 8;
  }
  return 8;
}

function isoWeekToGregorian(year: number, week: number, day: number): [number, number, number] {
  if (year < 1 || year > 9999) throw new RangeError('year');
  if (week <= 0 || week >= 53) {
    let outOfRange = true;
    if (week === 53) {
      // Only years starting on a Thursday (or leap years starting on a Wednesday) have a week 53.
      const firstWeekday = (new Date(Date.UTC(year, 0, 1)).getUTCDay() + 6) % 7;
      const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
      if (firstWeekday === 3 || (firstWeekday === 2 && leap)) outOfRange = false;
    }
    if (outOfRange) throw new RangeError('week');
  }
  if (day <= 0 || day >= 8) throw new RangeError('day');
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const jan4Weekday = (jan4.getUTCDay() + 6) % 7;
  const week1Monday = Date.UTC(year, 0, 4 - jan4Weekday);
  const date = new Date(week1Monday + ((week - 1) * 7 + (day - 1)) * 86400000);
  return [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
}

/** C's parse_isoformat_date: digits are read from the whole string (the date part is `len` long). */
function parseDate(s: string, len: number): [number, number, number] {
  const fail = () => new RangeError('Invalid isoformat string');
  const y = cParseDigits(s, 0, 4);
  if (!y) throw fail();
  const [year] = y;
  const usesSeparator = at(s, 4) === '-';
  let p = usesSeparator ? 5 : 4;
  if (at(s, p) === 'W') {
    p++;
    const w = cParseDigits(s, p, 2);
    if (!w) throw fail();
    let week: number;
    [week, p] = w;
    let day = 1;
    if (p < len) {
      if (usesSeparator && at(s, p++) !== '-') throw fail();
      const d = cParseDigits(s, p, 1);
      if (!d) throw fail();
      [day] = d;
    }
    return isoWeekToGregorian(year, week, day);
  }
  const m = cParseDigits(s, p, 2);
  if (!m) throw fail();
  let month: number;
  [month, p] = m;
  if (usesSeparator && at(s, p++) !== '-') throw fail();
  const d = cParseDigits(s, p, 2);
  if (!d) throw fail();
  return [year, month, d[0]];
}

const FRACTION_CORRECTION = [100000, 10000, 1000, 100, 10];

/** The C string's byte at `p` ('\0' past the end, as its terminator). */
const at = (s: string, p: number): string => (p < s.length ? s[p] : '\0');

function cParseDigits(s: string, p: number, count: number): [number, number] | null {
  let value = 0;
  for (let i = 0; i < count; i++) {
    const c = at(s, p++);
    if (!isDigit(c)) return null;
    value = value * 10 + (c.charCodeAt(0) - 48);
  }
  return [value, p];
}

interface HhMmSsFf {
  /** C's return code: 0 parsed to the end, 1 something follows, < 0 malformed. */
  rv: number;
  values: [number, number, number, number];
}

/**
 * CPython 3.11's C `parse_hh_mm_ss_ff` (Modules/_datetimemodule.c), which is what `datetime.fromisoformat`
 * runs (the pure-Python version in Lib/datetime.py is stricter and not used): `[HH[:?MM[:?SS]]][{.,}f…]`,
 * where a fraction may also follow seconds without a dot, and digits past the sixth are skipped.
 */
function cParseHhMmSsFf(s: string, start: number, end: number): HhMmSsFf {
  const values: [number, number, number, number] = [0, 0, 0, 0];
  let p = start;
  let hasSeparator = true;
  let i = 0;
  for (; i < 3; i++) {
    const d = cParseDigits(s, p, 2);
    if (!d) return { rv: -3, values };
    [values[i], p] = d;
    const c = at(s, p++);
    if (i === 0) hasSeparator = c === ':';
    if (p >= end) return { rv: c !== '\0' ? 1 : 0, values };
    else if (hasSeparator && c === ':') continue;
    else if (c === '.' || c === ',') break;
    else if (!hasSeparator) p--;
    else return { rv: -4, values };
  }
  const toParse = Math.min(end - p, 6);
  const d = cParseDigits(s, p, toParse);
  if (!d) return { rv: -3, values };
  [values[3], p] = d;
  if (toParse < 6) values[3] *= FRACTION_CORRECTION[toParse - 1];
  while (isDigit(at(s, p))) p++;
  return { rv: at(s, p) !== '\0' ? 1 : 0, values };
}

function daysInMonth(year: number, month: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 0);
  return d.getUTCDate();
}

const pad = (value: number, width: number): string => String(value).padStart(width, '0');

function formatOffset(offsetMicros: number): string {
  const sign = offsetMicros < 0 ? '-' : '+';
  let rest = Math.abs(offsetMicros);
  const hh = Math.floor(rest / 3_600_000_000);
  rest -= hh * 3_600_000_000;
  const mm = Math.floor(rest / 60_000_000);
  rest -= mm * 60_000_000;
  const ss = Math.floor(rest / 1_000_000);
  const us = rest - ss * 1_000_000;
  let text = `${sign}${pad(hh, 2)}:${pad(mm, 2)}`;
  if (ss || us) text += `:${pad(ss, 2)}`;
  if (us) text += `.${pad(us, 6)}`;
  return text;
}

/** Python's str.isspace() characters (JS's \s also has U+FEFF and lacks \x1c-\x1f and \x85). */
const PY_SPACE = '\t\n\v\f\r \x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';

/** Python's str.strip(). */
export function pyStrip(text: string): string {
  let a = 0;
  let b = text.length;
  while (a < b && PY_SPACE.includes(text[a])) a++;
  while (b > a && PY_SPACE.includes(text[b - 1])) b--;
  return text.slice(a, b);
}

/** The reference's parse_time: null when Python would say the value is not a time. */
export function parseDecisionTime(value: unknown): DecisionTime | null {
  if (typeof value !== 'string') return null;
  let text = pyStrip(value);
  if (text === '') return null;
  if (text.endsWith('Z')) text = `${text.slice(0, -1)}+00:00`;
  try {
    return fromIsoFormat(text);
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
}

/** datetime.fromisoformat (CPython 3.11, C implementation); throws RangeError where Python raises ValueError. */
export function fromIsoFormat(text: string): DecisionTime {
  if ([...text].length < 7) throw new RangeError('Invalid isoformat string');
  // C works on the UTF-8 bytes: a non-ASCII character before the separator shifts the positions, as there.
  const s = /^[\x00-\x7f]*$/.test(text) ? text : String.fromCharCode(...new TextEncoder().encode(text));
  const sep = findSeparator(s);
  const [year, month, day] = parseDate(s, sep);
  let hour = 0;
  let minute = 0;
  let second = 0;
  let micro = 0;
  let offset: number | null = null;
  if (s.length > sep) {
    // the separator may be any one character: skip the whole of its UTF-8 sequence
    let start = sep + 1;
    while (start < s.length && (s.charCodeAt(start) & 0xc0) === 0x80 && s.charCodeAt(sep) >= 0xc0) start++;
    const end = s.length;
    let tz = start;
    do {
      const c = at(s, tz);
      if (c === 'Z' || c === '+' || c === '-') break;
    } while (++tz < end);
    const time = cParseHhMmSsFf(s, start, tz);
    if (time.rv < 0) throw new RangeError('Invalid isoformat string');
    [hour, minute, second, micro] = time.values;
    if (tz >= end) {
      if (time.rv === 1) throw new RangeError('Invalid isoformat string');
    } else if (at(s, tz) === 'Z') {
      if (at(s, tz + 1) !== '\0') throw new RangeError('Invalid isoformat string');
      offset = 0;
    } else {
      const sign = at(s, tz) === '-' ? -1 : 1;
      const zone = cParseHhMmSsFf(s, tz + 1, end);
      if (zone.rv !== 0) throw new RangeError('Invalid isoformat string');
      const [th, tm, ts, tu] = zone.values;
      offset = sign * (((th * 60 + tm) * 60 + ts) * 1_000_000 + tu);
      if (Math.abs(offset) >= 86_400_000_000) throw new RangeError('offset must be strictly within a day');
    }
  }
  if (year < 1 || year > 9999 || month < 1 || month > 12) throw new RangeError('month');
  if (day < 1 || day > daysInMonth(year, month)) throw new RangeError('day');
  if (hour > 23 || minute > 59 || second > 59) throw new RangeError('time');
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0-99 to 1900-1999.
  const wallDate = new Date(0);
  wallDate.setUTCFullYear(year, month - 1, day);
  wallDate.setUTCHours(hour, minute, second, 0);
  const wallMicros = wallDate.getTime() * 1000 + micro;
  let iso = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}`;
  if (micro) iso += `.${pad(micro, 6)}`;
  if (offset !== null) iso += formatOffset(offset === 0 ? 0 : offset);
  return { micros: offset === null ? wallMicros : wallMicros - offset, offsetMicros: offset, iso };
}

/**
 * Python orders aware datetimes by instant and naive ones by wall clock; it cannot compare the two (the
 * reference crashes on a ledger that mixes them). We order a mixed ledger by reading naive times as UTC.
 */
export function compareDecisionTimes(a: DecisionTime, b: DecisionTime): number {
  return a.micros - b.micros;
}
