/**
 * The state-continue training frame (the seed's `_load_feature_frame`, `_load_entry_labels`, `_build_state_frame`,
 * `_state_rows_for_age`, `_cap_rows_per_split`), with the seed's row order, column order and column types.
 *
 * Joins are pandas 1.5 inner merges (`join.ts`) on shared symbol codes and epoch milliseconds; one row of the
 * result is a set of row indexes into the inputs, and columns are gathered once at the end.
 */
import { numpyArgsortQuick } from './numpyArgsort.ts';
import { makeFrame, takeColumn, takeRows, type Column, type Frame, type NumericColumn, type StringColumn } from '../../data/frame.ts';
import { InputError } from '../../core/errors.ts';
import { ALL_SPLITS, STATE_FEATURES } from '../../core/constants.ts';
import { buildJoinIndex, comparePyStr, innerJoin, matchDictionary, releaseJoinIndex, SharedCodes, subsetJoinIndex, type JoinIndex } from './join.ts';
import { eventTimeMillis, numberValues, requireColumns, stringColumn, stringIn } from './columns.ts';
import { SIDE_LONG, stateSourceForAge, stateSourceScratch, type PathStats, type SortedReplay, type StateSourceScratch } from './pathStats.ts';
import type { FrozenScores } from './frozenScores.ts';
import { gather, positionsWhere } from '../../core/arrays.ts';
import { release, releaseAll } from '../../core/release.ts';

export const FEATURE_FILE = 'feature/feature_frame.parquet';
export const ENTRY_FILE = 'label/entry_labels.parquet';

/** The seed's `_parse_ages`: comma-separated positive integers, deduplicated and sorted. */
export function parseAges(raw: string): number[] {
  const fail = () => new InputError(`invalid ages-minutes: ${raw}`, [{ file: '', field: 'ages_minutes', message: `invalid ages-minutes: ${raw}` }]);
  const ages: number[] = [];
  for (const item of String(raw).split(',')) {
    const text = item.trim();
    if (!text) continue;
    // Python's int(): optional sign, digits, single underscores between digits.
    if (!/^[+-]?\d+(?:_\d+)*$/.test(text)) throw fail();
    const value = Number(text.replace(/_/g, ''));
    if (!Number.isSafeInteger(value)) throw fail();
    ages.push(value);
  }
  if (!ages.length || ages.some((age) => age <= 0)) throw fail();
  return [...new Set(ages)].sort((a, b) => a - b);
}

/** `_load_feature_frame`: rows with data_quality_flag OK/PARTIAL_OPTIONAL and split_id in the four splits. */
export function filterFeatureRows(feature: Frame, featureOrder: string[]): Int32Array {
  requireColumns(
    feature,
    ['sample_id', 'symbol', 'event_time', 'open_time_ms', 'split_id', 'walk_forward_fold', 'data_quality_flag', ...featureOrder],
    FEATURE_FILE,
    'baseline feature frame',
  );
  for (const name of featureOrder) {
    const kind = feature.columns[name].kind;
    if (kind !== 'number') {
      throw new InputError(`${FEATURE_FILE}: feature column ${name} must be float32 or float64, found ${kind}`, [
        { file: FEATURE_FILE, field: name, message: `expected float32 or float64, found ${kind}` },
      ]);
    }
  }
  const quality = stringIn(stringColumn(feature, 'data_quality_flag', FEATURE_FILE), ['OK', 'PARTIAL_OPTIONAL']);
  const split = stringIn(stringColumn(feature, 'split_id', FEATURE_FILE), ALL_SPLITS);
  stringColumn(feature, 'symbol', FEATURE_FILE);
  numberValues(feature, 'open_time_ms', FEATURE_FILE);
  const rows = positionsWhere(feature.length, (i) => quality[i] === 1 && split[i] === 1);
  release(quality, split);
  return rows;
}

/**
 * sample_id as join keys: numbers when the column is integer; for strings, dictionary codes in the space both
 * frames share (`codes`: this column's dictionary mapped into it by `matchDictionary`, null for its own codes);
 * null stays NaN (null matches null, as in pandas).
 */
