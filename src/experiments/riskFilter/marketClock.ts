/**
 * Market clock: is the configured market open at a given instant? Training must never run while it is (the seed:
 * "No online learning - training only after market close"). Wall-clock hours in the market's own time zone via
 * Intl.DateTimeFormat, so daylight-saving changes need no table. Exchange holidays are not modelled: a holiday
 * reads as an ordinary weekday (the safe side: the cycle is refused, and can be forced).
 */

export interface MarketConfig {
  name: string;
  /** IANA time zone, e.g. America/New_York. */
  timeZone: string;
  /** Opening and closing wall-clock times, `HH:MM`; open for open <= t < close. */
  open: string;
  close: string;
  /** ISO weekdays the market trades on: 1 = Monday … 7 = Sunday. */
  days: number[];
}

export const US_EQUITIES: MarketConfig = {
  name: 'US equities',
  timeZone: 'America/New_York',
  open: '09:30',
  close: '16:00',
  days: [1, 2, 3, 4, 5],
};

export interface MarketStatus {
  open: boolean;
  /** Local wall clock in the market's zone, `YYYY-MM-DD HH:MM` and weekday name. */
  local: string;
  weekday: string;
  /** Why: "open 09:30–16:00 America/New_York", "closed: weekend", "closed: after 16:00"… */
  reason: string;
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Minutes after local midnight, ISO weekday and the local date in `timeZone` at `at`. */
export function localClock(at: Date, timeZone: string): { minutes: number; isoWeekday: number; date: string; time: string } {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(at).map((p) => [p.type, p.value]));
  const hour = Number(parts.hour) % 24;
  const minute = Number(parts.minute);
  return {
    minutes: hour * 60 + minute + Number(parts.second) / 60,
    isoWeekday: WEEKDAYS.indexOf(parts.weekday) + 1,
    date: `${parts.year}-${parts.month}-${parts.day}`,
    time: `${String(hour).padStart(2, '0')}:${parts.minute}`,
  };
}

export function parseHhMm(text: string, what: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m || Number(m[1]) > 24 || Number(m[2]) > 59) throw new RangeError(`${what} must be HH:MM, found ${JSON.stringify(text)}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Problems of a market configuration (an unknown time zone, bad hours, no trading day). */
export function marketConfigProblems(config: MarketConfig): string[] {
  const problems: string[] = [];
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: config.timeZone });
  } catch {
    problems.push(`time zone ${JSON.stringify(config.timeZone)} is not an IANA time zone (e.g. America/New_York)`);
  }
  let open = NaN;
  let close = NaN;
  try {
    open = parseHhMm(config.open, 'opening time');
  } catch (e) {
    problems.push((e as Error).message);
  }
  try {
    close = parseHhMm(config.close, 'closing time');
  } catch (e) {
    problems.push((e as Error).message);
  }
  if (open >= close) problems.push(`the opening time ${config.open} must be before the closing time ${config.close}`);
  if (!config.days.length || !config.days.every((d) => Number.isInteger(d) && d >= 1 && d <= 7)) problems.push('trading days must be weekdays 1 (Monday) to 7 (Sunday)');
  return problems;
}

export function marketStatus(config: MarketConfig, at: Date): MarketStatus {
  const clock = localClock(at, config.timeZone);
  const open = parseHhMm(config.open, 'opening time');
  const close = parseHhMm(config.close, 'closing time');
  const weekday = WEEKDAYS[clock.isoWeekday - 1];
  const local = `${clock.date} ${clock.time}`;
  const hours = `${config.open}–${config.close} ${config.timeZone}`;
  if (!config.days.includes(clock.isoWeekday)) return { open: false, local, weekday, reason: `closed: ${weekday} is not a trading day (${hours})` };
  if (clock.minutes < open) return { open: false, local, weekday, reason: `closed: before the open (${hours})` };
  if (clock.minutes >= close) return { open: false, local, weekday, reason: `closed: after the close (${hours})` };
  return { open: true, local, weekday, reason: `open: ${hours}` };
}

export function isMarketOpen(config: MarketConfig, at: Date): boolean {
  return marketStatus(config, at).open;
}
