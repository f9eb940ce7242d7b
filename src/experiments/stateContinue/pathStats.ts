/**
 * The replay, sorted per symbol (the seed's `_load_replay` + `groupby("symbol", sort=True)` + mergesort by
 * open_time_ms), and what the seed derives from it: `_build_path_stats` (SPEC §2) and the time-based position
 * state by age (SPEC §2, `state_source_by_age_time_based`). All over typed arrays; O(n·window).
 */
import { release } from '../../core/release.ts';
import type { Frame } from '../../data/frame.ts';
import { InputError } from '../../core/errors.ts';
import { argsortByKeys, comparePyStr, type SharedCodes } from './join.ts';
import { numberValues, requireColumns, stringColumn } from './columns.ts';

export const REPLAY_FILE = 'replay parquet';

export interface SortedReplay {
  /** Replay rows with a symbol, sorted by (symbol, open_time_ms), ties in file order. */
  rows: Int32Array;
  /** Shared symbol code per sorted row. */
  symbol: Float64Array;
  openTimeMs: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  /** Start of each symbol's block in the sorted rows, plus a sentinel. */
  groupStart: Int32Array;
}

/**
 * With `consume`, the replay frame is the caller's to drop afterwards: each of its columns read here is freed as
 * soon as its sorted copy is made, so that the replay is not held twice over (~50 MB on L).
 */
export function sortReplay(replay: Frame, symbols: SharedCodes, file = REPLAY_FILE, options: { consume?: boolean } = {}): SortedReplay {
  requireColumns(replay, ['symbol', 'event_time', 'open_time_ms', 'high', 'low', 'close', 'spread_bps'], file, 'source replay');
  const symbolColumn = stringColumn(replay, 'symbol', file);
  const times = numberValues(replay, 'open_time_ms', file);
  const high = numberValues(replay, 'high', file);
  const low = numberValues(replay, 'low', file);
  const close = numberValues(replay, 'close', file);
  for (let i = 0; i < times.length; i++) {
    if (!Number.isFinite(times[i])) {
      throw new InputError(`${file}: column open_time_ms row ${i}: expected int64 epoch milliseconds, found null`, [
        { file, field: 'open_time_ms', message: `row ${i}: expected int64 epoch milliseconds, found null` },
      ]);
    }
  }
  // Rank the dictionary by Python's string order (groupby sort=True); equal strings share a rank.
  const dict = symbolColumn.dictionary;
  const byValue = dict.map((_, i) => i).sort((a, b) => comparePyStr(dict[a], dict[b]));
  const rank = new Int32Array(dict.length);
  for (let k = 0, r = -1; k < byValue.length; k++) {
    if (k === 0 || dict[byValue[k]] !== dict[byValue[k - 1]]) r++;
    rank[byValue[k]] = r;
  }
  // groupby drops null keys; the keys are filled by plain loops (TypedArray.from with a mapping function and a
  // growing number[] cost ~0.5 s on 864k bars)
  const codes = symbolColumn.codes;
  let keptCount = 0;
  for (let i = 0; i < codes.length; i++) if (codes[i] >= 0) keptCount++;
  const keptRows = new Int32Array(keptCount);
  const rankKey = new Float64Array(keptCount);
  const timeKey = new Float64Array(keptCount);
  for (let i = 0, k = 0; i < codes.length; i++) {
    if (codes[i] < 0) continue;
    keptRows[k] = i;
    rankKey[k] = rank[codes[i]];
    timeKey[k] = times[i];
    k++;
  }
  const sorted = argsortByKeys([rankKey, timeKey], keptRows.length);
  let rows: Int32Array;
  if (sorted) {
    rows = new Int32Array(keptCount);
    for (let k = 0; k < keptCount; k++) rows[k] = keptRows[sorted.order[k]];
  } else {
    rows = keptRows.slice();
    rows.sort((a, b) => {
      const ra = rank[codes[a]];
      const rb = rank[codes[b]];
      if (ra !== rb) return ra - rb;
      if (times[a] !== times[b]) return times[a] < times[b] ? -1 : 1;
      return a - b;
    });
  }
  // the sort's keys go before the sorted columns are allocated
  release(keptRows, rankKey, timeKey, sorted?.order, sorted?.code);
  const n = rows.length;
  const starts: number[] = [];
  for (let k = 0; k < n; k++) {
    if (k === 0 || rank[codes[rows[k]]] !== rank[codes[rows[k - 1]]]) starts.push(k);
  }
  starts.push(n);
  const shared = symbols.remap(codes, dict);
  const take = (values: ArrayLike<number>, input: ArrayBufferView | null): Float64Array => {
    const out = new Float64Array(n);
    for (let k = 0; k < n; k++) out[k] = values[rows[k]];
    if (options.consume) release(input);
    return out;
  };
  const out: SortedReplay = {
    rows,
    symbol: take(shared, symbolColumn.codes),
    openTimeMs: take(times, times),
    high: take(high, high),
    low: take(low, low),
    close: take(close, close),
    groupStart: Int32Array.from(starts),
  };
  release(shared);
  return out;
}

