/**
 * Browser-only tfjs setup, kept apart so that Node never imports it (`?url` imports are a Vite feature).
 * - wasm: without `setWasmPaths` pointing at the bundled binaries the wasm backend silently fails to load; the
 *   threaded variant hangs under cross-origin isolation, and two cores gain nothing from threads (BROWSER.md), so
 *   it is switched off.
 * - webgpu: never forward small ops to the CPU; every product runs on the device.
 */
import * as tf from '@tensorflow/tfjs-core';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

type SetWasmPaths = (paths: Record<string, string>, usePlatformFetch?: boolean) => void;

let wasmConfigured = false;

export function configureWasm(setWasmPaths: SetWasmPaths): void {
  if (wasmConfigured) return;
  wasmConfigured = true;
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setWasmPaths({
    'tfjs-backend-wasm.wasm': wasmUrl,
    'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
  });
}

export function configureWebgpu(): void {
  tf.env().set('WEBGPU_CPU_FORWARD', false);
}
