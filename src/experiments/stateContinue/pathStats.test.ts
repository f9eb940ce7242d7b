import { describe, expect, it } from 'vitest';
import { buildPathStats, EXIT_REASONS, SIDE_LONG, sortReplay, stateSourceForAge, type SortedReplay, type StateSource } from './pathStats.ts';
import { SharedCodes } from './join.ts';
import { frameOf, numbers, strings } from './testFrames.ts';

const MIN = 60_000;

/** A replay of `symbols` with random walks, and bars missing at random (gaps). Rows shuffled. */
function gappyReplay(seed: number, bars: number, gapRate: number) {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const symbol: string[] = [];
  const time: number[] = [];
  const high: number[] = [];
  const low: number[] = [];
  const close: number[] = [];
  for (const sym of ['ETH', 'BTC']) {
    let price = 100;
    for (let k = 0; k < bars; k++) {
      price *= 1 + (rand() - 0.5) * 0.004;
      if (rand() < gapRate) continue;
      symbol.push(sym);
      time.push(1_700_000_000_000 + k * MIN);
      close.push(price);
      high.push(price * (1 + rand() * 0.002));
      low.push(price * (1 - rand() * 0.002));
    }
  }
  const order = symbol.map((_, i) => i).sort(() => rand() - 0.5);
  const pick = <T,>(a: T[]) => order.map((i) => a[i]);
  return frameOf({
    symbol: strings(pick(symbol)),
    event_time: numbers(pick(time)),
    open_time_ms: numbers(pick(time), 'int64'),
    high: numbers(pick(high)),
    low: numbers(pick(low)),
    close: numbers(pick(close)),
    spread_bps: numbers(pick(time).map(() => 1)),
  });
}

/** SPEC §2 read literally, one (bar, side) at a time. */
function plainPathStats(r: SortedReplay, horizon: number, target: number, stop: number) {
  const out: { key: string; ret: number; mae: number; mfe: number; reason: string; held: number }[] = [];
  const n = r.openTimeMs.length;
  for (let t = 0; t < n; t++) {
    const window: number[] = [];
    for (let j = 0; j < n; j++) {
      if (r.symbol[j] === r.symbol[t] && r.openTimeMs[j] > r.openTimeMs[t] && r.openTimeMs[j] <= r.openTimeMs[t] + horizon * MIN) window.push(j);
    }
    window.sort((a, b) => r.openTimeMs[a] - r.openTimeMs[b]);
    if (!window.length || r.openTimeMs[window[window.length - 1]] !== r.openTimeMs[t] + horizon * MIN) continue;
    for (const side of ['LONG', 'SHORT']) {
      const p = r.close[t];
      let mae = 0;
      let mfe = 0;
      let reason = 'HORIZON';
      let ret = NaN;
      let held = 0;
      for (const j of window) {
        held++;
        const adverse = side === 'LONG' ? (p / r.low[j] - 1) * 1e4 : (r.high[j] / p - 1) * 1e4;
        const favorable = side === 'LONG' ? (r.high[j] / p - 1) * 1e4 : (p / r.low[j] - 1) * 1e4;
        mae = Math.max(mae, adverse);
        mfe = Math.max(mfe, favorable);
        if (adverse >= stop) {
          reason = 'STOP';
          ret = -stop;
          break;
        }
        if (favorable >= target) {
          reason = 'TARGET';
          ret = target;
          break;
        }
      }
      if (reason === 'HORIZON') {
        const last = r.close[window[window.length - 1]];
        ret = side === 'LONG' ? (last / p - 1) * 1e4 : (p / last - 1) * 1e4;
      }
      out.push({ key: `${r.symbol[t]}|${r.openTimeMs[t]}|${side}`, ret, mae, mfe, reason, held });
    }
  }
  return out;
}