export const SIDE_LONG = 0;
export const SIDE_SHORT = 1;
export const EXIT_REASONS = ['STOP', 'TARGET', 'HORIZON'] as const;

/** `_build_path_stats` output, columnar; `bar` indexes the sorted replay. */
export interface PathStats {
  length: number;
  bar: Int32Array;
  symbol: Float64Array;
  openTimeMs: Float64Array;
  /** 0 LONG, 1 SHORT (as float64 for joins). */
  side: Float64Array;
  futureReturnBps: Float64Array;
  maeBps: Float64Array;
  mfeBps: Float64Array;
  /** Index into EXIT_REASONS. */
  exitReason: Uint8Array;
  barsHeld: Int32Array;
}

/** The labels module's chunking (cells per block); only the row order of the output depends on it. */
const CHUNK_CELLS = 4_000_000;

/**
 * With `outcomeOnly`, the three columns the state frame does not read (mfeBps, exitReason, barsHeld) are left
 * empty rather than filled (~22 MB on L).
 */
export function buildPathStats(replay: SortedReplay, horizonMinutes: number, targetBps: number, stopBps: number, options: { outcomeOnly?: boolean } = {}): PathStats {
  const horizonMs = Math.trunc(horizonMinutes) * 60_000;
  const t = replay.openTimeMs;
  const n = t.length;
  // Window of bar k: sorted rows (start[k], end[k]) = bars in (t, t + horizon]; valid when the last is at t + horizon.
  const start = new Int32Array(n);
  const end = new Int32Array(n);
  const valid = new Uint8Array(n);
  for (let g = 0; g + 1 < replay.groupStart.length; g++) {
    const lo = replay.groupStart[g];
    const hi = replay.groupStart[g + 1];
    let s = lo;
    let e = lo;
    for (let k = lo; k < hi; k++) {
      while (s < hi && t[s] <= t[k]) s++;
      while (e < hi && t[e] <= t[k] + horizonMs) e++;
      start[k] = s;
      end[k] = e;
      valid[k] = e > s && t[e - 1] === t[k] + horizonMs ? 1 : 0;
    }
  }
  let count = 0;
  for (let k = 0; k < n; k++) count += valid[k];
  const size = 2 * count;
  const out: PathStats = {
    length: size,
    bar: new Int32Array(size),
    symbol: new Float64Array(size),
    openTimeMs: new Float64Array(size),
    side: new Float64Array(size),
    futureReturnBps: new Float64Array(size),
    maeBps: new Float64Array(size),
    mfeBps: new Float64Array(options.outcomeOnly ? 0 : size),
    exitReason: new Uint8Array(options.outcomeOnly ? 0 : size),
    barsHeld: new Int32Array(options.outcomeOnly ? 0 : size),
  };
  const { high, low, close } = replay;
  const full = !options.outcomeOnly;
  const write = (p: number, k: number, side: number, reason: number, exit: number, maxAdverse: number, maxFavorable: number) => {
    const price = close[k];
    const last = close[end[k] - 1];
    out.bar[p] = k;
    out.symbol[p] = replay.symbol[k];
    out.openTimeMs[p] = t[k];
    out.side[p] = side;
    out.futureReturnBps[p] =
      reason === 0 ? -stopBps : reason === 1 ? targetBps : side === SIDE_LONG ? (last / price - 1) * 10000 : (price / last - 1) * 10000;
    out.maeBps[p] = Math.max(maxAdverse, 0);
    if (full) {
      out.mfeBps[p] = Math.max(maxFavorable, 0);
      out.exitReason[p] = reason;
      out.barsHeld[p] = exit - start[k] + 1;
    }
  };
  // Both sides of bar k in one pass over its window: the LONG side's adverse move is the SHORT side's favourable
  // one and the other way round, so each bar's two ratios are computed once (the same expressions, the same bits).
  // The two sides' steps are written out: a loop over the sides with their state in small arrays gave the same
  // bits but was slower on L than even one side after another (832 against 669 ms with the defaults).
  const emitBoth = (k: number, longAt: number, shortAt: number) => {
    const price = close[k];
    let longAdverse = -Infinity;
    let longFavorable = -Infinity;
    let longReason = 2;
    let longExit = end[k] - 1;
    let longOpen = true;
    let shortAdverse = -Infinity;
    let shortFavorable = -Infinity;
    let shortReason = 2;
    let shortExit = end[k] - 1;
    let shortOpen = true;
    for (let j = start[k]; j < end[k] && (longOpen || shortOpen); j++) {
      const down = (price / low[j] - 1) * 10000; // LONG adverse, SHORT favourable
      const up = (high[j] / price - 1) * 10000; // LONG favourable, SHORT adverse
      // Math.max propagates NaN, as numpy's maximum.accumulate does; STOP wins over TARGET in the same bar.
      if (longOpen) {
        longAdverse = Math.max(longAdverse, down);
        longFavorable = Math.max(longFavorable, up);
        if (down >= stopBps) {
          longReason = 0;
          longExit = j;
          longOpen = false;
        } else if (up >= targetBps) {
          longReason = 1;
          longExit = j;
          longOpen = false;
        }
      }
      if (shortOpen) {
        shortAdverse = Math.max(shortAdverse, up);
        shortFavorable = Math.max(shortFavorable, down);
        if (up >= stopBps) {
          shortReason = 0;
          shortExit = j;
          shortOpen = false;
        } else if (down >= targetBps) {
          shortReason = 1;
          shortExit = j;
          shortOpen = false;
        }
      }
    }
    write(longAt, k, SIDE_LONG, longReason, longExit, longAdverse, longFavorable);
    write(shortAt, k, SIDE_SHORT, shortReason, shortExit, shortAdverse, shortFavorable);
  };
  let p = 0;
  // one symbol's valid bars at a time, in a typed array as long as the longest symbol (not a JS array per symbol)
  let longest = 0;
  for (let g = 0; g + 1 < replay.groupStart.length; g++) longest = Math.max(longest, replay.groupStart[g + 1] - replay.groupStart[g]);
  const symbolBars = new Int32Array(longest);
  for (let g = 0; g + 1 < replay.groupStart.length; g++) {
    let count = 0;
    let width = 0;
    for (let k = replay.groupStart[g]; k < replay.groupStart[g + 1]; k++) {
      if (!valid[k]) continue;
      symbolBars[count++] = k;
      width = Math.max(width, end[k] - start[k]);
    }
    const bars = symbolBars.subarray(0, count);
    // The seed emits per chunk of bars: all LONG rows, then all SHORT rows.
    const chunk = Math.max(1, Math.floor(CHUNK_CELLS / Math.max(width, 1)));
    for (let b = 0; b < bars.length; b += chunk) {
      const stop = Math.min(bars.length, b + chunk);
      for (let i = b; i < stop; i++) emitBoth(bars[i], p + (i - b), p + (stop - b) + (i - b));
      p += 2 * (stop - b);
    }
  }
  release(start, end, valid, symbolBars);
  return out;
}

