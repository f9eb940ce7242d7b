/**
 * pandas 1.5 `merge(how="inner")` on integer/number keys, with pandas' row order.
 *
 * pandas 1.5 does not keep the left frame's row order in an inner merge: it factorizes the keys in order of first
 * appearance in the left frame and emits one group per key, in that order; inside a group, each left row (in
 * left order) is crossed with every matching right row (in right order). A single null key matches null and its
 * group comes last; with several key columns, nulls are ordinary values. We reproduce that exactly, with a sorted
 * index of the right side (built once, probed by many left frames) instead of hash maps of strings.
 *
 * Keys are columns of float64 (dictionary codes mapped to one shared code space, epoch milliseconds, side codes);
 * NaN is null.
 */
import { release } from '../../core/release.ts';
import { StringTable } from '../../data/stringTable.ts';
import { decodeUtf8, hashBytes } from '../../data/utf8.ts';
import type { Utf8List } from '../../data/frame.ts';

export type KeyColumns = Float64Array[];

export interface JoinIndex {
  keys: KeyColumns;
  /** Right row indexes sorted by key, ties by row index (so a run lists right rows in right order). */
  order: Int32Array;
  /** Start of each run of equal keys in `order`, plus a final sentinel = order.length. */
  runStart: Int32Array;
  /** Dense encoding (when the key space fits in 2^53): sorted distinct values per key column, and each run's code. */
  dense: { levels: Float64Array[]; strides: number[]; runCode: Float64Array; lookup?: DenseLookup } | null;
}

/** Hash tables over a dense index (built on its first probe): value → level per key column, code → run. */
interface DenseLookup {
  levels: PositionLookup[];
  runs: PositionLookup;
}

/**
 * Sorted distinct numbers (no NaN) → their position. Integers on a grid (epoch milliseconds of bars, dictionary
 * codes, level codes) whose span is a few times their count: a direct table, one subtraction, division and read
 * per probe. Anything else: a Float64Map.
 */
export class PositionLookup {
  private readonly table: Int32Array | null = null;
  private readonly min: number = 0;
  private readonly step: number = 1;
  private readonly map: Float64Map | null = null;

  constructor(sorted: Float64Array) {
    // on sorted distinct values, a grid's level of a point is the value's position
    const grid = gridLevels(sorted, sorted.length);
    if (grid) {
      this.table = grid.levelAt;
      this.min = grid.min;
      this.step = grid.step;
      release(grid.levels); // the positions are the table's; the values are `sorted`
    } else this.map = new Float64Map(sorted);
  }

  /** Frees the lookup's tables (it answers nothing afterwards). */
  release(): void {
    release(this.table);
    this.map?.release();
  }

