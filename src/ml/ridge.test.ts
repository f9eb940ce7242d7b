import { describe, expect, it } from 'vitest';
import { loadMlFixture, unpack64, unpackFloat } from '../../test/fixtures/ml/load.ts';
import { fitRidge, predictRidge } from './ridge.ts';

const maxRel = (a: ArrayLike<number>, b: number[]) => {
  const largest = Math.max(...b.map(Math.abs));
  let worst = 0;
  for (let j = 0; j < b.length; j++) worst = Math.max(worst, Math.abs(a[j] - b[j]) / largest);
  return worst;
};

describe('fitRidge against sklearn Ridge', () => {
  it('float64 data: coefficients and intercept to 1e-6 relative (alpha 10, 1 and 0)', () => {
    for (const [name, key] of [
      ['state_like.json', 'ridge_float64'],
      ['huber_outliers.json', 'ridge_float64'],
      ['huber_outliers.json', 'ridge_float64_alpha0'],
    ]) {
      const d = loadMlFixture(name);
      const x = Float64Array.from(unpackFloat(d.x_scaled ?? d.x));
      const ref = d[key];
      const fit = fitRidge(x, d.rows, d.cols, unpack64(d.y_reg), ref.alpha);
      expect(maxRel(fit.coef, ref.coef)).toBeLessThan(1e-6);
      expect(Math.abs(fit.intercept - ref.intercept)).toBeLessThan(1e-6 * Math.max(1, Math.abs(ref.intercept)));
      const pred = predictRidge(x, d.rows, d.cols, fit);
      const pr = unpack64(ref.predict);
      for (let i = 0; i < d.rows; i++) expect(Math.abs(pred[i] - pr[i])).toBeLessThan(1e-6 * (1 + Math.abs(pr[i])));
    }
  });

  it('float32 data: within float32 rounding of sklearn’s float32 solve (1e-4 of the largest coefficient)', () => {
    const d = loadMlFixture('state_like.json');
    const x = unpackFloat(d.x_scaled);
    const ref = d.ridge_float32;
    const fit = fitRidge(x, d.rows, d.cols, unpack64(d.y_reg), ref.alpha);
    expect(maxRel(fit.coef, ref.coef)).toBeLessThan(1e-4);
    const pred = predictRidge(x, d.rows, d.cols, fit);
    const pr = unpack64(ref.predict);
    for (let i = 0; i < d.rows; i++) expect(Math.abs(pred[i] - pr[i])).toBeLessThan(1e-3 + 1e-4 * Math.abs(pr[i]));
  });

  it('does not penalise the intercept: a constant shift of y moves only the intercept', () => {
    const d = loadMlFixture('huber_outliers.json');
    const x = unpackFloat(d.x);
    const y = unpack64(d.y_reg);
    const a = fitRidge(x, d.rows, d.cols, y, 5);
    const b = fitRidge(x, d.rows, d.cols, y.map((v) => v + 1000), 5);
    for (let j = 0; j < d.cols; j++) expect(b.coef[j]).toBeCloseTo(a.coef[j], 9);
    expect(b.intercept - a.intercept).toBeCloseTo(1000, 8);
  });
});
