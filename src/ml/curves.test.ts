import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { binnedMeans, calibrationCurve, rocCurve, thinCurve } from './curves.ts';
import { rocAuc } from './metrics.ts';
import { populationStabilityIndex, psiEdges, psiLevel, PSI_EPSILON } from './psi.ts';

// Oracle: scikit-learn 1.2.1 and numpy 1.24 (scripts/fixtures/curves_fixtures.py).
const fixture = JSON.parse(readFileSync(new URL('../../test/fixtures/ml/curves_psi.json', import.meta.url), 'utf8')) as {
  curves: Record<string, any>[];
  psi: Record<string, any>[];
};
const num = (v: number | string) => (typeof v === 'number' ? v : v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : -Infinity);

function expectClose(got: number[], want: number[], tol = 1e-12) {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i])).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want[i]))));
}

describe('rocCurve = sklearn roc_curve', () => {
  it.each(fixture.curves.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    for (const drop of [true, false]) {
      const want = c[`roc_drop_${drop ? "True" : "False"}`];
      const got = rocCurve(c.y, c.p, { dropIntermediate: drop });
      expectClose(got.fpr, want.fpr);
      expectClose(got.tpr, want.tpr);
      expectClose(got.thresholds, want.thresholds);
      expect(Math.abs((got.auc ?? NaN) - c.auc)).toBeLessThan(1e-12);
    }
    expect(rocCurve(c.y, c.p).auc).toBeCloseTo(rocAuc(c.y, c.p) ?? NaN, 12);
  });

  it('has no curve with one class, and refuses NaN scores and non-binary labels', () => {
    const r = rocCurve([1, 1, 1], [0.2, 0.5, 0.9]);
    expect(r.auc).toBeNull();
    expect(r.fpr).toEqual([]);
    expect(r.positives).toBe(3);
    expect(() => rocCurve([0, 1], [0.1, NaN])).toThrow(/NaN/);
    expect(() => rocCurve([0, 2], [0.1, 0.2])).toThrow(/not 0 or 1/);
  });
});

describe('calibrationCurve = sklearn calibration_curve', () => {
  it.each(fixture.curves.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    for (const strategy of ['uniform', 'quantile'] as const) {
      for (const bins of [5, 10]) {
        const want = c[`cal_${strategy}_${bins}`];
        const got = calibrationCurve(c.y, c.p, bins, strategy);
        expectClose(got.fractionPositive, want.prob_true);
        expectClose(got.meanPredicted, want.prob_pred);
        expect(got.count.reduce((a, b) => a + b, 0)).toBe(c.y.length);
      }
    }
  });

  it('refuses probabilities outside [0, 1]', () => {
    expect(() => calibrationCurve([0, 1], [0.5, 1.2])).toThrow(/outside/);
  });
});

describe('binnedMeans', () => {
  it('gives bin means that add back to the overall means, skipping non-finite rows', () => {
    const x = Float64Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 30);
    const y = Float64Array.from(x, (v, i) => 0.5 * v + ((i % 7) - 3));
    y[5] = NaN;
    const b = binnedMeans(x, y, 10);
    const n = b.count.reduce((a, c) => a + c, 0);
    expect(n).toBe(999);
    let sx = 0;
    let sy = 0;
    for (let i = 0; i < 1000; i++) if (i !== 5) ((sx += x[i]), (sy += y[i]));
    expect(b.meanX.reduce((a, m, k) => a + m * b.count[k], 0)).toBeCloseTo(sx, 8);
    expect(b.meanY.reduce((a, m, k) => a + m * b.count[k], 0)).toBeCloseTo(sy, 8);
    // Quantile bins of x: ascending means, about 100 rows each.
    for (let k = 1; k < b.meanX.length; k++) expect(b.meanX[k]).toBeGreaterThan(b.meanX[k - 1]);
    for (const c of b.count) expect(Math.abs(c - 100)).toBeLessThanOrEqual(1);
  });
});

describe('thinCurve', () => {
  it('keeps the ends and at most maxPoints points', () => {
    const x = Array.from({ length: 1001 }, (_, i) => i / 1000);
    const t = thinCurve(x, x, 50);
    expect(t.x.length).toBe(50);
    expect(t.x[0]).toBe(0);
    expect(t.x[49]).toBe(1);
  });
});

describe('populationStabilityIndex = the documented binning in numpy', () => {
  it.each(fixture.psi.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const got = populationStabilityIndex(c.reference.map(num), c.actual.map(num));
    expectClose(got.edges, c.edges);
    expectClose(got.referenceShare, c.reference_share);
    expectClose(got.actualShare, c.actual_share);
    expect(Math.abs((got.psi ?? NaN) - c.psi)).toBeLessThanOrEqual(1e-12 * Math.max(1, c.psi));
  });

  it('reads as stable for the same distribution and major for a shifted one', () => {
    const byName = Object.fromEntries(fixture.psi.map((c) => [c.name, populationStabilityIndex(c.reference.map(num), c.actual.map(num))]));
    expect(psiLevel(byName.same_distribution.psi!)).toBe('stable');
    expect(psiLevel(byName.mean_shift.psi!)).toBe('major');
    expect(byName.missing_grows.hasMissingBin).toBe(true);
    expect(byName.missing_grows.actualMissing).toBe(125);
  });

  it('is zero on identical samples, null on an empty one, and caps an empty bin with epsilon', () => {
    const a = Float64Array.from({ length: 100 }, (_, i) => i);
    expect(populationStabilityIndex(a, a).psi).toBe(0);
    expect(populationStabilityIndex(a, []).psi).toBeNull();
    expectClose(psiEdges(a), [9.9, 19.8, 29.7, 39.6, 49.5, 59.4, 69.3, 79.2, 89.1], 1e-14);
    // Every later value above the top decile: one bin holds all, nine are empty.
    const r = populationStabilityIndex(a, [1000, 1001]);
    const e = 0.1;
    const expected = (1 - e) * Math.log(1 / e) + 9 * (PSI_EPSILON - e) * Math.log(PSI_EPSILON / e);
    expect(r.psi).toBeCloseTo(expected, 12);
  });
});
