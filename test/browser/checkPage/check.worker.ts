/// <reference lib="webworker" />
// A dedicated worker, as the app trains: tfjs (and WebGPU) in a worker realm, read-back through OffscreenCanvas.
import { runCheck, type CheckRequest } from './checks';

self.onmessage = async (event: MessageEvent<CheckRequest>) => {
  try {
    self.postMessage({ ok: true, result: await runCheck(event.data, 'worker') });
  } catch (error) {
    self.postMessage({ ok: false, error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) });
  }
};
