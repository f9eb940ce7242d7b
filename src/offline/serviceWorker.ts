/**
 * Registers the build's service worker (scripts/vite-plugin-precache.ts writes `sw.js` next to index.html) with a
 * relative scope, so the page works from any subpath and keeps working offline after its first visit. Only in the
 * production build: the dev server serves modules that must not be cached.
 */
export type OfflineState = 'unsupported' | 'dev' | 'installing' | 'ready' | 'failed';

export interface OfflineStatus {
  state: OfflineState;
  message: string;
}

export async function registerServiceWorker(onChange: (status: OfflineStatus) => void = () => {}): Promise<OfflineStatus> {
  const report = (status: OfflineStatus) => (onChange(status), status);
  if (!import.meta.env.PROD) return report({ state: 'dev', message: 'Development server: offline cache is off.' });
  if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) {
    return report({ state: 'unsupported', message: 'This browser (or this address) does not allow service workers: the page needs the network to reload.' });
  }
  try {
    const registration = await navigator.serviceWorker.register('./sw.js', { scope: './' });
    if (registration.active && !registration.installing && !registration.waiting) {
      return report({ state: 'ready', message: 'Available offline: every file of the page is cached in this browser.' });
    }
    report({ state: 'installing', message: 'Caching the page for offline use…' });
    await navigator.serviceWorker.ready;
    return report({ state: 'ready', message: 'Available offline: every file of the page is cached in this browser.' });
  } catch (error) {
    return report({ state: 'failed', message: `Offline cache could not be set up: ${(error as Error).message}` });
  }
}
