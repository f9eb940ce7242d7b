import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.ts';
import { isOutOfMemory, outOfMemoryError } from './outOfMemory.ts';

/** The error a real allocation beyond what the engine allows throws. */
function realFailure(make: () => unknown): unknown {
  try {
    make();
  } catch (error) {
    return error;
  }
  throw new Error('the allocation did not fail');
}

describe('out of memory', () => {
  it('recognises the engine’s own allocation failures (ArrayBuffer, typed array, wasm memory) and nothing else', () => {
    expect(isOutOfMemory(realFailure(() => new ArrayBuffer(2 ** 40)))).toBe(true);
    expect(isOutOfMemory(realFailure(() => new Float64Array(2 ** 40)))).toBe(true);
    expect(isOutOfMemory(realFailure(() => new WebAssembly.Memory({ initial: 1, maximum: 65536 }).grow(70000)))).toBe(true);
    expect(isOutOfMemory(new RangeError('toFixed() digits argument must be between 0 and 100'))).toBe(false);
    expect(isOutOfMemory(new Error('something else'))).toBe(false);
    expect(isOutOfMemory(new InputError('Array buffer allocation failed'))).toBe(false);
  });

  it('becomes an InputError naming the stage and the inputs', () => {
    const error = outOfMemoryError(realFailure(() => new ArrayBuffer(2 ** 40)), 'state_frame', 'feature frame 9 rows × 3 columns');
    expect(error).toBeInstanceOf(InputError);
    expect(error!.message).toMatch(/^the run does not fit in the memory this page can use: state_frame could not allocate \(Array buffer allocation failed\); inputs: feature frame 9 rows × 3 columns\./);
    expect(error!.problems[0].field).toBe('state_frame');
    expect(outOfMemoryError(new Error('x'), 'state_frame')).toBeNull();
  });
});