function sampleKeys(column: Column, rows: Int32Array | null, codes: Int32Array | null, file: string): { keys: Float64Array; kind: 'string' | 'number' } {
  const n = rows ? rows.length : column.kind === 'string' ? column.codes.length : column.kind === 'number' ? column.values.length : 0;
  const at = (i: number) => (rows ? rows[i] : i);
  if (column.kind === 'string') {
    const lookup = new Float64Array(column.utf8 ? column.utf8.offsets.length - 1 : column.dictionary.length);
    for (let d = 0; d < lookup.length; d++) lookup[d] = codes ? codes[d] : d;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const c = column.codes[at(i)];
      out[i] = c < 0 ? NaN : lookup[c];
    }
    release(lookup);
    return { keys: out, kind: 'string' };
  }
  if (column.kind === 'number') {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = column.values[at(i)];
    return { keys: out, kind: 'number' };
  }
  throw new InputError(`${file}: sample_id must be a string or an integer, found ${column.kind}`, [
    { file, field: 'sample_id', message: `expected a string or an integer, found ${column.kind}` },
  ]);
}

/** `_load_entry_labels` after the merge with the frozen scores. */
export interface EntrySet {
  length: number;
  /** Row of label/entry_labels.parquet. */
  entryRow: Int32Array;
  /** The entry labels' symbol and side of each entry (their own codes and dictionaries): what the state frame reads
   * of the entry labels, which can then go before the state frame is built. */
  labels: { symbol: StringColumn; side: StringColumn };
  symbol: Float64Array;
  /** 0 LONG, 1 SHORT. */
  side: Float64Array;
  entryOpenTimeMs: Float64Array;
  entryPredictedEdgeBps: Float32Array;
  entryDirectionProb: Float32Array;
}

/** Frees an entry set's arrays (once the state frame is built: nothing else reads them). */
export function releaseEntrySet(entry: EntrySet): void {
  releaseAll(entry);
  release(entry.labels.symbol.codes, entry.labels.side.codes);
}

