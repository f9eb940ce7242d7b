// Build a test page (a folder with index.html, its main.ts and workers) into .tmp/<name> with Vite's API, apart
// from the app's dist/: it exercises src/ modules in Chromium without going through the app's UI.
import { join, resolve } from 'node:path';
import { build } from 'vite';

const TMP = resolve(import.meta.dirname, '..', '..', '.tmp');

export async function buildHarness(root: string, name: string): Promise<string> {
  const outDir = join(TMP, name);
  await build({
    configFile: false,
    root,
    base: './',
    logLevel: 'warn',
    worker: { format: 'es' },
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      chunkSizeWarningLimit: 8192,
      rollupOptions: { input: join(root, 'index.html') },
    },
  });
  return outDir;
}
