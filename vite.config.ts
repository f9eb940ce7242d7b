import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Relative base: the build works from any subpath of a plain static host (issue 6).
export default defineConfig({
  base: './',
  plugins: [svelte()],
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: false, chunkSizeWarningLimit: 4096 },
  optimizeDeps: { exclude: ['parquet-wasm', 'onnxruntime-web'] },
});
