/**
 * The compute backends in headless Chromium (issue 4):
 * - with `--enable-unsafe-webgpu` (a SwiftShader fallback adapter, BROWSER.md) gemv, gemvT and a logistic fit on
 *   the tfjs WebGPU backend, in a dedicated worker as the app trains and on the page, agree with the float64
 *   path within float32 tolerance and leave no tensor behind; the wasm backend really loads its binaries in the
 *   browser (setWasmPaths) instead of silently falling back;
 * - without the flag, asking for WebGPU falls back to cpu and says so.
 * The checks run on a page of their own (test/browser/checkPage), built with Vite and served like dist/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWorkbench, type Workbench } from '../../scripts/headless/harness.ts';
import { buildCheckPage } from './checkPage/build.ts';
import type { CheckRequest, CheckResult } from './checkPage/checks.ts';

/** float32 rounding of w (2^-24) and sums of a few terms, relative to Σ|terms|. */
const FLOAT32_RELATIVE = 2e-5;
/** SPEC §6: probabilities per row within 5e-3; the float32 path does far better, and must. */
const PROBABILITY_TOLERANCE = 5e-3;

let harnessRoot: string;

beforeAll(async () => {
  harnessRoot = await buildCheckPage();
});

async function openHarness(webgpu: boolean): Promise<Workbench> {
  const workbench = await openWorkbench({ root: harnessRoot, webgpu, build: false });
  await workbench.page.waitForSelector('#status[data-state="ready"]', { state: 'attached' });
  return workbench;
}

function check(workbench: Workbench, where: 'inPage' | 'inWorker', request: CheckRequest): Promise<CheckResult> {
  return workbench.page.evaluate(
    ([fn, req]) =>
      (window as unknown as { backendChecks: Record<string, (r: CheckRequest) => Promise<CheckResult>> }).backendChecks[fn](req),
    [where, request] as const,
  );
}

function expectAgreesWithFloat64(result: CheckResult): void {
  expect(result.gemvRelative).toBeLessThan(FLOAT32_RELATIVE);
  expect(result.gemvTRelative).toBeLessThan(FLOAT32_RELATIVE);
  expect(result.gemvDiffers).toBe(true); // float32 on the device, not the float64 path in disguise
  expect(result.tensorsWhileOpen).toBe(result.tensorsBefore + 2); // X and its block view, nothing else left over
  expect(result.tensorsAfterDispose).toBe(result.tensorsBefore);
  if (result.fit) {
    expect(result.fit.converged).toBe(true);
    expect(result.fit.maxProbabilityDiff).toBeLessThan(PROBABILITY_TOLERANCE);
    expect(result.fit.objectiveExcess).toBeLessThanOrEqual(1e-6);
  }
}

describe('with --enable-unsafe-webgpu (SwiftShader)', () => {
  let workbench: Workbench;
  beforeAll(async () => {
    workbench = await openHarness(true);
  });
  afterAll(async () => {
    await workbench?.close();
  });

  // 5,000 rows span two Xᵀr blocks (4,096 rows each, the second padded): the blocked path runs on the GPU too.
  it('gemv, gemvT and a logistic fit on webgpu in a worker agree with the float64 path', async () => {
    const result = await check(workbench, 'inWorker', { choice: 'webgpu', rows: 5000, cols: 8, fit: true });
    expect(result.probe).toMatchObject({ adapter: true, fallback: true });
    expect(result.backend).toBe('webgpu');
    expect(result.tfjsBackend).toBe('webgpu');
    expect(result.reason).toMatch(/^webgpu chosen: float32 on a software fallback adapter/);
    // tfjs's synchronous WebGPU read-back returns zeros on SwiftShader: the ops refuse it rather than be wrong.
    expect(result.asyncProducts).toBe(true);
    expect(result.syncGemvError).toMatch(/reads results back asynchronously only/);
    expectAgreesWithFloat64(result);
    expect(result.fit).not.toBeNull();
    expect(workbench.pageErrors).toEqual([]);
  });

  it('the same on the page itself', async () => {
    const result = await check(workbench, 'inPage', { choice: 'webgpu', rows: 700, cols: 5, fit: true });
    expect(result.backend).toBe('webgpu');
    expect(result.tfjsBackend).toBe('webgpu');
    expectAgreesWithFloat64(result);
  });

  it('auto does not pick the fallback adapter for a large problem: it keeps the exact cpu path', async () => {
    // Only the choice is checked here (fit: false keeps it quick); 100,000 × 43 is over both auto thresholds.
    const result = await check(workbench, 'inWorker', { choice: 'auto', rows: 100_000, cols: 43, fit: false });
    expect(result.backend).toBe('cpu');
    expect(result.reason).toMatch(/exact float64 on cpu \(.*software fallback\) not used for speed\)/);
  });

  it('the wasm backend loads its binaries in the browser and agrees with the float64 path', async () => {
    const result = await check(workbench, 'inWorker', { choice: 'wasm', rows: 5000, cols: 8, fit: true });
    expect(result.backend).toBe('wasm');
    expect(result.tfjsBackend).toBe('wasm');
    expect(result.asyncProducts).toBe(false);
    expectAgreesWithFloat64(result);
    expect(workbench.failedRequests).toEqual([]);
  });
});

describe('without the WebGPU flag', () => {
  it('asking for webgpu falls back to cpu and says which backend it uses instead', async () => {
    const workbench = await openHarness(false);
    try {
      for (const where of ['inPage', 'inWorker'] as const) {
        const result = await check(workbench, where, { choice: 'webgpu', rows: 300, cols: 4, fit: true });
        expect(result.probe.adapter).toBe(false);
        expect(result.backend).toBe('cpu');
        expect(result.tfjsBackend).toBeNull();
        expect(result.reason).toBe('no WebGPU adapter: training on cpu');
        // The fallback is the exact path: bit-identical to itself.
        expect(result.gemvDiffers).toBe(false);
        expect(result.fit?.maxProbabilityDiff).toBe(0);
      }
    } finally {
      await workbench.close();
    }
  });
});
