import { describe, expect, it } from 'vitest';
import { loadMlFixture, unpackFloat } from '../../test/fixtures/ml/load.ts';
import { fitStandardScaler, scaleToFloat32, scaleToFloat64 } from './scaler.ts';

const relDiff = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe.each(['state_like.json', 'constant_column.json', 'imbalanced.json'])('StandardScaler on %s', (name) => {
  const d = loadMlFixture(name);
  const x = unpackFloat(d.x);
  const scaler = fitStandardScaler(x, d.rows, d.cols);

  it('mean and scale equal sklearn’s to 1e-12 relative', () => {
    for (let j = 0; j < d.cols; j++) {
      if (d.scaler.mean[j] === 0) expect(Math.abs(scaler.mean[j])).toBeLessThan(1e-12);
      else expect(relDiff(scaler.mean[j], d.scaler.mean[j])).toBeLessThan(1e-12);
      expect(relDiff(scaler.scale[j], d.scaler.scale[j])).toBeLessThan(1e-12);
    }
  });

  it('scaled float32 values equal sklearn’s transform bit for bit', () => {
    const ours = scaleToFloat32(x, d.rows, d.cols, scaler);
    const ref = unpackFloat(d.x_scaled);
    expect(ref).toBeInstanceOf(Float32Array);
    let mismatches = 0;
    for (let i = 0; i < ref.length; i++) if (!Object.is(ours[i], ref[i])) mismatches++;
    expect(mismatches).toBe(0);
  });
});

describe('StandardScaler details', () => {
  it('scales constant columns (exact and float32-rounded constants) by 1', () => {
    const d = loadMlFixture('constant_column.json');
    const scaler = fitStandardScaler(unpackFloat(d.x), d.rows, d.cols);
    expect(scaler.scale[1]).toBe(1);
    expect(scaler.scale[4]).toBe(1);
    expect(d.scaler.scale[1]).toBe(1);
    expect(d.scaler.scale[4]).toBe(1);
  });

  it('scaleToFloat32 rounds twice (after centring and after dividing), as sklearn’s in-place float32 ops do', () => {
    const scaler = { mean: Float64Array.of(0.1), scale: Float64Array.of(3) };
    const x = Float32Array.of(1.7);
    const twice = Math.fround(Math.fround(Math.fround(1.7) - 0.1) / 3);
    expect(scaleToFloat32(x, 1, 1, scaler)[0]).toBe(twice);
    expect(scaleToFloat64(x, 1, 1, scaler)[0]).toBe((Math.fround(1.7) - 0.1) / 3);
  });

  it('rejects a scaler of the wrong width', () => {
    const scaler = { mean: new Float64Array(2), scale: new Float64Array(2).fill(1) };
    expect(() => scaleToFloat32(new Float32Array(6), 2, 3, scaler)).toThrow(/2 columns/);
  });
});