describe('path stats (SPEC §2)', () => {
  it('sortReplay with consume gives the same sorted replay and frees the columns it read; outcomeOnly keeps the state frame\'s columns', () => {
    const kept = sortReplay(gappyReplay(11, 120, 0.1), new SharedCodes());
    const input = gappyReplay(11, 120, 0.1);
    const consumed = sortReplay(input, new SharedCodes(), undefined, { consume: true });
    for (const key of ['rows', 'symbol', 'openTimeMs', 'high', 'low', 'close', 'groupStart'] as const) expect(Array.from(consumed[key])).toEqual(Array.from(kept[key]));
    // the columns it read are freed (detached); the ones it does not read are the caller's to free
    for (const name of ['open_time_ms', 'high', 'low', 'close']) expect((input.columns[name] as { values: Float64Array }).values.byteLength).toBe(0);
    expect((input.columns.symbol as { codes: Int32Array }).codes.byteLength).toBe(0);
    expect((input.columns.spread_bps as { values: Float64Array }).values.byteLength).toBeGreaterThan(0);

    const full = buildPathStats(kept, 10, 40, 35);
    const outcome = buildPathStats(kept, 10, 40, 35, { outcomeOnly: true });
    for (const key of ['bar', 'symbol', 'openTimeMs', 'side', 'futureReturnBps', 'maeBps'] as const) expect(Array.from(outcome[key])).toEqual(Array.from(full[key]));
    expect(outcome.length).toBe(full.length);
    expect([outcome.mfeBps.length, outcome.exitReason.length, outcome.barsHeld.length]).toEqual([0, 0, 0]);
    expect(full.mfeBps.length).toBe(full.length);
  });

  it('agree with a plain loop over a replay with gaps, shuffled rows and two symbols', () => {
    const replay = sortReplay(gappyReplay(7, 240, 0.15), new SharedCodes());
    // sorted per symbol (Python string order: BTC before ETH), then time
    for (let k = 1; k < replay.openTimeMs.length; k++) {
      if (replay.symbol[k] === replay.symbol[k - 1]) expect(replay.openTimeMs[k]).toBeGreaterThan(replay.openTimeMs[k - 1]);
    }
    const stats = buildPathStats(replay, 10, 40, 35);
    const plain = plainPathStats(replay, 10, 40, 35);
    expect(stats.length).toBe(plain.length);
    expect(plain.length).toBeGreaterThan(100);
    const ours = new Map<string, number>();
    for (let i = 0; i < stats.length; i++) ours.set(`${stats.symbol[i]}|${stats.openTimeMs[i]}|${stats.side[i] === SIDE_LONG ? 'LONG' : 'SHORT'}`, i);
    const reasons = new Set<string>();
    for (const row of plain) {
      const i = ours.get(row.key);
      expect(i, row.key).toBeDefined();
      expect(stats.futureReturnBps[i!]).toBeCloseTo(row.ret, 9);
      expect(stats.maeBps[i!]).toBeCloseTo(row.mae, 9);
      expect(stats.mfeBps[i!]).toBeCloseTo(row.mfe, 9);
      expect(EXIT_REASONS[stats.exitReason[i!]]).toBe(row.reason);
      expect(stats.barsHeld[i!]).toBe(row.held);
      reasons.add(row.reason);
    }
    expect([...reasons].sort()).toEqual(['HORIZON', 'STOP', 'TARGET']);
  });

  it('STOP wins over TARGET in the same bar; the bar at t + horizon must exist', () => {
    const t0 = 1_700_000_000_000;
    const replay = sortReplay(
      frameOf({
        symbol: strings(['X', 'X', 'X', 'X']),
        event_time: numbers([0, 0, 0, 0]),
        open_time_ms: numbers([t0, t0 + MIN, t0 + 2 * MIN, t0 + 4 * MIN], 'int64'),
        // bar 1 spans both the stop (low) and the target (high) of a LONG opened at 100
        high: numbers([100, 101, 100, 100]),
        low: numbers([100, 99, 100, 100]),
        close: numbers([100, 100, 100, 100]),
        spread_bps: numbers([0, 0, 0, 0]),
      }),
      new SharedCodes(),
    );
    const stats = buildPathStats(replay, 2, 50, 50);
    // t0: window (t0, t0+2] ends on an existing bar; t0+1: t0+3 is missing; t0+2: t0+4 exists; t0+4: nothing after
    expect(Array.from(stats.openTimeMs.filter((_, i) => stats.side[i] === SIDE_LONG))).toEqual([t0, t0 + 2 * MIN]);
    const long0 = 0;
    expect(EXIT_REASONS[stats.exitReason[long0]]).toBe('STOP');
    expect(stats.futureReturnBps[long0]).toBe(-50);
    expect(stats.barsHeld[long0]).toBe(1);
    // the window of t0+2 holds one bar (t0+3 is a gap): HORIZON at t0+4
    const long2 = Array.from(stats.openTimeMs).findIndex((t, i) => t === t0 + 2 * MIN && stats.side[i] === SIDE_LONG);
    expect(EXIT_REASONS[stats.exitReason[long2]]).toBe('HORIZON');
    expect(stats.barsHeld[long2]).toBe(1);
  });
});

