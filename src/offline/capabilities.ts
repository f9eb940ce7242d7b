/**
 * What this browser offers and lacks, in words the page shows the user: WebGPU (and which backend runs
 * instead), persistent storage, service workers (offline), IndexedDB. Page-only (navigator.storage.persist and
 * service workers are not available in workers).
 */
export interface Capability {
  key: 'webgpu' | 'storage' | 'offline' | 'indexeddb';
  ok: boolean;
  /** Short label, e.g. "WebGPU". */
  label: string;
  /** What it means for the user: what runs instead, what may happen. */
  detail: string;
}

export async function detectCapabilities(): Promise<Capability[]> {
  const out: Capability[] = [];
  const nav = navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown | null> } };
  let adapter: unknown = null;
  try {
    adapter = nav.gpu ? await nav.gpu.requestAdapter() : null;
  } catch {
    adapter = null;
  }
  const fallback = adapter && (adapter as { info?: { isFallbackAdapter?: boolean }; isFallbackAdapter?: boolean }).info?.isFallbackAdapter;
  out.push(
    adapter
      ? { key: 'webgpu', ok: true, label: 'WebGPU', detail: fallback ? 'available through a software (fallback) adapter: "auto" keeps the exact float64 CPU path, which is faster here' : 'available: "auto" may use it for large fits' }
      : { key: 'webgpu', ok: false, label: 'WebGPU', detail: 'not available in this browser: fits run on the exact float64 CPU path instead (wasm when chosen)' },
  );
  let persisted: boolean | null = null;
  try {
    persisted = (await navigator.storage?.persisted?.()) ?? null;
  } catch {
    persisted = null;
  }
  out.push(
    persisted
      ? { key: 'storage', ok: true, label: 'Persistent storage', detail: 'granted: the browser will not evict the stored runs' }
      : { key: 'storage', ok: false, label: 'Persistent storage', detail: 'not granted: under storage pressure the browser may evict stored runs (ask for it in Settings, or export your runs)' },
  );
  const sw = 'serviceWorker' in navigator;
  out.push(
    sw
      ? { key: 'offline', ok: true, label: 'Offline', detail: 'service workers are available: the page is cached for offline use' }
      : { key: 'offline', ok: false, label: 'Offline', detail: 'service workers are not available here (private window or insecure address): the page needs the network to reload' },
  );
  out.push(
    typeof indexedDB !== 'undefined'
      ? { key: 'indexeddb', ok: true, label: 'IndexedDB', detail: 'available: runs are kept in this browser' }
      : { key: 'indexeddb', ok: false, label: 'IndexedDB', detail: 'not available: runs cannot be kept after the page is closed' },
  );
  return out;
}
