import { describe, expect, it } from 'vitest';
import { gather } from './arrays.ts';

describe('gather', () => {
  it('takes values at the positions, in their order, into the asked type', () => {
    const values = Float64Array.from([0.5, 1.5, 2.5, 3.5]);
    const out = gather(Float32Array, values, Int32Array.from([3, 0, 3, 1]));
    expect(out).toBeInstanceOf(Float32Array);
    expect([...out]).toEqual([3.5, 0.5, 3.5, 1.5]);
    expect([...gather(Int32Array, [7, 8, 9], [2, 2])]).toEqual([9, 9]);
    expect(gather(Float64Array, values, []).length).toBe(0);
  });
});
