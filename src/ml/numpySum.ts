/**
 * numpy's pairwise summation (`add.reduce` over a contiguous float64 axis: blocks of 128 summed with eight
 * accumulators, longer runs split in halves). The metrics and the scaler sum this way so that their last bits
 * follow numpy's, not a naive running sum.
 */
const PW_BLOCKSIZE = 128;

/** Σ a[offset + i*stride] for i < n, as numpy's DOUBLE_pairwise_sum. */
export function pairwiseSum(a: ArrayLike<number>, offset = 0, n = a.length - offset, stride = 1): number {
  if (n < 8) {
    let res = -0.0;
    for (let i = 0; i < n; i++) res += a[offset + i * stride];
    return res;
  }
  if (n <= PW_BLOCKSIZE) {
    let r0 = a[offset];
    let r1 = a[offset + stride];
    let r2 = a[offset + 2 * stride];
    let r3 = a[offset + 3 * stride];
    let r4 = a[offset + 4 * stride];
    let r5 = a[offset + 5 * stride];
    let r6 = a[offset + 6 * stride];
    let r7 = a[offset + 7 * stride];
    const end = n - (n % 8);
    let i = 8;
    for (; i < end; i += 8) {
      const b = offset + i * stride;
      r0 += a[b];
      r1 += a[b + stride];
      r2 += a[b + 2 * stride];
      r3 += a[b + 3 * stride];
      r4 += a[b + 4 * stride];
      r5 += a[b + 5 * stride];
      r6 += a[b + 6 * stride];
      r7 += a[b + 7 * stride];
    }
    let res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (; i < n; i++) res += a[offset + i * stride];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, offset, n2, stride) + pairwiseSum(a, offset + n2 * stride, n - n2, stride);
}

/** `np.sum(a)` of a 1-D float64 array (the identity 0 plus the pairwise sum). */
export function numpySum(a: ArrayLike<number>): number {
  return 0 + pairwiseSum(a, 0, a.length, 1);
}
