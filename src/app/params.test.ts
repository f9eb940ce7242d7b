import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.ts';
import { defaultParams } from '../experiments/stateContinue/inputs.ts';
import { defaultForm, paramsOfForm, PARAM_SPECS } from './params.ts';

describe('experiment parameters form', () => {
  it('the defaults, as typed, give back the defaults of SPEC §3', () => {
    expect(paramsOfForm(defaultForm())).toEqual(defaultParams());
  });

  it('field ids are the page contract ones', () => {
    expect(PARAM_SPECS.map((s) => s.id)).toEqual([
      'param-run-id',
      'param-ages-minutes',
      'param-regressor-kind',
      'param-ridge-alpha',
      'param-huber-max-iter',
      'param-regression-target-clip-bps',
      'param-max-rows-per-split',
      'param-continue-horizon-minutes',
      'param-min-continue-edge-bps',
      'param-backend',
    ]);
  });

  it('parses numbers as typed', () => {
    const p = paramsOfForm({ ...defaultForm(), ridgeAlpha: ' 3 ', regressionTargetClipBps: '25.5', maxRowsPerSplit: '1000', regressorKind: 'ridge', minContinueEdgeBps: '-2' });
    expect(p).toMatchObject({ ridgeAlpha: 3, regressionTargetClipBps: 25.5, maxRowsPerSplit: 1000, regressorKind: 'ridge', minContinueEdgeBps: -2 });
  });

  it('a target clip of 0 or less is accepted and means off, as the seed checks clip > 0', () => {
    expect(paramsOfForm({ ...defaultForm(), regressionTargetClipBps: '-5' }).regressionTargetClipBps).toBe(-5);
    expect(() => paramsOfForm({ ...defaultForm(), regressionTargetClipBps: 'abc' })).toThrow(/param-regression-target-clip-bps: expected a number/);
  });

  it('reports every bad field at once, each naming its parameter and what was found', () => {
    let error: unknown;
    try {
      paramsOfForm({ ...defaultForm(), agesMinutes: '5,abc', huberMaxIter: '0', maxRowsPerSplit: '1.5', ridgeAlpha: '', backend: 'gpu' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    const problems = (error as InputError).problems;
    expect(problems.map((p) => p.field)).toEqual(['param-ages-minutes', 'param-backend', 'param-ridge-alpha', 'param-huber-max-iter', 'param-max-rows-per-split']);
    expect((error as InputError).message).toContain('found "5,abc"');
    expect((error as InputError).message).toContain('param-huber-max-iter: expected a positive integer, found "0"');
  });
});