/**
 * Position state for one age (SPEC §2, time-based), as bars of the sorted replay rather than copied prices: a bar
 * is a current bar of the age when the bar at exactly its time − age exists (its entry bar) and none of the four
 * prices is NaN; its entry price is the entry bar's close, its current price its own close, its high/low since
 * entry the high of `highBar` and the low of `lowBar`. On L this is 17 MB per replay instead of 52 MB of copies.
 */
export interface StateSource {
  age: number;
  /** Current bars of this age. */
  length: number;
  /** Per sorted replay bar: its entry bar, or -1 when the bar is not a current bar of this age. */
  entryBar: Int32Array;
  /** Per current bar: the bar of the highest high over [entry, current] (unset where `entryBar` is -1). */
  highBar: Int32Array;
  /** Per current bar: the bar of the lowest low over [entry, current] (unset where `entryBar` is -1). */
  lowBar: Int32Array;
}

/**
 * The arrays a state source is written into, one per replay bar, made once and reused age after age (the page's
 * collector otherwise finds each age's as garbage only after the state frame's peak).
 */
export type StateSourceScratch = Pick<StateSource, 'entryBar' | 'highBar' | 'lowBar'> & {
  /** The window max/min deques. */
  maxQ: Int32Array;
  minQ: Int32Array;
};

