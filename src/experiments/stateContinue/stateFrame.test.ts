import { describe, expect, it } from 'vitest';
import { buildJoinIndex, forgetDictionaryTable, innerJoin, matchDictionary, SharedCodes } from './join.ts';
import { eventTimeMillis, parseIsoMillis } from './columns.ts';
import { buildEntrySet, buildStateFrame, capRowsPerSplit, filterFeatureRows, parseAges, valueCounts } from './stateFrame.ts';
import { buildPathStats, sortReplay } from './pathStats.ts';
import { computeFrozenScores, firstRowPerSample } from './frozenScores.ts';
import { frameOf, numbers, strings, timestamps } from './testFrames.ts';
import type { OnnxTensor } from './inputs.ts';
import { InputError } from '../../core/errors.ts';
import { numericSlice, type Frame } from '../../data/frame.ts';

const MIN = 60_000;
const T0 = 1_709_510_400_000;

describe('pandas 1.5 inner merge order', () => {
  it('groups by key in order of first appearance in the left frame; a lone null key matches null and comes last', () => {
    // pandas 1.5.3: l.merge(r, on="k") with l.k = [b, a, b, c, None], r.k = [a, b, b, None]
    const codes = new SharedCodes();
    const l = strings(['b', 'a', 'b', 'c', null]);
    const r = strings(['a', 'b', 'b', null]);
    if (l.kind !== 'string' || r.kind !== 'string') throw new Error();
    const left = codes.remap(l.codes, l.dictionary);
    const right = codes.remap(r.codes, r.dictionary);
    const j = innerJoin([left], 5, buildJoinIndex([right], 4));
    expect(Array.from(j.left)).toEqual([0, 0, 2, 2, 1, 4]);
    expect(Array.from(j.right)).toEqual([1, 2, 1, 2, 0, 3]);
    // the null group moves behind the groups that first appear after it on the left
    const l2 = strings([null, 'b', 'a', null]);
    const r2 = strings(['a', 'b', null]);
    if (l2.kind !== 'string' || r2.kind !== 'string') throw new Error();
    const j2 = innerJoin([codes.remap(l2.codes, l2.dictionary)], 4, buildJoinIndex([codes.remap(r2.codes, r2.dictionary)], 3));
    expect(Array.from(j2.left)).toEqual([1, 2, 0, 3]);
    expect(Array.from(j2.right)).toEqual([1, 0, 2, 2]);
  });

  it('with two keys, groups by the pair', () => {
    // l = (b,1) (a,1) (b,1) (c,2); r = (a,1) (b,1) (b,1) (c,2)
    const left = [Float64Array.from([1, 0, 1, 2]), Float64Array.from([1, 1, 1, 2])];
    const right = [Float64Array.from([0, 1, 1, 2]), Float64Array.from([1, 1, 1, 2])];
    const j = innerJoin(left, 4, buildJoinIndex(right, 4));
    expect(Array.from(j.left)).toEqual([0, 0, 2, 2, 1, 3]);
    expect(Array.from(j.right)).toEqual([1, 2, 1, 2, 0, 3]);
  });

  it('dictionary codes (small integers, counting-sorted) join exactly as other numbers (sorted) do', () => {
    // The same keys shifted by ½ keep their order but are not integers: the two indexes must agree row for row.
    let seed = 7;
    const random = (m: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % m);
    for (const [n, range] of [[50, 10], [400, 400], [1000, 3]] as const) {
      const right = Float64Array.from({ length: n }, () => random(range));
      const left = Float64Array.from({ length: n + 7 }, () => random(range + 2));
      const shift = (a: Float64Array) => a.map((v) => v + 0.5);
      const dense = innerJoin([left], left.length, buildJoinIndex([right], n));
      const sorted = innerJoin([shift(left)], left.length, buildJoinIndex([shift(right)], n));
      expect(dense.left.length).toBeGreaterThan(0);
      expect(Array.from(dense.left)).toEqual(Array.from(sorted.left));
      expect(Array.from(dense.right)).toEqual(Array.from(sorted.right));
    }
  });
});

