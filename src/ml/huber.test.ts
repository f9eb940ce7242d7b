import { describe, expect, it } from 'vitest';
import { CancelledError } from '../core/errors.ts';
import { loadMlFixture, unpack64, unpackFloat } from '../../test/fixtures/ml/load.ts';
import { fitHuber, huberLossGrad, predictHuber } from './huber.ts';
import { cpuMatrixOps } from './matrixOps.ts';

const inputs = (d: any) => ({ x: unpackFloat(d.x_scaled ?? d.x), y: unpack64(d.y_reg) });

describe.each(['state_like.json', 'huber_outliers.json'])('Huber loss and gradient on %s', (name) => {
  const d = loadMlFixture(name);
  const { x, y } = inputs(d);
  const ops = cpuMatrixOps(x, d.rows, d.cols);

  it('equals sklearn’s _huber_loss_and_gradient at given points (several σ, so several outlier sets)', () => {
    for (const p of d.huber_points) {
      const g = new Float64Array(d.cols + 2);
      const f = huberLossGrad(Float64Array.from(p.w), g, ops, y, p.epsilon, p.alpha);
      expect(Math.abs(f - p.loss) / Math.abs(p.loss)).toBeLessThan(1e-13);
      for (let j = 0; j < d.cols + 2; j++) expect(Math.abs(g[j] - p.grad[j])).toBeLessThan(1e-11 * Math.max(1, Math.abs(p.grad[j])));
    }
  });

  it('has a gradient equal to central finite differences', () => {
    const p = d.huber_points[1];
    const w = Float64Array.from(p.w);
    const g = new Float64Array(d.cols + 2);
    huberLossGrad(w, g, ops, y, p.epsilon, p.alpha);
    const scratch = new Float64Array(d.cols + 2);
    for (let j = 0; j < d.cols + 2; j++) {
      // small steps: the loss is only piecewise smooth (a row crossing ε·σ changes branch)
      const h = 1e-7 * Math.max(1, Math.abs(w[j]));
      const wp = w.slice();
      wp[j] += h;
      const wm = w.slice();
      wm[j] -= h;
      const fd = (huberLossGrad(wp, scratch, ops, y, p.epsilon, p.alpha) - huberLossGrad(wm, scratch, ops, y, p.epsilon, p.alpha)) / (2 * h);
      expect(Math.abs(fd - g[j])).toBeLessThan(1e-4 * Math.max(1, Math.abs(g[j])));
    }
  });
});

describe.each(['state_like.json', 'huber_outliers.json'])('fitHuber on %s against HuberRegressor', (name) => {
  const d = loadMlFixture(name);
  const { x, y } = inputs(d);
  for (const key of Object.keys(d).filter((k) => k.startsWith('huber') && d[k].coef)) {
    const ref = d[key];
    it(`${key} (max_iter ${ref.max_iter}): objective, n_iter_, convergence flag, σ and predictions`, () => {
      const fit = fitHuber(cpuMatrixOps(x, d.rows, d.cols), y, { alpha: ref.alpha, epsilon: ref.epsilon, maxIter: ref.max_iter });
      expect(fit.objective).toBeLessThanOrEqual(ref.objective * (1 + 1e-6));
      expect(fit.iterations).toBe(ref.n_iter);
      expect(fit.converged).toBe(ref.converged);
      expect(Math.abs(fit.scale - ref.scale) / ref.scale).toBeLessThan(1e-6);
      const pred = predictHuber(x, d.rows, d.cols, fit);
      const pr = unpack64(ref.predict);
      let bad = 0;
      for (let i = 0; i < d.rows; i++) if (Math.abs(pred[i] - pr[i]) > 1e-6 * (1 + Math.abs(pr[i]))) bad++;
      expect(bad).toBe(0);
    });
  }
});

describe('fitHuber guards', () => {
  it('stops on the cancel signal', () => {
    const d = loadMlFixture('huber_outliers.json');
    const { x, y } = inputs(d);
    const signal = { aborted: true };
    expect(() => fitHuber(cpuMatrixOps(x, d.rows, d.cols), y, { signal })).toThrow(CancelledError);
  });

  it('keeps σ above its lower bound 10·eps even when the data fit exactly', () => {
    const rows = 50;
    const x = new Float64Array(rows);
    const y = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      x[i] = i / 10;
      y[i] = 2 * x[i] + 1;
    }
    const fit = fitHuber(cpuMatrixOps(x, rows, 1), y, { maxIter: 200 });
    expect(fit.scale).toBeGreaterThanOrEqual(10 * 2.220446049250313e-16);
    expect(fit.coef[0]).toBeCloseTo(2, 2);
  });
});

describe('fitHuber input checks', () => {
  it('names the row of a non-finite target, and refuses NaN in X', () => {
    const x = Float64Array.of(1, 2, 3, 4);
    expect(() => fitHuber(cpuMatrixOps(x, 4, 1), [1, 2, NaN, 4])).toThrow(/found NaN at row 2/);
    expect(() => fitHuber(cpuMatrixOps(Float64Array.of(1, NaN, 3, 4), 4, 1), [1, 2, 3, 4])).toThrow(/NaN or infinite/);
  });
});