export function buildEntrySet(entryLabels: Frame, feature: Frame, scores: FrozenScores, symbols: SharedCodes): EntrySet {
  requireColumns(entryLabels, ['sample_id', 'symbol', 'event_time', 'side', 'entry_target', 'split_id', 'walk_forward_fold'], ENTRY_FILE, 'baseline entry labels');
  const target = numberValues(entryLabels, 'entry_target', ENTRY_FILE);
  const sideColumn = stringColumn(entryLabels, 'side', ENTRY_FILE);
  const symbolColumn = stringColumn(entryLabels, 'symbol', ENTRY_FILE);
  const isSide = stringIn(sideColumn, ['LONG', 'SHORT']);
  const isLong = stringIn(sideColumn, ['LONG']);
  const rows = positionsWhere(entryLabels.length, (i) => target[i] === 1 && isSide[i] === 1);
  const eventMs = eventTimeMillis(entryLabels.columns.event_time, ENTRY_FILE, 'event_time');

  // String ids join on the feature frame's dictionary codes (the entry dictionary matched against it once).
  const entryIds = entryLabels.columns.sample_id;
  const featureIds = feature.columns.sample_id;
  const matched = entryIds.kind === 'string' && featureIds.kind === 'string' ? matchDictionary(entryIds.utf8 ?? entryIds.dictionary, featureIds.utf8 ?? featureIds.dictionary) : null;
  const left = sampleKeys(entryIds, rows, matched?.from ?? null, ENTRY_FILE);
  const right = sampleKeys(featureIds, scores.sampleRows, matched?.to ?? null, FEATURE_FILE);
  if (left.kind !== right.kind) {
    const message = `sample_id is ${left.kind === 'string' ? 'text' : 'an integer'} in ${ENTRY_FILE} but ${right.kind === 'string' ? 'text' : 'an integer'} in ${FEATURE_FILE}; they cannot be matched`;
    throw new InputError(message, [{ file: ENTRY_FILE, field: 'sample_id', message }]);
  }
  const rightIndex = buildJoinIndex([right.keys], right.keys.length);
  const joined = innerJoin([left.keys], rows.length, rightIndex);
  const n = joined.left.length;
  if (n === 0) {
    throw new InputError('state continue entry set is empty after merging frozen baseline model outputs', [
      { file: ENTRY_FILE, message: 'no entry label (entry_target == 1, side LONG/SHORT) has a sample_id in the filtered feature frame' },
    ]);
  }
  const symbolShared = symbols.remap(symbolColumn.codes, symbolColumn.dictionary);
  const out: EntrySet = {
    length: n,
    entryRow: new Int32Array(n),
    labels: { symbol: { kind: 'string', codes: new Int32Array(n), dictionary: symbolColumn.dictionary }, side: { kind: 'string', codes: new Int32Array(n), dictionary: sideColumn.dictionary } },
    symbol: new Float64Array(n),
    side: new Float64Array(n),
    entryOpenTimeMs: new Float64Array(n),
    entryPredictedEdgeBps: new Float32Array(n),
    entryDirectionProb: new Float32Array(n),
  };
  for (let i = 0; i < n; i++) {
    const r = rows[joined.left[i]];
    const s = joined.right[i];
    const long = isLong[r] === 1;
    out.entryRow[i] = r;
    out.labels.symbol.codes[i] = symbolColumn.codes[r];
    out.labels.side.codes[i] = sideColumn.codes[r];
    out.symbol[i] = symbolShared[r];
    out.side[i] = long ? 0 : 1;
    out.entryOpenTimeMs[i] = eventMs[r];
    out.entryPredictedEdgeBps[i] = long ? scores.frozen_long_expected_net_edge_bps[s] : scores.frozen_short_expected_net_edge_bps[s];
    out.entryDirectionProb[i] = long ? scores.frozen_long_prob[s] : scores.frozen_short_prob[s];
  }
  // (matched.to may be the feature dictionary's cached table, which is not this function's to free)
  release(rows, eventMs, isSide, isLong, matched?.from, left.keys, right.keys, joined.left, joined.right, symbolShared);
  releaseJoinIndex(rightIndex);
  return out;
}

export interface StateFrameOptions {
  featureOrder: string[];
  ages: number[];
  stopBps: number;
  targetBps: number;
  costBps: number;
  minContinueEdgeBps: number;
  /**
   * The sorted replay and the path stats are the caller's to drop once the frame is built: they are freed as soon
   * as the joins are done with them (all of the replay; of the path stats, all but the two outcome columns the
   * state rows read), so that they are not held beside the frame's own columns while those are filled.
   */
  consumeSources?: boolean;
}

export interface StateFrameBuild {
  frame: Frame;
  /** Rows per age after the joins (before the dropna), as the seed logs them. */
  ageRowCounts: { age: number; rows: number }[];
}

/** Index of path stats on (symbol, open_time_ms, side): built once, probed per age. */
export function pathStatsIndex(stats: PathStats): JoinIndex {
  return buildJoinIndex([stats.symbol, stats.openTimeMs, stats.side], stats.length);
}

/**
 * One age's rows, through the seed's three merges (state source, feature row, path outcome): indexes only, the
 * prices are read from the sorted replay's bars when the rows are filled (28 bytes a row instead of 52: on L the
 * parts of all ages took 47 MB beside the joins).
 */
interface AgePart {
  age: number;
  entry: Int32Array;
  feature: Int32Array;
  stats: Int32Array;
  /** Sorted replay bars: current, entry, and those of the high and the low since entry. */
  bar: Int32Array;
  entryBar: Int32Array;
  highBar: Int32Array;
  lowBar: Int32Array;
}

/**
 * The rows of one age (`_state_rows_for_age`). Apart from buildStateFrame so that the engine optimises it as a
 * whole: each loop of one large function called once per run ran mostly before its on-stack replacement arrived.
 */