describe('join indexes on every kind of key', () => {
  /** pandas 1.5's inner merge order, the plain way: groups by first appearance in the left frame. */
  function naiveJoin(left: Float64Array[], right: Float64Array[]): { left: number[]; right: number[] } {
    const key = (cols: Float64Array[], i: number) => cols.map((c) => c[i]).join('|');
    const groups = new Map<string, number[]>();
    for (let i = 0; i < left[0].length; i++) {
      const k = key(left, i);
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k)!.push(i);
    }
    const out = { left: [] as number[], right: [] as number[] };
    for (const [k, rows] of groups) {
      const matches = [];
      for (let r = 0; r < right[0].length; r++) if (key(right, r) === k) matches.push(r);
      for (const l of rows) for (const r of matches) (out.left.push(l), out.right.push(r));
    }
    return out;
  }

  it('grid keys (bar times, codes), wide keys (counting sort off) and fractions all give the merge order', () => {
    let seed = 11;
    const random = (m: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % m);
    const T = 1_709_510_400_000;
    const cases: [string, () => number, () => number][] = [
      ['minute bars × symbols', () => T + random(40) * 60_000, () => random(3)],
      ['scattered milliseconds', () => T + random(1_000_000_007), () => random(1000)],
      ['negative and fractional', () => random(50) - 25.5, () => -random(4)],
    ];
    for (const [what, time, symbol] of cases) {
      const n = 300;
      const right = [Float64Array.from({ length: n }, symbol), Float64Array.from({ length: n }, time)];
      const left = [Float64Array.from({ length: n }, symbol), Float64Array.from({ length: n }, time)];
      for (let i = 0; i < n; i += 3) (left[0][i] = right[0][(i * 7) % n], left[1][i] = right[1][(i * 7) % n]);
      const joined = innerJoin(left, n, buildJoinIndex(right, n));
      const expected = naiveJoin(left, right);
      expect(expected.left.length, what).toBeGreaterThan(0);
      expect(Array.from(joined.left), what).toEqual(expected.left);
      expect(Array.from(joined.right), what).toEqual(expected.right);
    }
  });
});

describe('matchDictionary', () => {
  it("maps one dictionary into another's codes: absent strings get codes no entry has, repeats their first index", () => {
    const to = ['b', 'a', 'é', 'c', 'a', '💹'];
    const from = ['a', 'x', '💹', 'b', 'é', ''];
    const { from: codes, to: canonical } = matchDictionary(from, to);
    expect(Array.from(codes)).toEqual([1, to.length + 1, 5, 0, 2, to.length + 5]);
    expect(Array.from(canonical!)).toEqual([0, 1, 2, 3, 1, 5]);
    expect(matchDictionary(['q'], ['q', 'r']).to).toBeNull();
    // many entries, every one found at its index
    const big = Array.from({ length: 5000 }, (_, i) => `SYN${i % 7}-${i}`);
    expect(Array.from(matchDictionary([...big].reverse(), big).from)).toEqual(big.map((_, i) => big.length - 1 - i));
  });

  it('matches the same after the hashed dictionary is forgotten, and leaves the canonical codes it handed out whole', () => {
    const to = ['b', 'a', 'é', 'c', 'a', '💹'];
    const from = ['a', 'x', '💹', 'b', 'é', ''];
    const first = matchDictionary(from, to);
    forgetDictionaryTable(to);
    forgetDictionaryTable(to); // a second time: nothing left to free
    expect(Array.from(first.to!)).toEqual([0, 1, 2, 3, 1, 5]);
    const again = matchDictionary(from, to);
    expect(Array.from(again.from)).toEqual(Array.from(first.from));
    expect(Array.from(again.to!)).toEqual([0, 1, 2, 3, 1, 5]);
  });
});