/** The current bars of a state source, in replay order. */
function sourceBars(s: StateSource): number[] {
  const bars: number[] = [];
  for (let k = 0; k < s.entryBar.length; k++) if (s.entryBar[k] >= 0) bars.push(k);
  return bars;
}

describe('time-based position state (SPEC §2)', () => {
  it('takes the entry bar at exactly current − age and high/low over [entry, current] by time; rows without an entry bar are dropped', () => {
    const t0 = 1_700_000_000_000;
    const times = [0, 1, 2, 4, 5, 6].map((k) => t0 + k * MIN); // bar 3 missing
    const replay = sortReplay(
      frameOf({
        symbol: strings(times.map(() => 'X')),
        event_time: numbers(times),
        open_time_ms: numbers(times, 'int64'),
        high: numbers([10, 11, 12, 14, 15, 16]),
        low: numbers([0, 1, 2, 4, 5, 6]),
        close: numbers([100, 101, 102, 104, 105, 106]),
        spread_bps: numbers(times.map(() => 0)),
      }),
      new SharedCodes(),
    );
    const s = stateSourceForAge(replay, 2);
    const current = sourceBars(s);
    // current bars with a bar 2 minutes earlier: 2 (entry 0), 5 (entry 3: missing → dropped), 4 (entry 2), 6 (entry 4)
    expect(s.length).toBe(3);
    expect(current.map((k) => replay.openTimeMs[k])).toEqual([t0 + 2 * MIN, t0 + 4 * MIN, t0 + 6 * MIN]);
    expect(current.map((k) => replay.close[s.entryBar[k]])).toEqual([100, 102, 104]);
    expect(current.map((k) => replay.close[k])).toEqual([102, 104, 106]);
    // high over [entry, current] by time: for current 4 (entry 2) the bars 2 and 4 (3 is a gap), not a 3-row window
    expect(current.map((k) => replay.high[s.highBar[k]])).toEqual([12, 14, 16]);
    expect(current.map((k) => replay.low[s.lowBar[k]])).toEqual([0, 2, 4]);
  });

  it('agrees with the definition on a gappy two-symbol replay with NaN prices, for several ages', () => {
    const frame = gappyReplay(11, 300, 0.2);
    const high = frame.columns.high;
    const close = frame.columns.close;
    if (high.kind !== 'number' || close.kind !== 'number') throw new Error();
    high.values[17] = NaN;
    close.values[40] = NaN;
    const replay = sortReplay(frame, new SharedCodes());
    const n = replay.openTimeMs.length;
    for (const age of [1, 5, 30]) {
      const s = stateSourceForAge(replay, age);
      const expected: number[][] = [];
      for (let k = 0; k < n; k++) {
        let e = -1;
        for (let j = 0; j < n; j++) if (replay.symbol[j] === replay.symbol[k] && replay.openTimeMs[j] === replay.openTimeMs[k] - age * MIN) e = j;
        if (e < 0) continue;
        let hi = -Infinity;
        let lo = Infinity;
        for (let j = 0; j < n; j++) {
          if (replay.symbol[j] !== replay.symbol[k] || replay.openTimeMs[j] < replay.openTimeMs[e] || replay.openTimeMs[j] > replay.openTimeMs[k]) continue;
          hi = Math.max(hi, replay.high[j]);
          lo = Math.min(lo, replay.low[j]);
        }
        const row = [k, replay.close[e], replay.close[k], hi, lo];
        if (row.some((v) => Number.isNaN(v))) continue;
        expected.push(row);
      }
      const ours = sourceBars(s).map((k) => [k, replay.close[s.entryBar[k]], replay.close[k], replay.high[s.highBar[k]], replay.low[s.lowBar[k]]]);
      expect(ours.length).toBe(s.length);
      expect(ours).toEqual(expected);
      expect(ours.length).toBeGreaterThan(100);
    }
  });
});