function ageRows(
  age: number,
  replay: SortedReplay,
  entry: EntrySet,
  indexes: { replayIndex: JoinIndex; barToSource: Int32Array; featureIndex: JoinIndex; statsIndex: JoinIndex; scratch: StateSourceScratch },
  featureRows: Int32Array,
): AgePart {
  const { replayIndex, barToSource, featureIndex, statsIndex, scratch } = indexes;
  // the part keeps bar numbers: the scratch is the next age's
  const source = stateSourceForAge(replay, age, scratch);
  // the replay's index cut down to this age's current bars, which keep their own numbers
  for (let b = 0; b < barToSource.length; b++) barToSource[b] = source.entryBar[b] >= 0 ? b : -1;
  const sourceIndex = subsetJoinIndex(replayIndex, barToSource, [replay.symbol, replay.openTimeMs]);
  const currentMs = new Float64Array(entry.length);
  for (let i = 0; i < entry.length; i++) currentMs[i] = entry.entryOpenTimeMs[i] + age * 60_000;
  const j1 = innerJoin([entry.symbol, currentMs], entry.length, sourceIndex);
  const n1 = j1.left.length;
  const sym1 = new Float64Array(n1);
  const ms1 = new Float64Array(n1);
  for (let i = 0; i < n1; i++) {
    sym1[i] = entry.symbol[j1.left[i]];
    ms1[i] = currentMs[j1.left[i]];
  }
  const j2 = innerJoin([sym1, ms1], n1, featureIndex);
  const n2 = j2.left.length;
  const sym2 = new Float64Array(n2);
  const ms2 = new Float64Array(n2);
  const side2 = new Float64Array(n2);
  for (let i = 0; i < n2; i++) {
    const a = j2.left[i];
    sym2[i] = sym1[a];
    ms2[i] = ms1[a];
    side2[i] = entry.side[j1.left[a]];
  }
  const j3 = innerJoin([sym2, ms2, side2], n2, statsIndex);
  const n3 = j3.left.length;
  const part = {
    age,
    entry: new Int32Array(n3),
    feature: new Int32Array(n3),
    stats: new Int32Array(n3),
    bar: new Int32Array(n3),
    entryBar: new Int32Array(n3),
    highBar: new Int32Array(n3),
    lowBar: new Int32Array(n3),
  };
  for (let i = 0; i < n3; i++) {
    const b = j3.left[i];
    const a = j2.left[b];
    const bar = j1.right[a];
    part.entry[i] = j1.left[a];
    part.feature[i] = featureRows[j2.right[b]];
    part.stats[i] = j3.right[i];
    part.bar[i] = bar;
    part.entryBar[i] = source.entryBar[bar];
    part.highBar[i] = source.highBar[bar];
    part.lowBar[i] = source.lowBar[bar];
  }
  // this age's joins are done with: freed now, not left to pile up over the ages
  release(currentMs, sym1, ms1, sym2, ms2, side2, j1.left, j1.right, j2.left, j2.right, j3.left, j3.right);
  releaseJoinIndex(sourceIndex);
  return part;
}

/**
 * Every state row's features and targets (`_state_rows_for_age`'s arithmetic), into `out`. A function of its own
 * for the engine's sake (see ageRows).
 */
