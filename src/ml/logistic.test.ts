import { describe, expect, it } from 'vitest';
import { CancelledError, InputError } from '../core/errors.ts';
import { loadMlFixture, unpack, unpack64, unpackFloat } from '../../test/fixtures/ml/load.ts';
import { fitLogistic, logisticLossGrad, predictProba } from './logistic.ts';
import { cpuMatrixOps } from './matrixOps.ts';

const datasets = ['state_like.json', 'constant_column.json', 'imbalanced.json'];

describe.each(datasets)('logistic loss and gradient on %s', (name) => {
  const d = loadMlFixture(name);
  const x = unpackFloat(d.x_scaled);
  const y = unpack(d.y_cls);
  const ops = cpuMatrixOps(x, d.rows, d.cols);
  const points: any[] = d.logistic_points ?? [{ C: 1, w: d.logistic.coef.concat(d.logistic.intercept), loss: d.logistic.objective }];

  it('equals sklearn’s LinearModelLoss(HalfBinomialLoss).loss_gradient at given points', () => {
    for (const p of points) {
      const g = new Float64Array(d.cols + 1);
      const f = logisticLossGrad(Float64Array.from(p.w), g, ops, y, p.C);
      expect(Math.abs(f - p.loss) / Math.abs(p.loss)).toBeLessThan(1e-13);
      if (p.grad) for (let j = 0; j <= d.cols; j++) expect(Math.abs(g[j] - p.grad[j])).toBeLessThan(1e-11 * Math.max(1, Math.abs(p.grad[j])));
    }
  });

  it('has a gradient equal to central finite differences', () => {
    const w = Float64Array.from(points[points.length - 1].w);
    const C = points[points.length - 1].C;
    const g = new Float64Array(d.cols + 1);
    logisticLossGrad(w, g, ops, y, C);
    const scratch = new Float64Array(d.cols + 1);
    for (let j = 0; j <= d.cols; j++) {
      const h = 1e-5 * Math.max(1, Math.abs(w[j]));
      const wp = w.slice();
      wp[j] += h;
      const wm = w.slice();
      wm[j] -= h;
      const fd = (logisticLossGrad(wp, scratch, ops, y, C) - logisticLossGrad(wm, scratch, ops, y, C)) / (2 * h);
      expect(Math.abs(fd - g[j])).toBeLessThan(1e-6 * Math.max(1, Math.abs(g[j])));
    }
  });
});

describe.each(datasets)('fitLogistic on %s against LogisticRegression(max_iter=500)', (name) => {
  const d = loadMlFixture(name);
  const x = unpackFloat(d.x_scaled);
  const y = unpack(d.y_cls);
  const fits = Object.keys(d).filter((k) => k.startsWith('logistic') && d[k].coef);
  for (const key of fits) {
    const ref = d[key];
    it(`${key}: objective not worse than sklearn’s, same iterations, probabilities within 5e-3`, () => {
      const fit = fitLogistic(cpuMatrixOps(x, d.rows, d.cols), y, { C: ref.C, maxIter: ref.max_iter });
      expect(fit.objective).toBeLessThanOrEqual(ref.objective * (1 + 1e-6));
      expect(fit.iterations).toBe(ref.n_iter);
      expect(fit.converged).toBe(!ref.converged_warning);
      const p = predictProba(x, d.rows, d.cols, fit.coef, fit.intercept);
      const pr = unpack64(ref.proba);
      let worst = 0;
      for (let i = 0; i < d.rows; i++) worst = Math.max(worst, Math.abs(p[i] - pr[i]));
      expect(worst).toBeLessThan(5e-3);
      const largest = Math.max(...ref.coef.map(Math.abs));
      for (let j = 0; j < d.cols; j++) expect(Math.abs(fit.coef[j] - ref.coef[j])).toBeLessThan(1e-3 * largest);
    });
  }
});

describe('fitLogistic guards', () => {
  const d = loadMlFixture('imbalanced.json');
  const x = unpackFloat(d.x_scaled);
  const y = unpack(d.y_cls);

  it('stops on the cancel signal with CancelledError', () => {
    const signal = { aborted: false };
    expect(() =>
      fitLogistic(cpuMatrixOps(x, d.rows, d.cols), y, { signal, onIteration: (it) => { if (it === 2) signal.aborted = true; } }),
    ).toThrow(CancelledError);
  });

  it('refuses one class and labels other than 0/1 with an InputError', () => {
    const ops = cpuMatrixOps(x, d.rows, d.cols);
    expect(() => fitLogistic(ops, new Float64Array(d.rows))).toThrow(InputError);
    const bad = Float64Array.from(y);
    bad[5] = 2;
    expect(() => fitLogistic(ops, bad)).toThrow(/0 or 1; found 2 at row 5/);
  });

  it('reports maxIter reached as not converged', () => {
    const fit = fitLogistic(cpuMatrixOps(x, d.rows, d.cols), y, { maxIter: 3 });
    expect(fit.iterations).toBe(3);
    expect(fit.converged).toBe(false);
  });
});
