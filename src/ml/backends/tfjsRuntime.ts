/**
 * Loading and activating tfjs backends. tfjs has ONE active backend per JS realm (page or worker); this module
 * owns switching it. Backends are imported lazily so that a page that never trains on wasm or WebGPU never loads
 * their code or binaries.
 *
 * Browser-only setup (where the wasm binaries are, WebGPU flags) lives in `browserSetup.ts` and is imported only
 * outside Node: in Node (vitest, scripts) tfjs-backend-wasm finds its binaries next to its own files.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TfjsBackendName } from './tfjsMatrixOps';

export type Activation = { ok: true } | { ok: false; reason: string };

export const isNode: boolean =
  typeof process !== 'undefined' && typeof process.versions === 'object' && typeof process.versions?.node === 'string';

const loading = new Map<TfjsBackendName, Promise<void>>();

/** Import (once) the module that registers a tfjs backend, with its browser setup. */
function loadBackendModule(name: TfjsBackendName): Promise<void> {
  let pending = loading.get(name);
  if (!pending) {
    pending = (async () => {
      if (name === 'cpu') {
        await import('@tensorflow/tfjs-backend-cpu');
      } else if (name === 'wasm') {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        if (!isNode) (await import('./browserSetup')).configureWasm(wasm.setWasmPaths);
      } else {
        await import('@tensorflow/tfjs-backend-webgpu');
        if (!isNode) (await import('./browserSetup')).configureWebgpu();
      }
    })();
    // A failed import may succeed later (e.g. a transient fetch error of a chunk): do not cache the failure.
    pending.catch(() => loading.delete(name));
    loading.set(name, pending);
  }
  return pending;
}

/**
 * Make `name` the active tfjs backend. Never throws: an unavailable backend gives `{ ok: false, reason }` and the
 * previously active backend stays as it was.
 */
export async function activateTfjs(name: TfjsBackendName): Promise<Activation> {
  try {
    await loadBackendModule(name);
  } catch (error) {
    return { ok: false, reason: `tfjs ${name} backend failed to load: ${message(error)}` };
  }
  if (tf.getBackend() === name) return { ok: true };
  if (tf.findBackendFactory(name) == null) {
    return { ok: false, reason: `tfjs ${name} backend is not supported here` };
  }
  let ok = false;
  try {
    ok = await tf.setBackend(name);
  } catch (error) {
    return { ok: false, reason: `tfjs ${name} backend failed to initialise: ${message(error)}` };
  }
  if (!ok || tf.getBackend() !== name) return { ok: false, reason: `tfjs ${name} backend failed to initialise` };
  return { ok: true };
}

/**
 * Live tensors of the tfjs engine (the leak check of the tests and the benchmark). Read from the engine's state,
 * not `tf.memory()`, which would initialise a backend (and throw when none is registered: a cpu-only page).
 */
export function tfjsTensorCount(): number {
  return tf.engine().state.numTensors;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
