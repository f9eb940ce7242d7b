import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as onnxProtoNs from 'onnx-proto';
import { readOnnx, nonTensorOutputs } from './onnx.ts';
import { runOnnxHeads } from './onnxRuntime.ts';
import { InputError } from '../core/errors.ts';
import { TOLERANCE } from '../core/constants.ts';

const onnx: typeof onnxProtoNs.onnx =
  (onnxProtoNs as unknown as { onnx?: typeof onnxProtoNs.onnx }).onnx ??
  (onnxProtoNs as unknown as { default: { onnx: typeof onnxProtoNs.onnx } }).default.onnx;

// Models written by the official onnx package: test/fixtures/data/onnx/make_onnx_fixtures.py
const DIR = join(__dirname, '../../test/fixtures/data/onnx');
const model = (name: string) => new Uint8Array(readFileSync(join(DIR, name)));
const W = [0.5, -1.25, 2.0, 0.125, -3.5, 1e-3];
const B = [0.25, -0.75];

describe('readOnnx', () => {
  it('raw_data, float_data and DOUBLE raw_data initializers all give the float32 weights', () => {
    const storage: Record<string, string> = {};
    for (const name of ['linear_float_raw.onnx', 'linear_float_data.onnx', 'linear_double_raw.onnx']) {
      const bytes = model(name);
      // make sure each fixture really uses the storage it is named after
      const weight = onnx.ModelProto.decode(bytes).graph!.initializer!.find((t) => t.name === 'h_W')!;
      storage[name] = `${weight.dataType}:${weight.rawData!.length > 0 ? 'raw' : weight.floatData!.length > 0 ? 'float_data' : 'other'}`;
      const m = readOnnx(bytes, name);
      expect(m.initializers.get('h_W')!.dims).toEqual([3, 2]);
      expect(Array.from(m.initializers.get('h_W')!.data)).toEqual(W.map(Math.fround));
      expect(m.initializers.get('h_W')!.data).toBeInstanceOf(Float32Array);
      expect(Array.from(m.initializers.get('h_B')!.data)).toEqual(B.map(Math.fround));
      expect(m.inputs.map((i) => `${i.name}:${i.type}`)).toEqual(['features:tensor(float)[N,3]']);
      expect(m.outputs[0].isTensor).toBe(true);
      expect(nonTensorOutputs(m)).toBeNull();
    }
    expect(storage).toEqual({ 'linear_float_raw.onnx': '1:raw', 'linear_float_data.onnx': '1:float_data', 'linear_double_raw.onnx': '11:raw' });
  });

  it('double_data initializers (built with onnx-proto) are read as float32', () => {
    const bytes = onnx.ModelProto.encode(
      onnx.ModelProto.create({
        irVersion: 7,
        graph: {
          name: 'g',
          initializer: [{ name: 'direction_B', dataType: 11, dims: [3], doubleData: [0.1, -0.2, 1e10] }],
          output: [{ name: 'y', type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'N' }, { dimValue: 3 }] } } } }],
        },
      }),
    ).finish();
    const m = readOnnx(bytes, 'direction.onnx');
    expect(Array.from(m.initializers.get('direction_B')!.data)).toEqual([0.1, -0.2, 1e10].map(Math.fround));
    expect(m.outputs[0].type).toBe('tensor(float)[N,3]');
  });

  it('a ZipMap output (sequence<map>) is reported as not a tensor', () => {
    const m = readOnnx(model('zipmap_classifier.onnx'), 'model/entry/entry.onnx');
    const byName = Object.fromEntries(m.outputs.map((o) => [o.name, o]));
    expect(byName.label).toMatchObject({ isTensor: true, elemType: 'int64' });
    expect(byName.probabilities).toMatchObject({ isTensor: false, elemType: '', type: 'sequence<map<int64,tensor(float)>>' });
    expect(nonTensorOutputs(m)).toBe('output probabilities is sequence<map<int64,tensor(float)>>, not a tensor');
  });

  it('garbage is an InputError naming the file', () => {
    let seed = 7;
    const random = Uint8Array.from({ length: 4096 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
    const parquet = new Uint8Array(readFileSync(join(__dirname, '../../test/fixtures/data/duckdb_types.snappy.parquet')));
    const json = new TextEncoder().encode('{"direction_W": [1, 2, 3]}');
    for (const bytes of [random, parquet, json, new Uint8Array(0), model('linear_float_raw.onnx').subarray(0, 100)]) {
      let caught: unknown;
      try {
        readOnnx(bytes, 'model/direction/direction.onnx');
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(InputError);
      expect((caught as Error).message).toMatch(/^model\/direction\/direction\.onnx: cannot read ONNX model: /);
    }
  });

  it('raw_data whose length does not match the shape is an InputError naming the initializer', () => {
    const bytes = onnx.ModelProto.encode(
      onnx.ModelProto.create({ graph: { name: 'g', initializer: [{ name: 'direction_W', dataType: 1, dims: [4, 3], rawData: new Uint8Array(40) }] } }),
    ).finish();
    expect(() => readOnnx(bytes, 'direction.onnx')).toThrowError(/direction\.onnx: initializer direction_W has 40 bytes of raw_data; expected 48 for shape \[4, 3\] of float/);
  });
});

describe('runOnnxHeads (onnxruntime-web, wasm, under Node)', () => {
  it('computes x·W + B like the initializers say', async () => {
    const x = Float32Array.from([1, 2, 3, -0.5, 0.25, 10, 0, 0, 0, 1e3, -1e3, 7]);
    const out = await runOnnxHeads(model('linear_float_raw.onnx'), x, 4, 3, ['h']);
    expect(out.h).toBeInstanceOf(Float32Array);
    for (let r = 0; r < 4; r++) {
      for (let k = 0; k < 2; k++) {
        let v = B[k];
        for (let j = 0; j < 3; j++) v += x[r * 3 + j] * Math.fround(W[j * 2 + k]);
        expect(Math.abs(out.h[r * 2 + k] - v)).toBeLessThan(1e-5 * Math.max(1, Math.abs(v)));
      }
    }
  });

  it('softmax and sigmoid heads agree with scores from the initializers within the frozen-score tolerance', async () => {
    const F = 5;
    const rng = (() => {
      let s = 3;
      return () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
    })();
    const w3 = Float32Array.from({ length: F * 3 }, rng);
    const b3 = Float32Array.from({ length: 3 }, rng);
    const w1 = Float32Array.from({ length: F }, rng);
    const b1 = Float32Array.from([0.3]);
    const t = (name: string, dims: number[], v: Float32Array) => ({ name, dataType: 1, dims, floatData: Array.from(v) });
    const vi = (name: string, width: number) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'N' }, { dimValue: width }] } } } });
    const bytes = onnx.ModelProto.encode(
      onnx.ModelProto.create({
        irVersion: 7,
        opsetImport: [{ domain: '', version: 13 }],
        graph: {
          name: 'g',
          node: [
            { opType: 'MatMul', input: ['features', 'direction_W'], output: ['d_xw'] },
            { opType: 'Add', input: ['d_xw', 'direction_B'], output: ['d_logits'] },
            { opType: 'Softmax', input: ['d_logits'], output: ['direction'], attribute: [{ name: 'axis', type: 2, i: 1 }] },
            { opType: 'MatMul', input: ['features', 'long_entry_prob_W'], output: ['e_xw'] },
            { opType: 'Add', input: ['e_xw', 'long_entry_prob_B'], output: ['e_logits'] },
            { opType: 'Sigmoid', input: ['e_logits'], output: ['long_entry_prob'] },
          ],
          initializer: [t('direction_W', [F, 3], w3), t('direction_B', [3], b3), t('long_entry_prob_W', [F, 1], w1), t('long_entry_prob_B', [1], b1)],
          input: [vi('features', F)],
          output: [vi('direction', 3), vi('long_entry_prob', 1)],
        },
      }),
    ).finish();
    const rows = 50;
    const x = Float32Array.from({ length: rows * F }, () => rng() * 3);
    const out = await runOnnxHeads(bytes, x, rows, F, ['direction', 'long_entry_prob']);
    const m = readOnnx(bytes, 'm.onnx');
    const W3 = m.initializers.get('direction_W')!.data;
    const W1 = m.initializers.get('long_entry_prob_W')!.data;
    for (let r = 0; r < rows; r++) {
      const logits = [0, 1, 2].map((k) => {
        let v = b3[k];
        for (let j = 0; j < F; j++) v += x[r * F + j] * W3[j * 3 + k];
        return v;
      });
      const max = Math.max(...logits);
      const e = logits.map((v) => Math.exp(v - max));
      const sum = e[0] + e[1] + e[2];
      for (let k = 0; k < 3; k++) expect(Math.abs(out.direction[r * 3 + k] - e[k] / sum)).toBeLessThan(TOLERANCE.frozenScore);
      let z = b1[0];
      for (let j = 0; j < F; j++) z += x[r * F + j] * W1[j];
      expect(Math.abs(out.long_entry_prob[r] - 1 / (1 + Math.exp(-z)))).toBeLessThan(TOLERANCE.frozenScore);
    }
  });

  it('asking for a ZipMap output is an InputError that says it is not a tensor', async () => {
    const x = new Float32Array(6);
    await expect(runOnnxHeads(model('zipmap_classifier.onnx'), x, 2, 3, ['probabilities'], 'model/entry/entry.onnx')).rejects.toThrowError(
      /model\/entry\/entry\.onnx: output probabilities is sequence<map<int64,tensor\(float\)>>, not a tensor/,
    );
    await expect(runOnnxHeads(model('zipmap_classifier.onnx'), x, 2, 3, ['nope'], 'entry.onnx')).rejects.toThrowError(/output nope does not exist \(found outputs: label, probabilities\)/);
  });
});
