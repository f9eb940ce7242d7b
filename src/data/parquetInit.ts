/**
 * The one place that initialises parquet-wasm in the browser. In Node (vitest, the headless runner) the package
 * resolves to its node build, which instantiates itself on import, so there is nothing to do (and the browser
 * init must not run there: it would try to fetch the wasm by URL).
 *
 * Await `ensureParquetWasm()` once per worker before calling anything in `parquet.ts`; calling the decoder before
 * init throws `__wbindgen_malloc` errors in the browser.
 */

import * as parquetWasm from 'parquet-wasm';

let ready: Promise<void> | null = null;

function isNode(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === 'string';
}

export function ensureParquetWasm(): Promise<void> {
  if (isNode()) return Promise.resolve();
  ready ??= (async () => {
    // The `?url` asset import stays dynamic: only Vite understands it, and Node never reaches this line.
    const { default: wasmUrl } = await import('parquet-wasm/esm/parquet_wasm_bg.wasm?url');
    // The browser (esm) build's default export is wasm-bindgen's init; the node build has none and needs none.
    const init = (parquetWasm as unknown as { default: (options: { module_or_path: string }) => Promise<unknown> }).default;
    await init({ module_or_path: wasmUrl });
  })().catch((error: unknown) => {
    ready = null; // let a later call try again
    throw error;
  });
  return ready;
}
