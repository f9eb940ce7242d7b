import { describe, expect, it } from 'vitest';
import { release, releaseAll } from './release.ts';

describe('release', () => {
  it('detaches the buffer: every view of it reads as empty', () => {
    const values = new Float64Array([1, 2, 3, 4]);
    const view = values.subarray(1, 3);
    release(values);
    expect(values.length).toBe(0);
    expect(view.length).toBe(0);
    expect(values.buffer.byteLength).toBe(0);
    expect(values[0]).toBeUndefined();
  });

  it('skips what it cannot detach and what is empty or missing', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const wasmView = new Uint8Array(memory.buffer, 0, 16);
    wasmView[0] = 7;
    release(wasmView, null, undefined, new Int32Array(0));
    expect(wasmView[0]).toBe(7);
    expect(memory.buffer.byteLength).toBe(65536);
  });

  it('releaseAll takes the typed arrays of a record and leaves its other fields', () => {
    const record = { a: new Int32Array(3), b: new Float32Array(2), n: 5, name: 'x' };
    releaseAll(record);
    expect(record.a.length).toBe(0);
    expect(record.b.length).toBe(0);
    expect(record.n).toBe(5);
  });
});
