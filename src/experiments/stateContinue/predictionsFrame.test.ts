/**
 * The predictions frame: the sides' parts concatenated in order, the state frame's columns read through the parts'
 * rows, and the parts consumed (their arrays freed once copied, so that nothing holds them to the end of a run).
 */
import { describe, expect, it } from 'vitest';
import { makeFrame, stringAt, type Column, type StringColumn } from '../../data/frame.ts';
import { PREDICTION_COLUMNS, predictionsFrame, type SidePredictions } from './training.ts';

function stateFrame(n: number) {
  const columns: Record<string, Column> = {};
  for (const name of PREDICTION_COLUMNS) {
    if (name === 'event_time') columns[name] = { kind: 'timestamp', micros: Float64Array.from({ length: n }, (_, i) => 1_700_000_000_000_000 + i * 60e6) };
    else if (['sample_id', 'symbol', 'split_id', 'position_side'].includes(name)) {
      columns[name] = { kind: 'string', codes: Int32Array.from({ length: n }, (_, i) => i), dictionary: Array.from({ length: n }, (_, i) => `${name}-${i}`) };
    } else columns[name] = { kind: 'number', type: 'float64', values: Float64Array.from({ length: n }, (_, i) => i + name.length / 100) };
  }
  return makeFrame([...PREDICTION_COLUMNS], columns);
}

describe('predictionsFrame', () => {
  it('concatenates the parts in order over the state rows they name, and frees the parts once copied', () => {
    const state = stateFrame(6);
    const parts: SidePredictions[] = [
      { side: 'LONG', featureSet: 'market_only', rows: Int32Array.from([0, 2, 4]), continueProb: Float32Array.from([0.1, 0.2, 0.3]), predictedEdge: Float32Array.from([1, 2, 3]) },
      { side: 'SHORT', featureSet: 'market_plus_state', rows: Int32Array.from([5, 1]), continueProb: Float32Array.from([0.4, 0.5]), predictedEdge: Float32Array.from([-4, -5]) },
    ];
    const frame = predictionsFrame(state, parts);
    expect(frame.length).toBe(5);
    const value = (name: string, i: number) => {
      const c = frame.columns[name];
      if (c.kind === 'string') return stringAt(c, i);
      if (c.kind === 'timestamp') return c.micros[i];
      if (c.kind === 'indexed') return c.source[c.index[i]];
      return c.values[i];
    };
    const column = (name: string) => Array.from({ length: frame.length }, (_, i) => value(name, i));
    expect(column('sample_id')).toEqual(['sample_id-0', 'sample_id-2', 'sample_id-4', 'sample_id-5', 'sample_id-1']);
    expect(column('event_time')).toEqual([0, 2, 4, 5, 1].map((i) => 1_700_000_000_000_000 + i * 60e6));
    expect(column('continue_target')).toEqual([0, 2, 4, 5, 1].map((i) => i + 'continue_target'.length / 100));
    expect(column('continue_prob')).toEqual([0.1, 0.2, 0.3, 0.4, 0.5].map(Math.fround));
    expect(column('predicted_continue_edge_bps')).toEqual([1, 2, 3, -4, -5]);
    expect(column('side')).toEqual(['LONG', 'LONG', 'LONG', 'SHORT', 'SHORT']);
    expect(column('feature_set')).toEqual(['market_only', 'market_only', 'market_only', 'market_plus_state', 'market_plus_state']);
    expect((frame.columns.split_id as StringColumn).codes.length).toBe(5);
    // consumed: every array of every part is freed (detached), none shared with the frame
    for (const part of parts) for (const array of [part.rows, part.continueProb, part.predictedEdge]) expect(array.length).toBe(0);
  });

  it('copies an array two parts share for both before freeing it', () => {
    const rows = Int32Array.from([3, 1]);
    const parts: SidePredictions[] = (['market_only', 'market_plus_state'] as const).map((featureSet, k) => ({
      side: 'LONG',
      featureSet,
      rows,
      continueProb: Float32Array.from([0.25 + k, 0.5 + k]),
      predictedEdge: Float32Array.from([k, -k]),
    }));
    const frame = predictionsFrame(stateFrame(4), parts);
    const index = frame.columns.continue_target.kind === 'indexed' ? Array.from(frame.columns.continue_target.index) : [];
    expect(index).toEqual([3, 1, 3, 1]);
    expect(rows.length).toBe(0);
  });
});