function fillStateRows(
  parts: AgePart[],
  replay: Pick<SortedReplay, 'high' | 'low' | 'close'>,
  entry: EntrySet,
  stats: PathStats,
  costs: { stopBps: number; targetBps: number; costBps: number; minContinueEdgeBps: number },
  out: { state: Record<string, Float32Array>; expected: Float32Array; continueTarget: Float64Array; entryAt: Int32Array; featureRow: Int32Array; currentMs: Float64Array },
): void {
  const { stopBps, targetBps, costBps, minContinueEdgeBps } = costs;
  const { state, expected, continueTarget, entryAt, featureRow, currentMs } = out;
  const sideSign = state.position_side_sign;
  const timeInPosition = state.time_in_position_minutes;
  const unrealizedPnl = state.unrealized_pnl_bps;
  const mfeSince = state.mfe_since_entry_bps;
  const maeSince = state.mae_since_entry_bps;
  const distanceToStop = state.distance_to_stop_bps;
  const distanceToTarget = state.distance_to_target_bps;
  const entryEdge = state.entry_predicted_edge_bps;
  const entryDirection = state.entry_direction_prob;
  const addCount = state.add_count;
  const minutesSinceAdd = state.minutes_since_last_add;
  const { side: entrySide, entryPredictedEdgeBps, entryDirectionProb, entryOpenTimeMs } = entry;
  const { futureReturnBps, maeBps } = stats;
  const { high, low, close } = replay;
  let p = 0;
  for (const part of parts) {
    for (let i = 0; i < part.entry.length; i++, p++) {
      const e = part.entry[i];
      const long = entrySide[e] === SIDE_LONG;
      const ep = close[part.entryBar[i]];
      const cp = close[part.bar[i]];
      const hi = high[part.highBar[i]];
      const lo = low[part.lowBar[i]];
      const unrealized = (long ? (cp / ep - 1) * 10000 : (ep / cp - 1) * 10000) - costBps;
      const mfe = long ? (hi / ep - 1) * 10000 : (ep / lo - 1) * 10000;
      const mae = long ? (ep / lo - 1) * 10000 : (hi / ep - 1) * 10000;
      const stopPrice = long ? ep * (1 - stopBps / 10000) : ep * (1 + stopBps / 10000);
      const targetPrice = long ? ep * (1 + targetBps / 10000) : ep * (1 - targetBps / 10000);
      const toStop = long ? (cp / stopPrice - 1) * 10000 : (stopPrice / cp - 1) * 10000;
      const toTarget = long ? (targetPrice / cp - 1) * 10000 : (cp / targetPrice - 1) * 10000;
      const s = part.stats[i];
      const edge = futureReturnBps[s] - costBps;
      sideSign[p] = long ? 1 : -1;
      timeInPosition[p] = part.age;
      unrealizedPnl[p] = unrealized;
      mfeSince[p] = Math.max(mfe, 0);
      maeSince[p] = Math.max(mae, 0);
      distanceToStop[p] = toStop;
      distanceToTarget[p] = toTarget;
      entryEdge[p] = entryPredictedEdgeBps[e];
      entryDirection[p] = entryDirectionProb[e];
      addCount[p] = 0;
      minutesSinceAdd[p] = 9999;
      continueTarget[p] = edge >= minContinueEdgeBps && maeBps[s] < stopBps ? 1 : 0;
      expected[p] = edge;
      entryAt[p] = e;
      featureRow[p] = part.feature[i];
      // the current bar's time, as the state source join matched it: the entry's time + age
      currentMs[p] = entryOpenTimeMs[e] + part.age * 60_000;
    }
  }

}

/**
 * dropna(subset=[*FEATURE_ORDER, *STATE_FEATURES, continue_target, expected_continue_edge_bps]) after ±Inf → NaN:
 * the state rows kept, in order. Whether a feature row's market features are all finite is
 * found once per feature row (column by column, in order) rather than once per state row (a random read per
 * feature per row). A function of its own for the engine's sake (see ageRows).
 */
function dropnaRows(feature: Frame, featureOrder: string[], state: Record<string, Float32Array>, expected: Float32Array, featureRow: Int32Array): Int32Array {
  const total = featureRow.length;
  const keep = new Uint8Array(total);
  const finiteFeatures = new Uint8Array(feature.length).fill(1);
  for (const name of featureOrder) {
    const values = (feature.columns[name] as NumericColumn).values;
    for (let r = 0; r < values.length; r++) if (!Number.isFinite(values[r])) finiteFeatures[r] = 0;
  }
  const stateValues = STATE_FEATURES.map((name) => state[name]);
  let kept = 0;
  for (let i = 0; i < total; i++) {
    let ok = finiteFeatures[featureRow[i]] === 1 && Number.isFinite(expected[i]);
    for (let k = 0; ok && k < stateValues.length; k++) ok = Number.isFinite(stateValues[k][i]);
    keep[i] = ok ? 1 : 0;
    kept += keep[i];
  }
  const rows = new Int32Array(kept);
  for (let i = 0, q = 0; i < total; i++) if (keep[i]) rows[q++] = i;
  release(keep, finiteFeatures);
  return rows;
}

