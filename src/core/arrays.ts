/** Typed-array helpers shared by the data, experiment and model code. */

type NumberArrayConstructor<T> = new (length: number) => T;

/**
 * `values[positions[i]]` for every i, as a new `Type` array. A plain loop: `TypedArray.from(positions, mapFn)`
 * is 5–10× slower in V8 (~0.1–0.3 s per million rows).
 */
export function gather<T extends Float64Array | Float32Array | Int32Array>(Type: NumberArrayConstructor<T>, values: ArrayLike<number>, positions: ArrayLike<number>): T {
  const n = positions.length;
  const out = new Type(n);
  for (let i = 0; i < n; i++) out[i] = values[positions[i]];
  return out;
}

/**
 * The positions i < n where `keep(i)`, ascending, as an Int32Array: counted, then filled. A JS array pushed to
 * row by row (a million rows on L) grows in the worker's heap, which then stays large after it is dropped.
 */
export function positionsWhere(n: number, keep: (i: number) => boolean): Int32Array {
  let count = 0;
  for (let i = 0; i < n; i++) if (keep(i)) count++;
  const out = new Int32Array(count);
  for (let i = 0, k = 0; i < n; i++) if (keep(i)) out[k++] = i;
  return out;
}

type TypedNumberArray = Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array;

/**
 * `Type.from(values, map)` by a plain loop (the first `length` values). `TypedArray.from` walks its source through
 * the iterator protocol in V8 when the source is a JS array or a differently typed array, or with a map function:
 * an object per value, left as garbage in the worker's heap (~330 MB over an L run before this).
 */
export function typedCopy<T extends TypedNumberArray>(Type: NumberArrayConstructor<T>, values: ArrayLike<number>, length = values.length, map?: (v: number) => number): T {
  const out = new Type(length);
  if (map) for (let i = 0; i < length; i++) out[i] = map(values[i]);
  else for (let i = 0; i < length; i++) out[i] = values[i];
  return out;
}
