import { describe, expect, it } from 'vitest';
import { CancelledError } from '../core/errors.ts';
import { loadMlFixture } from '../../test/fixtures/ml/load.ts';
import { minimizeLbfgsb } from './lbfgs.ts';

function rosen(x: Float64Array, g: Float64Array): number {
  let f = 0;
  g.fill(0);
  for (let i = 0; i < x.length - 1; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    f += 100 * a * a + b * b;
    g[i] += -400 * x[i] * a - 2 * b;
    g[i + 1] += 200 * a;
  }
  return f;
}

const bound = (v: (number | null)[], fill: number) => Float64Array.from(v, (b) => (b === null ? fill : b));

describe('minimizeLbfgsb against scipy 1.10 L-BFGS-B (Rosenbrock, 7 variables)', () => {
  const { runs } = loadMlFixture('lbfgsb_rosenbrock.json');
  for (const run of runs) {
    it(`${run.name}: same iterations, evaluations, stopping reason and point`, () => {
      const res = minimizeLbfgsb(rosen, run.x0, {
        lower: bound(run.lower, -Infinity),
        upper: bound(run.upper, Infinity),
        maxIter: run.options.maxiter,
        gtol: run.options.gtol,
        m: run.options.maxcor,
      });
      expect(res.message).toBe(run.message);
      expect(res.status).toBe(run.status);
      expect(res.iterations).toBe(run.nit);
      expect(res.funEvals).toBe(run.nfev);
      for (let i = 0; i < run.x.length; i++) expect(Math.abs(res.x[i] - run.x[i])).toBeLessThan(1e-9);
      expect(Math.abs(res.f - run.fun)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(run.fun)));
      // bounds respected
      for (let i = 0; i < run.x.length; i++) {
        if (run.lower[i] !== null) expect(res.x[i]).toBeGreaterThanOrEqual(run.lower[i]);
        if (run.upper[i] !== null) expect(res.x[i]).toBeLessThanOrEqual(run.upper[i]);
      }
    });
  }
});

describe('minimizeLbfgsb on problems with a known answer', () => {
  it('finds a bound-constrained quadratic optimum exactly on its active bounds', () => {
    // min Σ (x_i − c_i)² with 0 ≤ x ≤ 1: x* = clip(c, 0, 1)
    const c = [-2, 0.25, 3, 0.75, 1.5];
    const res = minimizeLbfgsb(
      (x, g) => {
        let f = 0;
        for (let i = 0; i < x.length; i++) {
          f += (x[i] - c[i]) ** 2;
          g[i] = 2 * (x[i] - c[i]);
        }
        return f;
      },
      [0.5, 0.5, 0.5, 0.5, 0.5],
      { lower: new Float64Array(5), upper: new Float64Array(5).fill(1) },
    );
    expect(res.converged).toBe(true);
    expect(Array.from(res.x)).toEqual([0, expect.closeTo(0.25, 9), 1, expect.closeTo(0.75, 9), 1]);
  });

  it('projects an infeasible start into the box, as scipy does', () => {
    const seen: number[] = [];
    minimizeLbfgsb(
      (x, g) => {
        if (seen.length === 0) seen.push(...x);
        g[0] = 2 * x[0];
        return x[0] * x[0];
      },
      [5],
      { lower: Float64Array.of(1), upper: Float64Array.of(2) },
    );
    expect(seen).toEqual([2]);
  });

  it('stops at once when the starting gradient is already below gtol', () => {
    const res = minimizeLbfgsb((x, g) => {
      g[0] = 0;
      return 1;
    }, [0]);
    expect(res.iterations).toBe(0);
    expect(res.converged).toBe(true);
    expect(res.message).toMatch(/PGTOL/);
  });
});

describe('cancellation', () => {
  it('throws CancelledError once the signal is set, between evaluations', () => {
    const signal = { aborted: false };
    let iterations = 0;
    expect(() =>
      minimizeLbfgsb(rosen, [1.3, 0.7, 0.8, 1.9, 1.2], {
        signal,
        onIteration: (it) => {
          iterations = it;
          if (it === 3) signal.aborted = true;
        },
      }),
    ).toThrow(CancelledError);
    expect(iterations).toBe(3);
  });
});