/**
 * `_build_state_frame` (with the time-based state source) and `_state_rows_for_age`, then replace(±Inf→NaN) and
 * the dropna on the model columns.
 */
export function buildStateFrame(
  feature: Frame,
  featureRows: Int32Array,
  entry: EntrySet,
  replay: SortedReplay,
  stats: PathStats,
  symbols: SharedCodes,
  options: StateFrameOptions,
): StateFrameBuild {
  const { featureOrder, ages, stopBps, targetBps, costBps, minContinueEdgeBps } = options;
  // Right side of the join with the current feature row: filtered feature rows on (symbol, open_time_ms).
  const featureSymbolAll = symbols.remap(stringColumn(feature, 'symbol', FEATURE_FILE).codes, stringColumn(feature, 'symbol', FEATURE_FILE).dictionary);
  const featureTimeAll = numberValues(feature, 'open_time_ms', FEATURE_FILE);
  const fn = featureRows.length;
  const featureSymbol = new Float64Array(fn);
  const featureTime = new Float64Array(fn);
  for (let i = 0; i < fn; i++) {
    featureSymbol[i] = featureSymbolAll[featureRows[i]];
    featureTime[i] = featureTimeAll[featureRows[i]];
  }
  const featureIndex = buildJoinIndex([featureSymbol, featureTime], fn);
  const statsIndex = pathStatsIndex(stats);
  // A dense index finds its runs by codes and never reads its key columns again (innerJoin reads them for a
  // single key only): the feature keys go now, and with consumeSources the path stats' keys and bars too (~70 MB
  // on L, held through every age's joins before).
  if (featureIndex.dense) release(featureSymbol, featureTime, featureSymbolAll);
  if (options.consumeSources && statsIndex.dense) release(stats.bar, stats.symbol, stats.openTimeMs, stats.side);
  // The state source of every age is a subset of the replay bars: index the bars once, take subsets per age.
  const replayIndex = buildJoinIndex([replay.symbol, replay.openTimeMs], replay.openTimeMs.length);
  const barToSource = new Int32Array(replay.openTimeMs.length);
  const scratch = stateSourceScratch(replay.openTimeMs.length);

  // Per output row: entry-set row, state-source values, feature row, path-stats row.
  const parts: AgePart[] = [];
  const ageRowCounts: { age: number; rows: number }[] = [];
  for (const age of ages) {
    const part = ageRows(age, replay, entry, { replayIndex, barToSource, featureIndex, statsIndex, scratch }, featureRows);
    ageRowCounts.push({ age, rows: part.entry.length });
    if (part.entry.length > 0) parts.push(part);
  }
  if (!parts.length) {
    throw new InputError('state continue experiment produced no rows', [
      { file: '', message: 'no entry has a replay bar, a feature row and a path outcome at any age' },
    ]);
  }

  // The joins are done: their indexes and the state source scratch (~60 MB on L) go before the frame's columns
  // are allocated, and so do the sources the caller gave up (but the three prices the rows are filled from).
  releaseAll(scratch);
  release(barToSource, featureSymbol, featureTime, featureSymbolAll);
  for (const index of [featureIndex, statsIndex, replayIndex]) releaseJoinIndex(index);
  if (options.consumeSources) {
    release(replay.rows, replay.symbol, replay.openTimeMs, replay.groupStart);
    release(stats.bar, stats.symbol, stats.openTimeMs, stats.side, stats.mfeBps, stats.exitReason, stats.barsHeld);
  }

  const total = parts.reduce((s, p) => s + p.entry.length, 0);
  const state: Record<string, Float32Array> = {};
  for (const name of STATE_FEATURES) state[name] = new Float32Array(total);
  const expected = new Float32Array(total);
  const continueTarget = new Float64Array(total);
  const entryAt = new Int32Array(total);
  const featureRow = new Int32Array(total);
  const currentMs = new Float64Array(total);
  fillStateRows(parts, replay, entry, stats, { stopBps, targetBps, costBps, minContinueEdgeBps }, { state, expected, continueTarget, entryAt, featureRow, currentMs });

  for (const part of parts) releaseAll(part);
  if (options.consumeSources) {
    release(stats.futureReturnBps, stats.maeBps);
    releaseAll(replay);
  }
  const rows = dropnaRows(feature, featureOrder, state, expected, featureRow);
  const kept = rows.length;

  // The kept rows compacted in place (rows ascend, so row i reads from rows[i] ≥ i): the columns are views of the
  // arrays filled above rather than second copies of them.
  const take = <T extends Float32Array | Float64Array | Int32Array>(values: T): T => {
    for (let i = 0; i < kept; i++) values[i] = values[rows[i]];
    return values.subarray(0, kept) as T;
  };
  const featureIndex2 = take(featureRow);
  const entryIndex = take(entryAt);
  const gatherFeature = (name: string) => infToNaN(takeColumn(feature.columns[name], featureIndex2));
  // the entry labels' columns, by entry (the entry set holds them)
  const gatherEntry = (name: 'symbol' | 'side') => takeColumn(entry.labels[name], entryIndex);
  const names = [
    'sample_id',
    'symbol',
    'event_time',
    'open_time_ms',
    'position_side',
    'split_id',
    'walk_forward_fold',
    ...featureOrder,
    ...STATE_FEATURES,
    'continue_target',
    'expected_continue_edge_bps',
  ];
  const columns: Record<string, Column> = {
    sample_id: gatherFeature('sample_id'),
    symbol: gatherEntry('symbol'),
    event_time: gatherFeature('event_time'),
    open_time_ms: { kind: 'number', type: 'int64', values: take(currentMs) },
    position_side: gatherEntry('side'),
    split_id: gatherFeature('split_id'),
    walk_forward_fold: gatherFeature('walk_forward_fold'),
  };
  // The market columns are the feature frame's own arrays read by feature row, not copies: every kept row's market
  // features are finite (dropnaRows), so the replace(±Inf→NaN) has nothing to change in them.
  for (const name of featureOrder) {
    const source = feature.columns[name] as NumericColumn;
    columns[name] = { kind: 'indexed', type: source.type, source: source.values, index: featureIndex2 };
  }
  // the entry of each row was read for the two entry columns above
  release(entryIndex);
  for (const name of STATE_FEATURES) columns[name] = { kind: 'number', type: 'float32', values: take(state[name]) };
  columns.continue_target = { kind: 'number', type: 'int8', values: take(continueTarget) };
  columns.expected_continue_edge_bps = { kind: 'number', type: 'float32', values: take(expected) };
  release(rows);
  return { frame: makeFrame(names, columns), ageRowCounts };
}