export function stateSourceScratch(bars: number): StateSourceScratch {
  return {
    entryBar: new Int32Array(bars),
    highBar: new Int32Array(bars),
    lowBar: new Int32Array(bars),
    maxQ: new Int32Array(bars),
    minQ: new Int32Array(bars),
  };
}

/**
 * The entry bar is the bar at exactly current − age·60000 (the first such row when times repeat); high/low
 * since entry run over the sorted rows [entry, current]; rows with any NaN among the prices are dropped (dropna).
 * With `scratch` (as many bars as the replay), the source is its arrays, valid until its next use.
 */
export function stateSourceForAge(replay: SortedReplay, age: number, scratch?: StateSourceScratch): StateSource {
  const t = replay.openTimeMs;
  const { high, low, close } = replay;
  const n = t.length;
  const ageMs = age * 60_000;
  if (scratch && scratch.entryBar.length !== n) throw new Error(`state source scratch holds ${scratch.entryBar.length} bars, the replay ${n}`);
  const space = scratch ?? stateSourceScratch(n);
  const { entryBar, highBar, lowBar } = space;
  entryBar.fill(-1);
  // Both ends of the window [entry, current] only move forward: max/min by monotonic deques (O(n) per age).
  // A NaN inside the window makes the result NaN (np.maximum propagates it), tracked by the last NaN's index.
  const { maxQ, minQ } = space;
  let p = 0;
  for (let g = 0; g + 1 < replay.groupStart.length; g++) {
    const lo = replay.groupStart[g];
    const hi = replay.groupStart[g + 1];
    let e = lo;
    let maxHead = 0;
    let maxTail = 0;
    let minHead = 0;
    let minTail = 0;
    let lastNanHigh = -1;
    let lastNanLow = -1;
    for (let k = lo; k < hi; k++) {
      const h = high[k];
      const l = low[k];
      if (h !== h) lastNanHigh = k;
      else {
        while (maxTail > maxHead && high[maxQ[maxTail - 1]] <= h) maxTail--;
        maxQ[maxTail++] = k;
      }
      if (l !== l) lastNanLow = k;
      else {
        while (minTail > minHead && low[minQ[minTail - 1]] >= l) minTail--;
        minQ[minTail++] = k;
      }
      const target = t[k] - ageMs;
      while (e < hi && t[e] < target) e++; // searchsorted(side="left"): monotone in k
      if (!(e < hi && t[e] === target)) continue;
      while (maxHead < maxTail && maxQ[maxHead] < e) maxHead++;
      while (minHead < minTail && minQ[minHead] < e) minHead++;
      // dropna: a NaN high/low inside the window, or a NaN close at either end
      if (lastNanHigh >= e || lastNanLow >= e || close[e] !== close[e] || close[k] !== close[k]) continue;
      entryBar[k] = e;
      highBar[k] = maxQ[maxHead];
      lowBar[k] = minQ[minHead];
      p++;
    }
  }
  return { age, length: p, entryBar, highBar, lowBar };
}
