// Build the checks' page (index.html + main.ts + its workers) into .tmp/check-page with Vite's API, apart from
// the app's dist/: it exercises src/ modules in Chromium without going through the app's UI (the compute
// backends for webgpu.test.ts, release() for release.test.ts).
import { join, resolve } from 'node:path';
import { build } from 'vite';

export const CHECK_PAGE_ROOT = resolve(import.meta.dirname);
export const CHECK_PAGE_OUT = resolve(CHECK_PAGE_ROOT, '..', '..', '..', '.tmp', 'check-page');

export async function buildCheckPage(): Promise<string> {
  await build({
    configFile: false,
    root: CHECK_PAGE_ROOT,
    base: './',
    logLevel: 'warn',
    worker: { format: 'es' },
    build: {
      outDir: CHECK_PAGE_OUT,
      emptyOutDir: true,
      target: 'es2022',
      chunkSizeWarningLimit: 8192,
      rollupOptions: { input: join(CHECK_PAGE_ROOT, 'index.html') },
    },
  });
  return CHECK_PAGE_OUT;
}