/** `out.replace([np.inf, -np.inf], np.nan)` on a gathered column. */
function infToNaN(column: Column): Column {
  if (column.kind !== 'number') return column;
  const v = column.values;
  for (let i = 0; i < v.length; i++) if (v[i] === Infinity || v[i] === -Infinity) v[i] = NaN;
  return column;
}

/**
 * Row order of `frame.sort_values("event_time")` exactly as pandas 1.5 / numpy 1.24 give it: nulls last (nargsort),
 * the rest by numpy's introsort argsort over the non-null keys in frame order. That sort is not stable, so rows with
 * equal times come out in numpy's order, not frame order; under a cap that cuts inside equal times this decides which
 * rows survive, so it has to be the same algorithm (numpyArgsort.ts). Strings compare as Python's str does.
 */
export function eventTimeOrder(frame: Frame): Int32Array {
  const column = frame.columns.event_time;
  const n = frame.length;
  let key: ArrayLike<number>;
  if (column.kind === 'string') {
    const dict = column.dictionary;
    const byText = dict.map((_, i) => i).sort((a, b) => comparePyStr(dict[a], dict[b]));
    const rank = new Int32Array(dict.length);
    for (let k = 0, r = -1; k < byText.length; k++) {
      if (k === 0 || dict[byText[k]] !== dict[byText[k - 1]]) r++;
      rank[byText[k]] = r;
    }
    const ranks = new Float64Array(n);
    for (let i = 0; i < n; i++) ranks[i] = column.codes[i] < 0 ? NaN : rank[column.codes[i]];
    key = ranks;
  } else {
    key = column.kind === 'timestamp' ? column.micros : column.kind === 'number' ? column.values : new Float64Array(n);
  }
  const present: number[] = [];
  const missing: number[] = [];
  for (let i = 0; i < n; i++) (key[i] !== key[i] ? missing : present).push(i);
  const values = gather(Float64Array, key, present);
  const sorted = numpyArgsortQuick(values.length, (a, b) => values[a] < values[b]);
  const order = new Int32Array(n);
  for (let k = 0; k < sorted.length; k++) order[k] = present[sorted[k]];
  for (let k = 0; k < missing.length; k++) order[sorted.length + k] = missing[k];
  return order;
}

