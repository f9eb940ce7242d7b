// numpy 1.24's argsort(kind="quicksort") (npysort/quicksort.cpp aquicksort_ + heapsort.cpp aheapsort_), ported.
// The seed's `_cap_rows_per_split` runs `frame.sort_values("event_time")`, which is this introsort over the non-null
// keys (pandas' nargsort puts nulls last, outside the argsort). It is not stable, but it is deterministic: porting it
// gives the seed's row order and, when a cap cuts inside a run of equal times, the same surviving rows.
// `less(a, b)` compares the keys of rows a and b (timestamps as numbers; strings with Python's str <).

const SMALL_QUICKSORT = 15;

export function numpyArgsortQuick(n: number, less: (a: number, b: number) => boolean): Int32Array {
  const tosort = new Int32Array(n);
  for (let i = 0; i < n; i++) tosort[i] = i;
  if (n < 2) return tosort;
  let pl = 0;
  let pr = n - 1;
  const stack: number[] = [];
  const depth: number[] = [];
  let cdepth = (31 - Math.clz32(n)) * 2; // npy_get_msb(num) * 2
  const swap = (i: number, j: number) => {
    const t = tosort[i];
    tosort[i] = tosort[j];
    tosort[j] = t;
  };
  for (;;) {
    if (cdepth < 0) {
      aheapsort(tosort, pl, pr - pl + 1, less);
    } else {
      while (pr - pl > SMALL_QUICKSORT) {
        const pm = pl + ((pr - pl) >> 1);
        if (less(tosort[pm], tosort[pl])) swap(pm, pl);
        if (less(tosort[pr], tosort[pm])) swap(pr, pm);
        if (less(tosort[pm], tosort[pl])) swap(pm, pl);
        const vp = tosort[pm];
        let pi = pl;
        let pj = pr - 1;
        swap(pm, pj);
        for (;;) {
          do ++pi;
          while (less(tosort[pi], vp));
          do --pj;
          while (less(vp, tosort[pj]));
          if (pi >= pj) break;
          swap(pi, pj);
        }
        swap(pi, pr - 1);
        // push the larger partition, go on with the smaller
        if (pi - pl < pr - pi) {
          stack.push(pi + 1, pr);
          pr = pi - 1;
        } else {
          stack.push(pl, pi - 1);
          pl = pi + 1;
        }
        depth.push(--cdepth);
      }
      // insertion sort
      for (let pi = pl + 1; pi <= pr; ++pi) {
        const vi = tosort[pi];
        let pj = pi;
        let pk = pi - 1;
        while (pj > pl && less(vi, tosort[pk])) tosort[pj--] = tosort[pk--];
        tosort[pj] = vi;
      }
    }
    if (!stack.length) break;
    pr = stack.pop()!;
    pl = stack.pop()!;
    cdepth = depth.pop()!;
  }
  return tosort;
}

/** aheapsort_ on tosort[start .. start+n) (numpy uses 1-based indexing into a[-1]). */
function aheapsort(tosort: Int32Array, start: number, n: number, less: (a: number, b: number) => boolean): void {
  const a = (k: number) => tosort[start + k - 1];
  const set = (k: number, v: number) => {
    tosort[start + k - 1] = v;
  };
  let i: number;
  let j: number;
  let l: number;
  let tmp: number;
  for (l = n >> 1; l > 0; --l) {
    tmp = a(l);
    for (i = l, j = l << 1; j <= n; ) {
      if (j < n && less(a(j), a(j + 1))) j += 1;
      if (less(tmp, a(j))) {
        set(i, a(j));
        i = j;
        j += j;
      } else break;
    }
    set(i, tmp);
  }
  for (; n > 1; ) {
    tmp = a(n);
    set(n, a(1));
    n -= 1;
    for (i = 1, j = 2; j <= n; ) {
      if (j < n && less(a(j), a(j + 1))) j++;
      if (less(tmp, a(j))) {
        set(i, a(j));
        i = j;
        j += j;
      } else break;
    }
    set(i, tmp);
  }
}
