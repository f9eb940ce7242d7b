/**
 * The seed's own training frames (test/fixtures/state-continue/real_bars: BTC 1-minute bars; the state features
 * unrealized_pnl_bps, distance_to_stop_bps and distance_to_target_bps are collinear; add_count and
 * minutes_since_last_add are constant), fitted end to end: scaler → LogisticRegression / HuberRegressor.
 */
import { describe, expect, it } from 'vitest';
import { loadMlFixture, unpack, unpack64, unpackFloat } from '../../test/fixtures/ml/load.ts';
import { fitHuber, predictHuber } from './huber.ts';
import { fitLogistic, predictProba } from './logistic.ts';
import { cpuMatrixOps } from './matrixOps.ts';
import { fitStandardScaler, scaleToFloat32 } from './scaler.ts';

function selectColumns(x: Float32Array, rows: number, all: string[], wanted: string[]): Float32Array {
  const idx = wanted.map((c) => all.indexOf(c));
  const out = new Float32Array(rows * wanted.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < idx.length; j++) out[i * idx.length + j] = x[i * all.length + idx[j]];
  return out;
}

const { sides } = loadMlFixture('real_bars.json');

describe.each(Object.keys(sides))('real bars, %s side, fit_inner', (side) => {
  const s = sides[side];
  const xAll = unpackFloat(s.x) as Float32Array;
  const yCls = unpack(s.y_cls);
  const yReg = unpack64(s.y_reg);
  for (const [name, ref] of Object.entries<any>(s.fits)) {
    const cols = ref.columns.length;
    const x = selectColumns(xAll, s.rows, s.columns, ref.columns);
    const scaler = fitStandardScaler(x, s.rows, cols);
    const xs = scaleToFloat32(x, s.rows, cols, scaler);

    it(`${name}: scaler as sklearn’s`, () => {
      for (let j = 0; j < cols; j++) {
        expect(Math.abs(scaler.scale[j] - ref.scaler.scale[j])).toBeLessThanOrEqual(1e-12 * ref.scaler.scale[j]);
        expect(Math.abs(scaler.mean[j] - ref.scaler.mean[j])).toBeLessThanOrEqual(1e-12 * Math.max(1e-300, Math.abs(ref.scaler.mean[j])));
      }
    });

    it(`${name}: LogisticRegression — objective, n_iter_, probabilities`, () => {
      const fit = fitLogistic(cpuMatrixOps(xs, s.rows, cols), yCls, { maxIter: ref.logistic.max_iter });
      expect(fit.objective).toBeLessThanOrEqual(ref.logistic.objective * (1 + 1e-6));
      expect(fit.iterations).toBe(ref.logistic.n_iter);
      const p = predictProba(xs, s.rows, cols, fit.coef, fit.intercept);
      const pr = unpack64(ref.logistic.proba);
      let worst = 0;
      for (let i = 0; i < s.rows; i++) worst = Math.max(worst, Math.abs(p[i] - pr[i]));
      expect(worst).toBeLessThan(5e-3);
    });

    it(`${name}: HuberRegressor(max_iter=1000) — objective, n_iter_ (the seed's regressor_iterations), predictions`, () => {
      const fit = fitHuber(cpuMatrixOps(xs, s.rows, cols), yReg, { alpha: 0.001, epsilon: 1.35, maxIter: 1000 });
      expect(fit.objective).toBeLessThanOrEqual(ref.huber.objective * (1 + 1e-6));
      expect(fit.iterations).toBe(ref.huber.n_iter);
      expect(fit.converged).toBe(ref.huber.converged);
      const pred = predictHuber(xs, s.rows, cols, fit);
      const pr = unpack64(ref.huber.predict);
      for (let i = 0; i < s.rows; i++) expect(Math.abs(pred[i] - pr[i])).toBeLessThan(1 + 0.01 * Math.abs(pr[i]));
    });
  }
});
