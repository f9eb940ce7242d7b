// Build the backend-check page (index.html + main.ts + a worker) into .tmp/ with Vite's API, apart from the
// app's dist/: it exercises src/ml/backends in Chromium without going through the app's UI.
import { join, resolve } from 'node:path';
import { build } from 'vite';

export const HARNESS_ROOT = resolve(import.meta.dirname);
export const HARNESS_OUT = resolve(HARNESS_ROOT, '..', '..', '..', '.tmp', 'webgpu-harness');

export async function buildBackendHarness(): Promise<string> {
  await build({
    configFile: false,
    root: HARNESS_ROOT,
    base: './',
    logLevel: 'warn',
    worker: { format: 'es' },
    build: {
      outDir: HARNESS_OUT,
      emptyOutDir: true,
      target: 'es2022',
      chunkSizeWarningLimit: 8192,
      rollupOptions: { input: join(HARNESS_ROOT, 'index.html') },
    },
  });
  return HARNESS_OUT;
}