  /** Position of `v`, or -1 (NaN: -1). */
  get(v: number): number {
    const table = this.table;
    if (table !== null) {
      const k = (v - this.min) / this.step;
      // not on the grid (fractional, out of range, NaN): absent
      return k >= 0 && k < table.length && k === Math.floor(k) ? table[k] : -1;
    }
    return v === v ? this.map!.get(v) : -1;
  }
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

const hashScratch = new Float64Array(1);
const hashWords = new Uint32Array(hashScratch.buffer);

/** A 32-bit mix of a float64's bits (+0 and −0 alike). */
function hashDouble(v: number): number {
  hashScratch[0] = v === 0 ? 0 : v;
  let h = Math.imul(hashWords[0] ^ Math.imul(hashWords[1], 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h ^ hashWords[1], 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Distinct float64 keys (no NaN) → their position in `keys`, in typed arrays (open addressing): a probe costs a
 * hash and a compare or two, where a binary search over a million keys costs twenty compares.
 */
export class Float64Map {
  private readonly slots: Int32Array;
  private readonly mask: number;

  constructor(private readonly keys: Float64Array) {
    let size = 8;
    while (size < keys.length * 2) size <<= 1;
    this.mask = size - 1;
    this.slots = new Int32Array(size).fill(-1);
    for (let i = 0; i < keys.length; i++) {
      let slot = hashDouble(keys[i]) & this.mask;
      while (this.slots[slot] !== -1) slot = (slot + 1) & this.mask;
      this.slots[slot] = i;
    }
  }

  /** Frees the hash slots (not the keys, which are the caller's). */
  release(): void {
    release(this.slots);
  }

  /** Position of `v` among the keys, or -1. */
  get(v: number): number {
    const keys = this.keys;
    let slot = hashDouble(v) & this.mask;
    for (;;) {
      const at = this.slots[slot];
      if (at === -1 || keys[at] === v) return at;
      slot = (slot + 1) & this.mask;
    }
  }
}

/** Level (position in the sorted distinct values) of each non-NaN value; a trailing NaN level is left out (callers look NaN up themselves). */
function levelMap(levels: Float64Array): PositionLookup {
  const n = levels.length;
  return new PositionLookup(n > 0 && levels[n - 1] !== levels[n - 1] ? levels.subarray(0, n - 1) : levels);
}

function denseLookup(dense: NonNullable<JoinIndex['dense']>): DenseLookup {
  dense.lookup ??= { levels: dense.levels.map(levelMap), runs: new PositionLookup(dense.runCode) };
  return dense.lookup;
}

function compareKeys(keysA: KeyColumns, a: number, keysB: KeyColumns, b: number): number {
  for (let k = 0; k < keysA.length; k++) {
    const x = keysA[k][a];
    const y = keysB[k][b];
    const xn = x !== x;
    const yn = y !== y;
    if (xn || yn) {
      if (xn && yn) continue;
      return xn ? 1 : -1;
    }
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}

/** Sorted distinct values of a column (NaN, if any, last). Native numeric sort, no comparator. */
function levelsOf(values: Float64Array): Float64Array {
  const sorted = values.slice().sort();
  let m = 0;
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i];
    if (m > 0) {
      const prev = sorted[m - 1];
      if (v === prev || (v !== v && prev !== prev)) continue;
    }
    sorted[m++] = v;
  }
  return sorted.slice(0, m);
}

const MAX_EXACT = 2 ** 53;

/**
 * Stable argsort of rows by several key columns (NaN last, equal to NaN), with native numeric sorts only: each
 * column becomes dense level numbers, the levels and the row index are packed into one exact float64 and sorted.
 * Returns null when the packed key would not be exact (then callers fall back to a comparator sort).
 */
export function argsortByKeys(keys: KeyColumns, length: number): { order: Int32Array; code: Float64Array; levels: Float64Array[]; strides: number[] } | null {
  const grids = keys.map((column) => gridLevels(column, length));
  const levels = keys.map((column, k) => grids[k]?.levels ?? levelsOf(column));
  const strides: number[] = new Array(keys.length);
  let span = 1;
  for (let k = keys.length - 1; k >= 0; k--) {
    strides[k] = span;
    span *= Math.max(1, levels[k].length);
  }
  if (span * Math.max(1, length) >= MAX_EXACT) return null;
  const code = new Float64Array(length);
  for (let k = 0; k < keys.length; k++) {
    const column = keys[k];
    const lv = levels[k];
    const stride = strides[k];
    const grid = grids[k];
    if (grid) {
      const { levelAt, min, step } = grid;
      for (let i = 0; i < length; i++) code[i] += levelAt[(column[i] - min) / step] * stride;
    } else {
      const map = levelMap(lv);
      const nanLevel = lv.length - 1; // NaN, when the column has one, is the last level
      for (let i = 0; i < length; i++) {
        const v = column[i];
        code[i] += (v === v ? map.get(v) : nanLevel) * stride;
      }
      map.release();
    }
  }
  for (const grid of grids) release(grid?.levelAt);
  const order = new Int32Array(length);
  if (span <= 4 * length + 4096) {
    // codes in a range a few times the row count (bars of a few symbols, dictionary codes): a stable counting sort
    const starts = new Int32Array(span + 1);
    for (let i = 0; i < length; i++) starts[code[i] + 1]++;
    for (let c = 0; c < span; c++) starts[c + 1] += starts[c];
    for (let i = 0; i < length; i++) order[starts[code[i]]++] = i;
    release(starts);
    return { order, code, levels, strides };
  }
  const packed = new Float64Array(length);
  for (let i = 0; i < length; i++) packed[i] = code[i] * length + i;
  packed.sort();
  for (let i = 0; i < length; i++) order[i] = packed[i] % length;
  release(packed);
  return { order, code, levels, strides };
}

/**
 * The levels of a column of integers on a grid no wider than a few times its length (dictionary codes, side
 * codes, epoch milliseconds of bars), without sorting: which values occur, in ascending order, and the level of
 * each grid point (`levelAt[(v − min) / step]`). Null for any other column (a NaN, a fraction, a wide range).
 */
function gridLevels(column: Float64Array, length: number): { levels: Float64Array; levelAt: Int32Array; min: number; step: number } | null {
  if (length === 0) return null;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < length; i++) {
    const v = column[i];
    if (!Number.isSafeInteger(v)) return null;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  let step = 0;
  for (let i = 0; i < length; i++) {
    const d = column[i] - min;
    if (step === 0) step = d;
    else if (d % step !== 0) step = gcd(step, d);
  }
  if (step === 0) step = 1;
  const span = (max - min) / step + 1;
  if (span > 4 * length + 4096) return null;
  const levelAt = new Int32Array(span).fill(-1);
  for (let i = 0; i < length; i++) levelAt[(column[i] - min) / step] = 0;
  let count = 0;
  for (let k = 0; k < span; k++) if (levelAt[k] === 0) levelAt[k] = count++;
  const levels = new Float64Array(count);
  for (let k = 0; k < span; k++) if (levelAt[k] >= 0) levels[levelAt[k]] = min + k * step;
  return { levels, levelAt, min, step };
}

/** Index of the right side of a merge: sort once, probe with any number of left frames. */
export function buildJoinIndex(keys: KeyColumns, length: number): JoinIndex {
  for (const column of keys) if (column.length !== length) throw new Error('buildJoinIndex: key column length differs');
  const sorted = argsortByKeys(keys, length);
  let order: Int32Array;
  const starts: number[] = [];
  if (sorted) {
    order = sorted.order;
    const code = sorted.code;
    const runStart = new Int32Array(length + 1);
    const runCode = new Float64Array(length);
    let runs = 0;
    for (let i = 0; i < length; i++) {
      const c = code[order[i]];
      if (i === 0 || c !== runCode[runs - 1]) {
        runStart[runs] = i;
        runCode[runs++] = c;
      }
    }
    runStart[runs] = length;
    const index: JoinIndex = { keys, order, runStart: runStart.slice(0, runs + 1), dense: { levels: sorted.levels, strides: sorted.strides, runCode: runCode.slice(0, runs) } };
    release(runStart, runCode, code);
    return index;
  } else {
    order = new Int32Array(length);
    for (let i = 0; i < length; i++) order[i] = i;
    order.sort((a, b) => compareKeys(keys, a, keys, b) || a - b);
    for (let i = 0; i < length; i++) {
      if (i === 0 || compareKeys(keys, order[i - 1], keys, order[i]) !== 0) starts.push(i);
    }
  }
  starts.push(length);
  return { keys, order, runStart: Int32Array.from(starts), dense: null };
}

/**
 * The index of a subset of the right rows, renumbered: `map[r]` is the new id of right row r, or -1 to leave it
 * out; `keys` are the key columns indexed by the new ids. Linear: no sorting (the subset keeps the index's order).
 */
export function subsetJoinIndex(index: JoinIndex, map: Int32Array, keys: KeyColumns): JoinIndex {
  const order = new Int32Array(index.order.length);
  const runs = index.runStart.length - 1;
  const starts = new Int32Array(runs + 1);
  const codes = index.dense ? new Float64Array(runs) : null;
  let kept = 0;
  let p = 0;
  for (let run = 0; run < runs; run++) {
    const begin = p;
    for (let i = index.runStart[run]; i < index.runStart[run + 1]; i++) {
      const id = map[index.order[i]];
      if (id >= 0) order[p++] = id;
    }
    if (p > begin) {
      if (codes) codes[kept] = index.dense!.runCode[run];
      starts[kept++] = begin;
    }
  }
  starts[kept] = p;
  return {
    keys,
    order: order.subarray(0, p),
    runStart: starts.subarray(0, kept + 1),
    dense: index.dense && codes ? { levels: index.dense.levels, strides: index.dense.strides, runCode: codes.subarray(0, kept) } : null,
  };
}

/** The run of `index` whose key equals the left row's key, or -1. */
function findRun(index: JoinIndex, leftKeys: KeyColumns, row: number): number {
  const dense = index.dense;
  if (dense) {
    const lookup = denseLookup(dense);
    let code = 0;
    for (let k = 0; k < leftKeys.length; k++) {
      const v = leftKeys[k][row];
      const levels = dense.levels[k];
      const level = v === v ? lookup.levels[k].get(v) : levels.length > 0 && levels[levels.length - 1] !== levels[levels.length - 1] ? levels.length - 1 : -1;
      if (level < 0) return -1;
      code += level * dense.strides[k];
    }
    return lookup.runs.get(code);
  }
  let lo = 0;
  let hi = index.runStart.length - 1; // number of runs
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareKeys(index.keys, index.order[index.runStart[mid]], leftKeys, row);
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  if (lo >= index.runStart.length - 1) return -1;
  return compareKeys(index.keys, index.order[index.runStart[lo]], leftKeys, row) === 0 ? lo : -1;
}

/** Frees an index's own arrays (not its key columns, which are the caller's, nor levels a subset shares). */
export function releaseJoinIndex(index: JoinIndex): void {
  release(index.order, index.runStart, index.dense?.runCode);
  const lookup = index.dense?.lookup;
  if (lookup) {
    for (const level of lookup.levels) level.release();
    lookup.runs.release();
  }
}

export interface JoinResult {
  left: Int32Array;
  right: Int32Array;
}

/** pandas 1.5 `left.merge(right, on=keys, how="inner")` row pairs, in pandas' order. */
export function innerJoin(leftKeys: KeyColumns, leftLength: number, index: JoinIndex): JoinResult {
  if (leftKeys.length !== index.keys.length) throw new Error('innerJoin: key arity differs');
  const runs = index.runStart.length - 1;
  const runOf = new Int32Array(leftLength);
  const slotOfRun = new Int32Array(runs).fill(-1);
  // per slot (a matched run, in order of first appearance on the left): its run and its left rows
  const leftCount = new Int32Array(runs);
  const runOfSlot = new Int32Array(runs);
  let slots = 0;
  for (let i = 0; i < leftLength; i++) {
    const run = findRun(index, leftKeys, i);
    runOf[i] = run;
    if (run < 0) continue;
    if (slotOfRun[run] < 0) {
      slotOfRun[run] = slots;
      runOfSlot[slots++] = run;
    }
    leftCount[slotOfRun[run]]++;
  }
  // A lone null key is pandas' NA group: it is emitted after all others.
  if (leftKeys.length === 1 && runs > 0) {
    const lastRun = runs - 1;
    const value = index.keys[0][index.order[index.runStart[lastRun]]];
    const slot = slotOfRun[lastRun];
    if (value !== value && slot >= 0 && slot !== slots - 1) {
      const count = leftCount[slot];
      runOfSlot.copyWithin(slot, slot + 1, slots);
      leftCount.copyWithin(slot, slot + 1, slots);
      runOfSlot[slots - 1] = lastRun;
      leftCount[slots - 1] = count;
      for (let s = 0; s < slots; s++) slotOfRun[runOfSlot[s]] = s;
    }
  }
  // Output offsets per slot: left rows in the slot × right rows in its run.
  const offset = new Float64Array(slots + 1);
  for (let s = 0; s < slots; s++) {
    const run = runOfSlot[s];
    offset[s + 1] = offset[s] + leftCount[s] * (index.runStart[run + 1] - index.runStart[run]);
  }
  const total = offset[slots];
  const left = new Int32Array(total);
  const right = new Int32Array(total);
  const cursor = offset.slice(0, slots);
  for (let i = 0; i < leftLength; i++) {
    const run = runOf[i];
    if (run < 0) continue;
    const s = slotOfRun[run];
    let p = cursor[s];
    for (let r = index.runStart[run]; r < index.runStart[run + 1]; r++, p++) {
      left[p] = i;
      right[p] = index.order[r];
    }
    cursor[s] = p;
  }
  release(runOf, slotOfRun, leftCount, runOfSlot, offset, cursor);
  return { left, right };
}

/** Python's str ordering (code points), for sorted groupbys. */
export function comparePyStr(a: string, b: string): number {
  if (a === b) return 0;
  const ca = Array.from(a);
  const cb = Array.from(b);
  const n = Math.min(ca.length, cb.length);
  for (let i = 0; i < n; i++) {
    const d = ca[i].codePointAt(0)! - cb[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return ca.length - cb.length;
}

/**
 * One code space for the strings of several dictionary-coded columns (symbols of three frames, sample ids of two),
 * so that equal strings get equal codes. Work is per dictionary entry, not per row.
 */
export class SharedCodes {
  private readonly codes = new Map<string, number>();
  readonly values: string[] = [];

  codeOf(value: string): number {
    let code = this.codes.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.codes.set(value, code);
      this.values.push(value);
    }
    return code;
  }

  /** Per-row shared codes of a dictionary-coded column (NaN for null). */
  remap(codes: Int32Array, dictionary: string[]): Float64Array {
    const lookup = new Float64Array(dictionary.length);
    for (let d = 0; d < dictionary.length; d++) lookup[d] = this.codeOf(dictionary[d]);
    const out = new Float64Array(codes.length);
    for (let i = 0; i < codes.length; i++) out[i] = codes[i] < 0 ? NaN : lookup[codes[i]];
    return out;
  }
}

/**
 * One code space for two dictionaries, keyed by `to`'s indexes: `from[d]` is the index in `to` of `from`'s entry
 * d, or `to.length + d` when `to` lacks it (a code no `to` entry has); `to` is null, or, when `to` lists a value
 * twice, each entry's first index. Values are hashed into typed arrays, not a Map: a join on sample_id between two
 * frames whose dictionaries list the same ids in different orders. Either dictionary may be strings or UTF-8
 * (`Utf8List`, as the load leaves the sample ids of a large run: no million strings in the heap); they are matched
 * as UTF-8 when `to` is, as strings otherwise.
 */
export function matchDictionary(from: string[] | Utf8List, to: string[] | Utf8List): { from: Int32Array; to: Int32Array | null } {
  const { get, firstIndex, canonical, size: toSize } = dictionaryTable(to);
  const size = dictionarySize(from);
  const out = new Int32Array(size);
  if (Array.isArray(to)) {
    // strings: a UTF-8 `from` is decoded a value at a time (each string dead at once)
    const valueAt = Array.isArray(from) ? (d: number) => from[d] : (d: number) => decodeUtf8(from.bytes, from.offsets[d], from.offsets[d + 1]);
    for (let d = 0; d < size; d++) {
      const code = (get as (value: string) => number)(valueAt(d));
      out[d] = code >= 0 ? firstIndex[code] : toSize + d;
    }
  } else {
    const probe = get as (bytes: Uint8Array, start: number, end: number) => number;
    const encoder = new TextEncoder();
    let scratch = new Uint8Array(256);
    for (let d = 0; d < size; d++) {
      let code: number;
      if (Array.isArray(from)) {
        // a string `from` encoded into a scratch buffer (3 bytes per UTF-16 unit at most)
        const s = from[d];
        if (scratch.length < s.length * 3) scratch = new Uint8Array(s.length * 3);
        code = probe(scratch, 0, encoder.encodeInto(s, scratch).written);
      } else code = probe(from.bytes, from.offsets[d], from.offsets[d + 1]);
      out[d] = code >= 0 ? firstIndex[code] : toSize + d;
    }
  }
  return { from: out, to: canonical };
}

/** Entries of a dictionary of strings or of UTF-8 values. */
export function dictionarySize(dictionary: string[] | Utf8List): number {
  return Array.isArray(dictionary) ? dictionary.length : dictionary.offsets.length - 1;
}

interface DictionaryTable {
  /** Code (by first appearance) of a value, or -1: a string for a string dictionary, bytes for a UTF-8 one. */
  get: ((value: string) => number) | ((bytes: Uint8Array, start: number, end: number) => number);
  /** The first index in the dictionary of each distinct value (by code). */
  firstIndex: Int32Array;
  /** Each entry's first index, when the dictionary repeats a value; null when it does not. */
  canonical: Int32Array | null;
  size: number;
  /** Frees the table's arrays. */
  clear(): void;
}

/** Dictionaries already hashed (a run matches the feature frame's sample_id twice: first rows, entry labels). */
const tables = new WeakMap<object, DictionaryTable>();

/**
 * Frees the table hashed for `dictionary`, once nothing will match against it again. A run's frame keeps the
 * feature frame's sample_id dictionary to the end, and with it the table (~18 MB on L) that only the frozen
 * stage and the entry set read.
 */
export function forgetDictionaryTable(dictionary: string[] | Utf8List): void {
  const cached = tables.get(dictionary);
  if (!cached) return;
  tables.delete(dictionary);
  cached.clear();
  // (not `canonical`: matchDictionary hands that one out)
  release(cached.firstIndex);
}

function dictionaryTable(dictionary: string[] | Utf8List): DictionaryTable {
  const cached = tables.get(dictionary);
  const size = dictionarySize(dictionary);
  if (cached && cached.size === size && cached.firstIndex.length === size) return cached;
  const firstIndex = new Int32Array(size);
  let canonical: Int32Array | null = null;
  const note = (d: number, code: number, added: boolean) => {
    if (added) firstIndex[code] = d;
    if (!canonical && firstIndex[code] !== d) {
      canonical = new Int32Array(size);
      for (let k = 0; k < size; k++) canonical[k] = k;
    }
    if (canonical) canonical[d] = firstIndex[code];
  };
  let built: DictionaryTable;
  if (Array.isArray(dictionary)) {
    const table = new StringTable(size);
    for (let d = 0; d < size; d++) {
      const before = table.values.length;
      const code = table.add(dictionary[d]);
      note(d, code, table.values.length > before);
    }
    built = { get: (value: string) => table.get(value), firstIndex, canonical, size, clear: () => table.clear() };
  } else {
    const table = new Utf8Table(dictionary, size);
    for (let d = 0; d < size; d++) {
      const before = table.count;
      const code = table.add(d);
      note(d, code, table.count > before);
    }
    built = { get: (bytes: Uint8Array, start: number, end: number) => table.get(bytes, start, end), firstIndex, canonical, size, clear: () => table.clear() };
  }
  tables.set(dictionary, built);
  return built;
}

/**
 * The distinct values of a UTF-8 dictionary → dense codes (in order of first appearance), by their bytes: FNV-1a,
 * open addressing, typed arrays; the bytes stay the dictionary's own.
 */
class Utf8Table {
  count = 0;
  /** Entry (of the dictionary) of each code. */
  private entryOf: Int32Array;
  private hashes: Int32Array;
  private slots: Int32Array;

  constructor(private readonly list: Utf8List, expected: number) {
    let size = 16;
    while (size < expected * 2) size <<= 1;
    this.slots = new Int32Array(size).fill(-1);
    this.hashes = new Int32Array(Math.max(expected, 1));
    this.entryOf = new Int32Array(Math.max(expected, 1));
  }

  /** Code of dictionary entry d, added with the next code if its value is new. */
  add(d: number): number {
    const { bytes, offsets } = this.list;
    const h = hashBytes(bytes, offsets[d], offsets[d + 1]);
    const slot = this.find(bytes, offsets[d], offsets[d + 1], h);
    if (this.slots[slot] >= 0) return this.slots[slot];
    const code = this.count++;
    this.hashes[code] = h;
    this.entryOf[code] = d;
    this.slots[slot] = code;
    return code;
  }

  /** Code of the value bytes[start..end], or -1. */
  get(bytes: Uint8Array, start: number, end: number): number {
    return this.slots[this.find(bytes, start, end, hashBytes(bytes, start, end))];
  }

  clear(): void {
    release(this.slots, this.hashes, this.entryOf);
  }

  /** The slot holding this value's code, or the empty slot where it would go. */
  private find(bytes: Uint8Array, start: number, end: number, h: number): number {
    const mask = this.slots.length - 1;
    const { bytes: own, offsets } = this.list;
    let slot = (h >>> 0) & mask;
    for (;;) {
      const code = this.slots[slot];
      if (code === -1) return slot;
      if (this.hashes[code] === h) {
        const e = this.entryOf[code];
        const s = offsets[e];
        if (offsets[e + 1] - s === end - start) {
          let same = true;
          for (let i = 0; same && i < end - start; i++) same = own[s + i] === bytes[start + i];
          if (same) return slot;
        }
      }
      slot = (slot + 1) & mask;
    }
  }
}

