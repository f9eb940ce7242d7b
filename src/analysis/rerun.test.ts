import { describe, expect, it } from 'vitest';
import { inputsMatch, rerunForm, rerunId } from './rerun.ts';
import { parametersRecord } from '../store/runRecord.ts';
import { defaultParams } from '../experiments/stateContinue/inputs.ts';

describe('run again', () => {
  it('gives back the form of a stored run’s parameters (as the page stored them), with a new id', () => {
    const params = { ...defaultParams(), regressorKind: 'ridge' as const, ridgeAlpha: 2.5, agesMinutes: '5,30', backend: 'wasm' as const };
    const form = rerunForm(parametersRecord(params), 'r-again');
    expect(form).toEqual({
      runId: 'r-again',
      agesMinutes: '5,30',
      regressorKind: 'ridge',
      ridgeAlpha: '2.5',
      huberMaxIter: '1000',
      regressionTargetClipBps: '0',
      maxRowsPerSplit: '0',
      continueHorizonMinutes: '30',
      minContinueEdgeBps: '5',
      backend: 'wasm',
    });
    // Ages stored as a list (the seed's manifest) come back as the text the form takes.
    expect(rerunForm({ ages_minutes: [5, 15] }, 'x').agesMinutes).toBe('5,15');
  });

  it('finds a free id', () => {
    const taken = new Set(['a-again', 'a-again-2']);
    expect(rerunId('a', (id) => taken.has(id))).toBe('a-again-3');
    expect(rerunId('a-again-2', (id) => taken.has(id))).toBe('a-again-3');
    expect(rerunId('b', () => false)).toBe('b-again');
  });

  it('tells whether the baseline on the page is the one the run read', () => {
    const run = [
      { path: 'feature/feature_frame.parquet', name: 'feature_frame.parquet', size: 1, sha256: 'a' },
      { path: 'label/entry_labels.parquet', name: 'entry_labels.parquet', size: 1, sha256: 'b' },
    ];
    expect(inputsMatch(run, run).same).toBe(true);
    expect(inputsMatch(run, [run[0]])).toEqual({ same: false, missing: ['label/entry_labels.parquet'], changed: [] });
    expect(inputsMatch(run, [run[0], { ...run[1], sha256: 'c' }])).toEqual({ same: false, missing: [], changed: ['label/entry_labels.parquet'] });
    expect(inputsMatch([], []).same).toBe(false);
  });
});
