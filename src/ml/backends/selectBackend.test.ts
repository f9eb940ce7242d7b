import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { AUTO_WEBGPU_MIN_CELLS, probeWebgpu, selectBackend } from './selectBackend';

/** Node 20 has no `navigator`; a test may lend it one whose `gpu` answers as Chromium does. */
function lendNavigatorGpu(requestAdapter: () => Promise<unknown>): void {
  Object.defineProperty(globalThis, 'navigator', {
    value: { gpu: { requestAdapter } },
    configurable: true,
    writable: true,
  });
}

const hadNavigator = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
afterEach(() => {
  if (hadNavigator) Object.defineProperty(globalThis, 'navigator', hadNavigator);
  else delete (globalThis as { navigator?: unknown }).navigator;
});

describe('selectBackend', () => {
  it('cpu is the exact float64 path', async () => {
    const selection = await selectBackend('cpu', { rows: 10, cols: 3 });
    expect(selection.backend).toBe('cpu');
    const x = new Float64Array([0.1, 0.2, 0.3, 1 / 3, 2 / 3, 1]);
    const ops = selection.makeOps(x, 2, 3);
    const out = new Float64Array(2);
    ops.gemv(new Float64Array([1, 1, 1]), 0, out);
    expect(out[0]).toBe(0.1 + 0.2 + 0.3); // float64, same order: bit-exact
    expect(out[1]).toBe(1 / 3 + 2 / 3 + 1);
  });

  it('webgpu without navigator.gpu falls back to cpu and says why', async () => {
    const selection = await selectBackend('webgpu', { rows: 100, cols: 4 });
    expect(selection.backend).toBe('cpu');
    expect(selection.reason).toBe('no WebGPU adapter (navigator.gpu is missing): training on cpu');
  });

  it('webgpu when the browser has no adapter (Chromium without --enable-unsafe-webgpu) falls back to cpu', async () => {
    lendNavigatorGpu(async () => null);
    const selection = await selectBackend('webgpu', { rows: 100, cols: 4 });
    expect(selection.backend).toBe('cpu');
    expect(selection.reason).toBe('no WebGPU adapter: training on cpu');
  });

  it('webgpu falls back when X does not fit in one device buffer', async () => {
    lendNavigatorGpu(async () => ({ info: { vendor: 'test', isFallbackAdapter: false }, limits: { maxStorageBufferBindingSize: 1000, maxBufferSize: 4000 } }));
    const selection = await selectBackend('webgpu', { rows: 100, cols: 4 }); // 1,600 bytes > 1,000
    expect(selection.backend).toBe('cpu');
    expect(selection.reason).toMatch(/exceeds the WebGPU buffer limit .*: training on cpu$/);
  });

  it('probeWebgpu recognises a SwiftShader fallback adapter (flag on the adapter or on its info)', async () => {
    lendNavigatorGpu(async () => ({ isFallbackAdapter: true, info: { vendor: 'google', architecture: 'swiftshader' } }));
    expect(await probeWebgpu()).toMatchObject({ adapter: true, fallback: true, description: 'WebGPU adapter google swiftshader (software fallback)' });
    lendNavigatorGpu(async () => ({ info: { vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true } }));
    expect((await probeWebgpu()).fallback).toBe(true);
    lendNavigatorGpu(async () => {
      throw new Error('denied');
    });
    expect(await probeWebgpu()).toMatchObject({ adapter: false, description: 'no WebGPU adapter (requestAdapter failed: denied)' });
  });

  it('wasm loads in Node and its ops run on the tfjs wasm backend', async () => {
    const selection = await selectBackend('wasm', { rows: 3, cols: 2 });
    expect(selection.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const before = tf.memory().numTensors;
    const ops = selection.makeOps(new Float32Array([1, 2, 3, 4, 5, 6]), 3, 2);
    expect(ops.backend).toBe('wasm');
    const out = new Float64Array(2);
    ops.gemvT(new Float64Array([1, 0, -1]), out);
    expect(Array.from(out)).toEqual([1 - 5, 2 - 6]);
    ops.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('auto keeps small problems on the exact path without asking for an adapter', async () => {
    let asked = false;
    lendNavigatorGpu(async () => {
      asked = true;
      return { info: { vendor: 'test', isFallbackAdapter: false } };
    });
    const rows = Math.floor((AUTO_WEBGPU_MIN_CELLS - 1) / 43);
    const selection = await selectBackend('auto', { rows, cols: 43 });
    expect(selection.backend).toBe('cpu');
    expect(selection.reason).toMatch(/exact float64 on cpu$/);
    expect(asked).toBe(false);
  });

  it('auto never picks wasm: a large problem without an adapter trains on the exact cpu path', async () => {
    const rows = Math.ceil(AUTO_WEBGPU_MIN_CELLS / 43) * 4;
    const selection = await selectBackend('auto', { rows, cols: 43 });
    expect(selection.backend).toBe('cpu');
    expect(selection.reason).toMatch(/exact float64 on cpu \(no WebGPU adapter \(navigator.gpu is missing\)\)$/);
  });

  it('auto does not take a software fallback adapter for speed: large problems stay on cpu', async () => {
    lendNavigatorGpu(async () => ({ isFallbackAdapter: true, info: { vendor: 'google', architecture: 'swiftshader' } }));
    const rows = Math.ceil(AUTO_WEBGPU_MIN_CELLS / 43);
    const selection = await selectBackend('auto', { rows, cols: 43 });
    expect(selection.backend).toBe('cpu');
    expect(selection.reason).toMatch(/exact float64 on cpu \(WebGPU adapter google swiftshader \(software fallback\) not used for speed\)$/);
  });

  it('auto on a real adapter whose buffer cannot hold X stays on cpu', async () => {
    lendNavigatorGpu(async () => ({ info: { vendor: 'test', isFallbackAdapter: false }, limits: { maxStorageBufferBindingSize: 1000, maxBufferSize: 4000 } }));
    const rows = Math.ceil(AUTO_WEBGPU_MIN_CELLS / 43);
    const selection = await selectBackend('auto', { rows, cols: 43 });
    expect(selection.backend).toBe('cpu');
    expect(selection.reason).toMatch(/X exceeds the WebGPU buffer limit\)$/);
  });
});