describe('parameters and times', () => {
  it('parses ages like _parse_ages', () => {
    expect(parseAges('60,5,15,5,30')).toEqual([5, 15, 30, 60]);
    expect(parseAges(' 5 , ,15')).toEqual([5, 15]);
    for (const bad of ['', ',', '0,5', '-5', 'five', '5.0']) {
      expect(() => parseAges(bad)).toThrow(InputError);
      expect(() => parseAges(bad)).toThrow(`invalid ages-minutes: ${bad}`);
    }
  });

  it('reads ISO-8601 like pd.to_datetime(utc=True), floored to milliseconds', () => {
    expect(parseIsoMillis('2024-03-04T00:05:00Z')).toBe(Date.UTC(2024, 2, 4, 0, 5));
    expect(parseIsoMillis('2024-03-04 00:05:00')).toBe(Date.UTC(2024, 2, 4, 0, 5));
    expect(parseIsoMillis('2024-03-04T08:05:00+08:00')).toBe(Date.UTC(2024, 2, 4, 0, 5));
    expect(parseIsoMillis('2024-03-04T00:05:00.123456789Z')).toBe(Date.UTC(2024, 2, 4, 0, 5) + 123);
    expect(parseIsoMillis('2024-02-30T00:00:00Z')).toBeNaN();
    expect(() => eventTimeMillis(strings(['2024-03-04T00:05:00Z', 'yesterday']), 'label/entry_labels.parquet', 'event_time')).toThrow(
      /label\/entry_labels.parquet: column event_time row 1: expected an ISO-8601 time, found 'yesterday'/,
    );
    expect(Array.from(eventTimeMillis(timestamps([T0 + 0.9]), 'f', 'event_time'))).toEqual([T0]);
  });
});

/** Direction model that prefers LONG when f0 > 0; entry heads read f0 and f1. Two features. */
function models(): { direction: Map<string, OnnxTensor>; entry: Map<string, OnnxTensor> } {
  const t = (name: string, dims: number[], data: number[]): [string, OnnxTensor] => [name, { name, dims, data: Float32Array.from(data) }];
  return {
    direction: new Map([t('direction_W', [2, 3], [1, -1, 0, 0, 0, 0]), t('direction_B', [3], [0, 0, 0.5])]),
    entry: new Map([
      t('long_entry_prob_W', [2, 1], [1, 0]),
      t('long_entry_prob_B', [1], [0]),
      t('short_entry_prob_W', [2, 1], [0, 1]),
      t('short_entry_prob_B', [1], [0]),
      t('long_expected_net_edge_bps_W', [2, 1], [10, 0]),
      t('long_expected_net_edge_bps_B', [1], [1]),
      t('short_expected_net_edge_bps_W', [2, 1], [0, 10]),
      t('short_expected_net_edge_bps_B', [1], [-1]),
    ]),
  };
}

