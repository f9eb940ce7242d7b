import { describe, expect, it } from 'vitest';
import { loadMlFixture } from '../../test/fixtures/ml/load.ts';
import { brierScore, mean, meanAbsoluteError, median, rocAuc } from './metrics.ts';

describe('metrics equal scikit-learn / numpy exactly (scores with ties)', () => {
  const { cases } = loadMlFixture('metrics.json');
  cases.forEach((c: any, k: number) => {
    it(`case ${k} (${c.y.length} rows)`, () => {
      expect(rocAuc(c.y, c.score)).toBe(c.roc_auc);
      expect(brierScore(c.y, c.score)).toBe(c.brier);
      const rate = mean(c.y);
      expect(brierScore(c.y, new Float64Array(c.y.length).fill(rate))).toBe(c.brier_constant);
      expect(meanAbsoluteError(c.y_reg, c.pred)).toBe(c.mae);
      expect(median(c.y_reg)).toBe(c.median);
      const odd = c.y_reg.slice(0, c.y_reg.length - (1 - (c.y_reg.length % 2)));
      expect(median(odd)).toBe(c.median_odd);
      expect(mean(c.y_reg)).toBe(c.mean);
    });
  });
});

describe('rocAuc', () => {
  it('gives tied scores half credit', () => {
    // one positive and one negative with equal scores: AUC 0.5; a strictly better positive adds a full pair
    expect(rocAuc([0, 1], [0.3, 0.3])).toBe(0.5);
    expect(rocAuc([0, 1, 1], [0.3, 0.3, 0.9])).toBe(0.75);
  });

  it('is null when only one class occurs', () => {
    expect(rocAuc([1, 1, 1], [0.1, 0.2, 0.3])).toBeNull();
    expect(rocAuc(Int8Array.of(0, 0), [0.1, 0.2])).toBeNull();
  });

  it('agrees with the rank (Mann–Whitney) formula on a large tied sample', () => {
    const n = 20000;
    const y = new Int8Array(n);
    const s = new Float64Array(n);
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let i = 0; i < n; i++) {
      y[i] = rand() < 0.3 ? 1 : 0;
      s[i] = Math.round((rand() + 0.3 * y[i]) * 20) / 20;
    }
    // average ranks
    const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => s[a] - s[b]);
    const rank = new Float64Array(n);
    for (let i = 0; i < n; ) {
      let j = i;
      while (j + 1 < n && s[idx[j + 1]] === s[idx[i]]) j++;
      for (let k = i; k <= j; k++) rank[idx[k]] = (i + j) / 2 + 1;
      i = j + 1;
    }
    let nPos = 0;
    let rankSum = 0;
    for (let i = 0; i < n; i++) if (y[i] === 1) (nPos++, (rankSum += rank[i]));
    const nNeg = n - nPos;
    const expected = (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
    expect(rocAuc(y, s)).toBeCloseTo(expected, 12);
  });

  it('is refused for a NaN score, as scikit-learn refuses it', () => {
    expect(() => rocAuc([0, 1, 0], [0.1, NaN, 0.2])).toThrow(/NaN/);
  });

  it('gives -0 and +0 one threshold, as equal scores', () => {
    expect(rocAuc([0, 1], [-0, 0])).toBe(0.5);
    expect(rocAuc([1, 0, 1, 0], [0, -0, 0.5, -0.5])).toBe(rocAuc([1, 0, 1, 0], [0, 0, 0.5, -0.5]));
  });
});

describe('median', () => {
  it('is numpy’s: the mean of the two middle values, NaN when a value is NaN', () => {
    expect(median([3, 1, 2, 10])).toBe(2.5);
    expect(median([5])).toBe(5);
    expect(median([1, NaN, 2])).toBeNaN();
    expect(median([])).toBeNaN();
  });
});
