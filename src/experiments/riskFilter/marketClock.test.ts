import { describe, expect, it } from 'vitest';
import { isMarketOpen, marketConfigProblems, marketStatus, US_EQUITIES, type MarketConfig } from './marketClock.ts';

const at = (iso: string) => new Date(iso);

describe('US equities clock (09:30–16:00 America/New_York, Mon–Fri)', () => {
  it('winter (EST, UTC−5)', () => {
    expect(isMarketOpen(US_EQUITIES, at('2026-01-27T14:29:59Z'))).toBe(false); // 09:29:59
    expect(isMarketOpen(US_EQUITIES, at('2026-01-27T14:30:00Z'))).toBe(true); // 09:30
    expect(isMarketOpen(US_EQUITIES, at('2026-01-27T20:59:59Z'))).toBe(true); // 15:59:59
    expect(isMarketOpen(US_EQUITIES, at('2026-01-27T21:00:00Z'))).toBe(false); // 16:00
  });

  it('summer (EDT, UTC−4)', () => {
    expect(isMarketOpen(US_EQUITIES, at('2026-07-14T13:30:00Z'))).toBe(true); // 09:30 EDT
    expect(isMarketOpen(US_EQUITIES, at('2026-07-14T13:29:00Z'))).toBe(false);
    expect(isMarketOpen(US_EQUITIES, at('2026-07-14T20:00:00Z'))).toBe(false); // 16:00 EDT
    expect(isMarketOpen(US_EQUITIES, at('2026-07-14T14:30:00Z'))).toBe(true);
  });

  it('DST edges: the Monday after the spring and autumn changes', () => {
    // 2026-03-08 clocks go forward: Monday 09 March opens at 13:30Z, not 14:30Z
    expect(isMarketOpen(US_EQUITIES, at('2026-03-09T13:30:00Z'))).toBe(true);
    expect(isMarketOpen(US_EQUITIES, at('2026-03-06T13:30:00Z'))).toBe(false); // the Friday before: 08:30 EST
    // 2026-11-01 clocks go back: Monday 02 November opens at 14:30Z
    expect(isMarketOpen(US_EQUITIES, at('2026-11-02T13:30:00Z'))).toBe(false);
    expect(isMarketOpen(US_EQUITIES, at('2026-11-02T14:30:00Z'))).toBe(true);
    expect(isMarketOpen(US_EQUITIES, at('2026-10-30T20:30:00Z'))).toBe(false); // Friday 16:30 EDT
  });

  it('hours inside the DST jump: 02:00–03:00 does not exist in spring and happens twice in autumn', () => {
    const night: MarketConfig = { name: 'night', timeZone: 'America/New_York', open: '01:00', close: '03:00', days: [1, 2, 3, 4, 5, 6, 7] };
    expect(isMarketOpen(night, at('2026-03-08T06:30:00Z'))).toBe(true); // 01:30 EST
    expect(isMarketOpen(night, at('2026-03-08T07:00:00Z'))).toBe(false); // 03:00 EDT: the hour 02:xx was skipped
    expect(marketStatus(night, at('2026-03-08T07:00:00Z')).local).toBe('2026-03-08 03:00');
    expect(isMarketOpen(night, at('2026-11-01T05:30:00Z'))).toBe(true); // 01:30 EDT
    expect(isMarketOpen(night, at('2026-11-01T06:30:00Z'))).toBe(true); // 01:30 EST, the second time
    expect(isMarketOpen(night, at('2026-11-01T07:30:00Z'))).toBe(true); // 02:30 EST
    expect(isMarketOpen(night, at('2026-11-01T08:00:00Z'))).toBe(false); // 03:00 EST
  });

  it('weekends and the UTC date line', () => {
    expect(marketStatus(US_EQUITIES, at('2026-01-31T15:00:00Z'))).toMatchObject({ open: false, weekday: 'Sat', reason: expect.stringMatching(/not a trading day/) });
    // Saturday 01:00 UTC is still Friday 20:00 in New York: closed after the close, not a weekend
    expect(marketStatus(US_EQUITIES, at('2026-01-31T01:00:00Z'))).toMatchObject({ open: false, weekday: 'Fri', local: '2026-01-30 20:00' });
  });

  it('other markets and bad settings', () => {
    const tokyo: MarketConfig = { name: 'Tokyo', timeZone: 'Asia/Tokyo', open: '09:00', close: '15:00', days: [1, 2, 3, 4, 5] };
    expect(isMarketOpen(tokyo, at('2026-01-27T00:30:00Z'))).toBe(true); // 09:30 JST
    expect(isMarketOpen(tokyo, at('2026-01-27T06:30:00Z'))).toBe(false);
    expect(marketConfigProblems(US_EQUITIES)).toEqual([]);
    expect(marketConfigProblems({ ...tokyo, timeZone: 'Mars/Olympus', open: '16:00', close: '9:x' })).toEqual([
      'time zone "Mars/Olympus" is not an IANA time zone (e.g. America/New_York)',
      'closing time must be HH:MM, found "9:x"',
    ]);
  });
});