describe('frozen scores', () => {
  it('first row per sample_id, NaN/Inf as 0, softmax / sigmoid / identity', () => {
    const feature = frameOf({
      sample_id: strings(['a', 'b', 'a', 'c']),
      f0: numbers([1, NaN, 5, Infinity], 'float32'),
      f1: numbers([2, 3, 7, -1], 'float64'),
    });
    const { direction, entry } = models();
    const s = computeFrozenScores(feature, Int32Array.from([0, 1, 2, 3]), ['f0', 'f1'], direction, entry);
    expect(Array.from(s.sampleRows)).toEqual([0, 1, 3]);
    // row 0: z = (1, -1, 0.5)
    const e = [Math.exp(1), Math.exp(-1), Math.exp(0.5)];
    const sum = e[0] + e[1] + e[2];
    expect(s.frozen_long_prob[0]).toBeCloseTo(e[0] / sum, 6);
    expect(s.frozen_short_prob[0]).toBeCloseTo(e[1] / sum, 6);
    expect(s.frozen_long_entry_prob[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 6);
    expect(s.frozen_long_expected_net_edge_bps[0]).toBe(11);
    expect(s.frozen_short_expected_net_edge_bps[0]).toBe(19);
    // row 1: f0 NaN → 0; row 3: f0 Inf → 0
    expect(s.frozen_long_expected_net_edge_bps[1]).toBe(1);
    expect(s.frozen_long_expected_net_edge_bps[2]).toBe(1);
    expect(s.frozen_short_expected_net_edge_bps[2]).toBe(-11);
  });

  it('refuses a head whose W does not have F rows', () => {
    const { direction, entry } = models();
    const feature = frameOf({ sample_id: strings(['a']), f0: numbers([1]), f1: numbers([1]), f2: numbers([1]) });
    expect(() => computeFrozenScores(feature, Int32Array.from([0]), ['f0', 'f1', 'f2'], direction, entry)).toThrow(
      'model/direction/direction.onnx: direction_W has shape [2, 3] and direction_B [3]; expected [3, 3] and [3] (F = len(feature_order.json) = 3)',
    );
  });

  it('keeps the first of integer sample ids too', () => {
    expect(Array.from(firstRowPerSample(numbers([7, 3, 7, NaN, 3, NaN], 'int64'), Int32Array.from([0, 1, 2, 3, 4, 5])))).toEqual([0, 1, 3]);
  });
});

/**
 * One symbol, bars every minute from T0 except T0+3min (a gap). Feature rows for every bar; entries at T0 (LONG)
 * and T0+1min (SHORT); a duplicated entry sample, a non-entry and a NaN feature row.
 */
function smallRun() {
  const bars = [0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const times = bars.map((k) => T0 + k * MIN);
  const close = bars.map((k) => 100 + k);
  const replay = frameOf({
    symbol: strings(times.map(() => 'BTC')),
    event_time: timestamps(times),
    open_time_ms: numbers(times, 'int64'),
    high: numbers(close.map((c) => c + 0.5)),
    low: numbers(close.map((c) => c - 0.5)),
    close: numbers(close),
    spread_bps: numbers(times.map(() => 1)),
  });
  const splits = bars.map((k) => (k < 6 ? 'fit_inner' : 'tune'));
  const f0 = bars.map((k) => (k === 5 ? NaN : k / 10));
  const feature = frameOf({
    sample_id: strings(bars.map((k) => `s${k}`)),
    symbol: strings(times.map(() => 'BTC')),
    event_time: timestamps(times),
    open_time_ms: numbers(times, 'int64'),
    split_id: strings(splits),
    walk_forward_fold: numbers(bars.map(() => 0), 'int64'),
    data_quality_flag: strings(bars.map((k) => (k === 12 ? 'BAD' : 'OK'))),
    f0: numbers(f0, 'float32'),
    f1: numbers(bars.map((k) => -k / 10), 'float64'),
  });
  const entryLabels = frameOf({
    sample_id: strings(['s1', 's0', 's2', 's0']),
    symbol: strings(['BTC', 'BTC', 'BTC', 'BTC']),
    event_time: strings(['2024-03-04T00:01:00Z', '2024-03-04T00:00:00Z', '2024-03-04T00:02:00Z', '2024-03-04T00:00:00+00:00']),
    side: strings(['SHORT', 'LONG', 'LONG', 'SHORT']),
    entry_target: numbers([1, 1, 0, 1], 'int8'),
    split_id: strings(['fit_inner', 'fit_inner', 'fit_inner', 'fit_inner']),
    walk_forward_fold: numbers([0, 0, 0, 0], 'int64'),
  });
  return { replay, feature, entryLabels };
}

function build(ages: number[], horizon = 2, consumeSources = false) {
  const { replay, feature, entryLabels } = smallRun();
  const { direction, entry } = models();
  const symbols = new SharedCodes();
  const rows = filterFeatureRows(feature, ['f0', 'f1']);
  const scores = computeFrozenScores(feature, rows, ['f0', 'f1'], direction, entry);
  const entrySet = buildEntrySet(entryLabels, feature, scores, symbols);
  const sorted = sortReplay(replay, symbols);
  const stats = buildPathStats(sorted, horizon, 50, 30);
  const built = buildStateFrame(feature, rows, entrySet, sorted, stats, symbols, {
    featureOrder: ['f0', 'f1'],
    ages: parseAges(ages.join(',')),
    stopBps: 30,
    targetBps: 50,
    costBps: 4,
    minContinueEdgeBps: 5,
    consumeSources,
  });
  return { ...built, entrySet, scores, feature, sorted, stats };
}

const col = (frame: Frame, name: string) => {
  const c = frame.columns[name];
  if (c.kind === 'string') return Array.from(c.codes, (k) => (k < 0 ? null : c.dictionary[k]));
  if (c.kind === 'number') return Array.from(c.values);
  if (c.kind === 'timestamp') return Array.from(c.micros);
  if (c.kind === 'indexed') return Array.from(numericSlice(c));
  return Array.from(c.values);
};

describe('state frame', () => {
  it('consumeSources: the same frame, with the sorted replay and the path stats freed', () => {
    const kept = build([1, 2]);
    const consumed = build([1, 2], 2, true);
    expect(consumed.frame.names).toEqual(kept.frame.names);
    for (const name of kept.frame.names) expect(col(consumed.frame, name)).toEqual(col(kept.frame, name));
    expect(kept.frame.length).toBeGreaterThan(0);
    for (const key of ['rows', 'symbol', 'openTimeMs', 'high', 'low', 'close'] as const) expect(consumed.sorted[key].byteLength).toBe(0);
    for (const key of ['bar', 'symbol', 'openTimeMs', 'side', 'futureReturnBps', 'maeBps'] as const) expect(consumed.stats[key].byteLength).toBe(0);
    expect(kept.stats.futureReturnBps.byteLength).toBeGreaterThan(0);
  });

  it('entry set: entry_target 1 and LONG/SHORT, merged on sample_id in pandas order, side-selected frozen outputs', () => {
    const { entrySet, scores } = build([1]);
    // entry rows 0 (s1 SHORT), 1 (s0 LONG), 3 (s0 SHORT); grouped by first appearance of the sample: s1, then s0 twice
    expect(Array.from(entrySet.entryRow)).toEqual([0, 1, 3]);
    expect(Array.from(entrySet.entryOpenTimeMs)).toEqual([T0 + MIN, T0, T0]);
    // s0 is the first unique sample: long prob for the LONG row, short prob for the SHORT row
    expect(entrySet.entryDirectionProb[1]).toBe(scores.frozen_long_prob[0]);
    expect(entrySet.entryDirectionProb[2]).toBe(scores.frozen_short_prob[0]);
    expect(entrySet.entryPredictedEdgeBps[1]).toBe(scores.frozen_long_expected_net_edge_bps[0]);
  });

  it('rows per age in sorted age order, state features by the seed formulas, rows without a bar, feature or outcome dropped', () => {
    const { frame, ageRowCounts } = build([2, 1]);
    // age 1: s1 SHORT (entry T0+1) → current T0+2 has a 2-minute outcome; s0 LONG/SHORT → current T0+1 has none
    // (T0+3 is a gap). age 2: s1 → T0+3 has no bar; s0 LONG/SHORT → current T0+2.
    expect(ageRowCounts).toEqual([
      { age: 1, rows: 1 },
      { age: 2, rows: 2 },
    ]);
    expect(frame.names.slice(0, 9)).toEqual(['sample_id', 'symbol', 'event_time', 'open_time_ms', 'position_side', 'split_id', 'walk_forward_fold', 'f0', 'f1']);
    expect(frame.names.slice(-2)).toEqual(['continue_target', 'expected_continue_edge_bps']);
    expect(col(frame, 'sample_id')).toEqual(['s2', 's2', 's2']);
    expect(col(frame, 'position_side')).toEqual(['SHORT', 'LONG', 'SHORT']);
    expect(col(frame, 'time_in_position_minutes')).toEqual([1, 2, 2]);
    expect(col(frame, 'open_time_ms')).toEqual([T0 + 2 * MIN, T0 + 2 * MIN, T0 + 2 * MIN]);
    const f32 = (x: number) => Math.fround(x);
    // LONG from close 100 (T0) to 102 (T0+2); high/low since entry over bars T0..T0+2: 102.5 / 99.5
    expect(col(frame, 'unrealized_pnl_bps')[1]).toBe(f32((102 / 100 - 1) * 10000 - 4));
    expect(col(frame, 'mfe_since_entry_bps')[1]).toBe(f32((102.5 / 100 - 1) * 10000));
    expect(col(frame, 'mae_since_entry_bps')[1]).toBe(f32((100 / 99.5 - 1) * 10000));
    expect(col(frame, 'distance_to_stop_bps')[1]).toBe(f32((102 / (100 * (1 - 30 / 10000)) - 1) * 10000));
    expect(col(frame, 'distance_to_target_bps')[2]).toBe(f32((102 / (100 * (1 - 50 / 10000)) - 1) * 10000));
    // SHORT from 101 (T0+1) to 102 (T0+2), age 1
    expect(col(frame, 'unrealized_pnl_bps')[0]).toBe(f32((101 / 102 - 1) * 10000 - 4));
    expect(col(frame, 'mae_since_entry_bps')[0]).toBe(f32((102.5 / 101 - 1) * 10000));
    expect(col(frame, 'position_side_sign')).toEqual([-1, 1, -1]);
    expect(col(frame, 'add_count')).toEqual([0, 0, 0]);
    expect(col(frame, 'minutes_since_last_add')).toEqual([9999, 9999, 9999]);
    expect(frame.columns.continue_target).toMatchObject({ kind: 'number', type: 'int8' });
    expect(frame.columns.event_time.kind).toBe('timestamp');
  });

  it("reads the market columns from the feature frame's own arrays by feature row (no copy)", () => {
    const { frame, feature } = build([1, 2]);
    for (const name of ['f0', 'f1']) {
      const column = frame.columns[name];
      const source = feature.columns[name];
      if (column.kind !== 'indexed' || source.kind !== 'number') throw new Error(`${name}: expected an indexed column over a numeric one`);
      expect(column.type).toBe(source.type);
      expect(column.source).toBe(source.values);
      expect(column.index.length).toBe(frame.length);
      // each state row's value is its feature row's, as its sample_id and event_time say
      const sampleIds = feature.columns.sample_id;
      const stateIds = frame.columns.sample_id;
      if (sampleIds.kind !== 'string' || stateIds.kind !== 'string') throw new Error('sample_id must be strings');
      for (let i = 0; i < frame.length; i++) {
        expect(stateIds.dictionary[stateIds.codes[i]]).toBe(sampleIds.dictionary[sampleIds.codes[column.index[i]]]);
      }
    }
    // the two columns share one index, and a row cap takes it once
    const [f0, f1] = [frame.columns.f0, frame.columns.f1];
    if (f0.kind !== 'indexed' || f1.kind !== 'indexed') throw new Error('indexed');
    expect(f0.index).toBe(f1.index);
    const capped = capRowsPerSplit(frame, 1).frame;
    const [c0, c1] = [capped.columns.f0, capped.columns.f1];
    if (c0.kind !== 'indexed' || c1.kind !== 'indexed') throw new Error('indexed after the cap');
    expect(c0.index).toBe(c1.index);
    expect(c0.source).toBe(f0.source);
    expect(col(capped, 'f0')).toEqual(Array.from(c0.index, (r) => f0.source[r]));
  });

  it('drops rows whose model columns hold NaN (the NaN feature at T0+5)', () => {
    const { frame, ageRowCounts } = build([4]);
    // entries T0 → T0+4 (f0 fine), T0+1 → T0+5 (f0 NaN: dropped by dropna after the joins)
    expect(ageRowCounts).toEqual([{ age: 4, rows: 3 }]);
    expect(col(frame, 'sample_id')).toEqual(['s4', 's4']);
  });

  it('value counts by count, then first appearance', () => {
    const frame = frameOf({ split_id: strings(['tune', 'fit_inner', 'fit_inner', 'tune', 'latest_stress']) });
    expect(valueCounts(frame, 'split_id')).toEqual([
      ['tune', 2],
      ['fit_inner', 2],
      ['latest_stress', 1],
    ]);
  });
});

describe('cap rows per split', () => {
  it('keeps the latest rows of each split by event_time; splits in order of first appearance after the sort; ties stable', () => {
    const frame = frameOf({
      event_time: strings(['2024-01-03', '2024-01-01', '2024-01-02', '2024-01-02', '2024-01-05', '2024-01-04']),
      split_id: strings(['tune', 'fit_inner', 'fit_inner', 'tune', 'fit_inner', 'tune']),
      v: numbers([0, 1, 2, 3, 4, 5]),
    });
    const { frame: capped, splits } = capRowsPerSplit(frame, 2);
    // sorted: 1(fit) 2(fit) 3(tune) 0(tune) 5(tune) 4(fit) → fit_inner first; keep last 2 of each
    expect(splits).toEqual([
      { splitId: 'fit_inner', rows: 2 },
      { splitId: 'tune', rows: 2 },
    ]);
    expect(col(capped, 'v')).toEqual([2, 4, 0, 5]);
  });
});