/**
 * `_cap_rows_per_split`: sort by event_time, group by split_id in order of first appearance, keep the last
 * `maxRows` rows of each split. Returns the capped frame and, per split, the kept row count (for the log).
 */
export function capRowsPerSplit(frame: Frame, maxRows: number): { frame: Frame; splits: { splitId: string; rows: number }[] } {
  const order = eventTimeOrder(frame);
  const split = frame.columns.split_id;
  if (split.kind !== 'string') throw new Error('capRowsPerSplit: split_id must be a string column');
  const dict = split.dictionary;
  const groupOfCode = new Int32Array(dict.length).fill(-1);
  const groupNames: string[] = [];
  const groups: number[][] = [];
  for (let k = 0; k < order.length; k++) {
    const code = split.codes[order[k]];
    if (code < 0) continue; // groupby drops null keys
    if (groupOfCode[code] < 0) {
      const same = groupNames.indexOf(dict[code]);
      if (same >= 0) groupOfCode[code] = same;
      else {
        groupOfCode[code] = groupNames.length;
        groupNames.push(dict[code]);
        groups.push([]);
      }
    }
    groups[groupOfCode[code]].push(order[k]);
  }
  const rows: number[] = [];
  const splits: { splitId: string; rows: number }[] = [];
  groups.forEach((group, g) => {
    const kept = group.length > maxRows ? group.slice(group.length - maxRows) : group;
    for (const r of kept) rows.push(r);
    splits.push({ splitId: groupNames[g], rows: kept.length });
  });
  return { frame: takeRows(frame, Int32Array.from(rows)), splits };
}

/** `series.value_counts().to_dict()` of a string column: by count descending, ties in order of first appearance. */
export function valueCounts(frame: Frame, name: string): [string, number][] {
  const column = frame.columns[name];
  if (column.kind !== 'string') throw new Error(`valueCounts: ${name} must be a string column`);
  const counts = new Map<string, { count: number; first: number }>();
  const perCode = new Float64Array(column.dictionary.length);
  const firstCode = new Float64Array(column.dictionary.length).fill(Infinity);
  for (let i = 0; i < column.codes.length; i++) {
    const c = column.codes[i];
    if (c < 0) continue;
    perCode[c]++;
    if (firstCode[c] === Infinity) firstCode[c] = i;
  }
  column.dictionary.forEach((value, c) => {
    if (!perCode[c]) return;
    const entry = counts.get(value) ?? { count: 0, first: Infinity };
    entry.count += perCode[c];
    entry.first = Math.min(entry.first, firstCode[c]);
    counts.set(value, entry);
  });
  return [...counts.entries()].sort((a, b) => b[1].count - a[1].count || a[1].first - b[1].first).map(([k, v]) => [k, v.count]);
}
