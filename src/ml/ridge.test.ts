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

  it('alpha 0 with a constant column: the minimum-norm solution, as sklearn falls back from Cholesky to SVD', () => {
    // /usr/bin/python3: rng = default_rng(7); X = rng.standard_normal((12, 3)); X[:, 1] = 2.5;
    // y = X @ [1.5, 0, -2] + 0.1 * rng.standard_normal(12) + 3; Ridge(alpha=0.0).fit(X, y)
    const x = Float64Array.from([
      0.0012301533574825742, 2.5, -0.2741378553622176, -0.8905918387572742, 2.5, -0.9916465549964624, 0.060143602597438485, 2.5,
      -0.49220651855132963, -0.6204748998199404, 2.5, 0.35688700816006075, 0.10541424899789856, 2.5, -0.02925182246327349,
      0.6953031944582878, 2.5, -0.45761576104021817, -1.901222739800844, 2.5, -1.8417350377917323, -0.23509113107468127, 2.5,
      0.2712643588217015, 0.15675108662422516, 2.5, -2.516759710820513, -0.5386928958466366, 2.5, 0.11330898600330756,
      -1.5301357655053935, 2.5, -0.9785190780566395, -0.8088372394255993, 2.5, -0.8075346753318965,
    ]);
    const y = [
      3.546868770266107, 3.7358443385953306, 4.016268397724486, 1.3443434389915518, 3.227671432748343, 4.964564491193374,
      3.709130383240429, 2.112448608782276, 8.404528393751518, 1.8106282164105818, 2.7477727766573485, 3.413748894095052,
    ];
    const fit = fitRidge(x, 12, 3, y, 0);
    const sk = [1.5339716813776325, 0.0, -2.043772187793423];
    for (let j = 0; j < 3; j++) expect(Math.abs(fit.coef[j] - sk[j])).toBeLessThan(1e-9);
    expect(fit.coef[1]).toBe(0);
    expect(Math.abs(fit.intercept - 2.987459901158074)).toBeLessThan(1e-9);
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
