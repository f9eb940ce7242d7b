// The test page: exposes the backend checks to the test (page.evaluate) in the page itself and in a dedicated
// worker, and the release checks (releaseChecks.ts).
import { runCheck, type CheckRequest, type CheckResult } from './checks';
import './releaseChecks';

function inWorker(request: CheckRequest): Promise<CheckResult> {
  const worker = new Worker(new URL('./check.worker.ts', import.meta.url), { type: 'module' });
  return new Promise<CheckResult>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<{ ok: boolean; result?: CheckResult; error?: string }>) => {
      worker.terminate();
      if (event.data.ok && event.data.result) resolve(event.data.result);
      else reject(new Error(event.data.error ?? 'worker failed'));
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(`worker error: ${event.message}`));
    };
    worker.postMessage(request);
  });
}

(window as unknown as { backendChecks: unknown }).backendChecks = {
  inPage: (request: CheckRequest) => runCheck(request, 'page'),
  inWorker,
};
const status = document.getElementById('status');
if (status) {
  status.textContent = 'ready';
  status.dataset.state = 'ready';
}
