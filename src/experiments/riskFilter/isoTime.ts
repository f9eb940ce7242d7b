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

function digits(text: string): number {
  if (text.length === 0 || ![...text].every(isDigit)) throw new RangeError('digits');
  return Number(text);
}

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

function parseDate(s: string): [number, number, number] {
  if (![7, 8, 10].includes(s.length)) throw new RangeError('date length');
  const year = digits(s.slice(0, 4));
  const hasSep = s[4] === '-';
  let pos = 4 + (hasSep ? 1 : 0);
  if (s[pos] === 'W') {
    pos += 1;
    const week = digits(s.slice(pos, pos + 2));
    pos += 2;
    let day = 1;
    if (s.length > pos) {
      if ((s[pos] === '-') !== hasSep) throw new RangeError('Inconsistent use of dash separator');
      pos += hasSep ? 1 : 0;
      day = digits(s.slice(pos, pos + 1));
    }
    return isoWeekToGregorian(year, week, day);
  }
  const month = digits(s.slice(pos, pos + 2));
  pos += 2;
  if ((s[pos] === '-') !== hasSep) throw new RangeError('Inconsistent use of dash separator');
  pos += hasSep ? 1 : 0;
  const day = digits(s.slice(pos, pos + 2));
  if (pos + 2 !== s.length) throw new RangeError('date length');
  return [year, month, day];
}

const FRACTION_CORRECTION = [100000, 10000, 1000, 100, 10];

function parseHhMmSsFf(s: string): [number, number, number, number] {
  const comps: [number, number, number, number] = [0, 0, 0, 0];
  let pos = 0;
  let hasSep = false;
  for (let comp = 0; comp < 3; comp++) {
    if (s.length - pos < 2) throw new RangeError('Incomplete time component');
    comps[comp] = digits(s.slice(pos, pos + 2));
    pos += 2;
    const next = s[pos];
    if (comp === 0) hasSep = next === ':';
    if (next === undefined || comp >= 2) break;
    if (hasSep && next !== ':') throw new RangeError('Invalid time separator');
    pos += hasSep ? 1 : 0;
  }
  if (pos < s.length) {
    if (s[pos] !== '.' && s[pos] !== ',') throw new RangeError('Invalid microsecond component');
    pos += 1;
    const remainder = s.length - pos;
    const toParse = Math.min(remainder, 6);
    comps[3] = digits(s.slice(pos, pos + toParse));
    if (toParse < 6) comps[3] *= FRACTION_CORRECTION[toParse - 1];
    if (remainder > toParse && ![...s.slice(pos + toParse)].every(isDigit)) throw new RangeError('Non-digit values in unparsed fraction');
  }
  return comps;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
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

/** The reference's parse_time: null when Python would say the value is not a time. */
export function parseDecisionTime(value: unknown): DecisionTime | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  let text = value.trim();
  if (text.endsWith('Z')) text = `${text.slice(0, -1)}+00:00`;
  try {
    return fromIsoFormat(text);
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
}

/** datetime.fromisoformat (Python 3.11); throws RangeError where Python raises ValueError. */
export function fromIsoFormat(s: string): DecisionTime {
  if (s.length < 7) throw new RangeError('Invalid isoformat string');
  const sep = findSeparator(s);
  const [year, month, day] = parseDate(s.slice(0, sep));
  const tstr = s.slice(sep + 1);
  let hour = 0;
  let minute = 0;
  let second = 0;
  let micro = 0;
  let offset: number | null = null;
  if (tstr) {
    if (tstr.length < 2) throw new RangeError('Isoformat time too short');
    const tzPos = tstr.indexOf('-') + 1 || tstr.indexOf('+') + 1 || tstr.indexOf('Z') + 1;
    const timestr = tzPos > 0 ? tstr.slice(0, tzPos - 1) : tstr;
    [hour, minute, second, micro] = parseHhMmSsFf(timestr);
    if (tzPos === tstr.length && tstr.endsWith('Z')) offset = 0;
    else if (tzPos > 0) {
      const tzstr = tstr.slice(tzPos);
      if ([0, 1, 3].includes(tzstr.length)) throw new RangeError('Malformed time zone string');
      const [th, tm, ts, tu] = parseHhMmSsFf(tzstr);
      const magnitude = ((th * 60 + tm) * 60 + ts) * 1_000_000 + tu;
      offset = tstr[tzPos - 1] === '-' ? -magnitude : magnitude;
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
  if (offset !== null) iso += formatOffset(offset);
  return { micros: offset === null ? wallMicros : wallMicros - offset, offsetMicros: offset, iso };
}

/**
 * Python orders aware datetimes by instant and naive ones by wall clock; it cannot compare the two (the
 * reference crashes on a ledger that mixes them). We order a mixed ledger by reading naive times as UTC.
 */
export function compareDecisionTimes(a: DecisionTime, b: DecisionTime): number {
  return a.micros - b.micros;
}
