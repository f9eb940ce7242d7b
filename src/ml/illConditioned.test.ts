/**
 * Unscaled columns and near-exact collinearity: hundreds of L-BFGS-B iterations, where the last bits of each
 * gradient (OpenBLAS there, plain loops here) steer the two runs apart. What must still hold (SPEC §6): the objective
 * is not worse than scikit-learn's by more than 1e-6 relative, predictions agree, and the same stopping rule ends
 * the run at a similar iteration count (not, say, at max_iter).
 */
import { describe, expect, it } from 'vitest';
import { loadMlFixture, unpack, unpack64, unpackFloat } from '../../test/fixtures/ml/load.ts';
import { fitHuber, predictHuber } from './huber.ts';
import { fitLogistic, predictProba } from './logistic.ts';
import { cpuMatrixOps } from './matrixOps.ts';

describe('ill-conditioned data (3000 × 25, unscaled, collinear)', () => {
  const d = loadMlFixture('ill_conditioned.json');
  const x = unpackFloat(d.x);
  const ops = cpuMatrixOps(x, d.rows, d.cols);

  it('LogisticRegression: objective, probabilities within 5e-3, iterations within 15 %', () => {
    const ref = d.logistic;
    const fit = fitLogistic(ops, unpack(d.y_cls), { maxIter: ref.max_iter });
    expect(fit.objective).toBeLessThanOrEqual(ref.objective * (1 + 1e-6));
    expect(fit.message).toMatch(/^CONVERGENCE/);
    expect(Math.abs(fit.iterations - ref.n_iter)).toBeLessThanOrEqual(0.15 * ref.n_iter);
    const p = predictProba(x, d.rows, d.cols, fit.coef, fit.intercept);
    const pr = unpack64(ref.proba);
    let worst = 0;
    for (let i = 0; i < d.rows; i++) worst = Math.max(worst, Math.abs(p[i] - pr[i]));
    expect(worst).toBeLessThan(5e-3);
  });

  it('HuberRegressor: objective, predictions within 1 + 1 %, iterations within 15 %', () => {
    const ref = d.huber;
    const fit = fitHuber(ops, unpack64(d.y_reg), { maxIter: ref.max_iter });
    expect(fit.objective).toBeLessThanOrEqual(ref.objective * (1 + 1e-6));
    expect(fit.converged).toBe(true);
    expect(Math.abs(fit.iterations - ref.n_iter)).toBeLessThanOrEqual(0.15 * ref.n_iter);
    const pred = predictHuber(x, d.rows, d.cols, fit);
    const pr = unpack64(ref.predict);
    let outside = 0;
    for (let i = 0; i < d.rows; i++) if (Math.abs(pred[i] - pr[i]) > 1 + 0.01 * Math.abs(pr[i])) outside++;
    expect(outside).toBe(0);
  });
});
