import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { precachePlugin } from './scripts/vite-plugin-precache.ts';

// Relative base: the build works from any subpath of a plain static host (issue 6). The precache plugin writes
// sw.js (every file of the build, the demo included) so the page keeps working offline after its first visit.
export default defineConfig({
  base: './',
  plugins: [svelte(), precachePlugin()],
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: false, chunkSizeWarningLimit: 4096 },
  optimizeDeps: { exclude: ['parquet-wasm', 'onnxruntime-web'] },
});
