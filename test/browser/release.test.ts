/**
 * `release` (src/core/release.ts) in headless Chromium: memory released really leaves the renderer, for a buffer a
 * worker received in a message (a fit worker's matrix, a decode worker's columns reaching the pipeline worker) and
 * for one the page received from a worker. `ArrayBuffer.prototype.transfer(0)`, the previous release, left both
 * resident until the thread's next garbage collection (these two cases fail with it), which a worker that only
 * computes may not have for the whole run. A Blob's read (the fingerprint's of a dropped file) is checked too.
 * Measured as the resident memory of the renderer process (scripts/bench/procMemory.ts, as the bench measures it).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openWorkbench, type Workbench } from '../../scripts/headless/harness.ts';
import { sampleTree } from '../../scripts/bench/procMemory.ts';
import { buildCheckPage } from './checkPage/build.ts';

const MB = 1024 * 1024;
const SIZE = 256 * MB;
/** What may stay resident of SIZE once released (allocator slack, the page's own churn): an eighth. */
const SLACK = SIZE / 8;

type Checks = {
  toWorker(bytes: number, then: 'release' | 'keep'): Promise<void>;
  closeWorkers(): void;
  fromWorker(bytes: number): Promise<void>;
  makeBlob(bytes: number): void;
  readBlob(): Promise<void>;
};

let workbench: Workbench;

beforeAll(async () => {
  workbench = await openWorkbench({ root: await buildCheckPage(), build: false });
  await workbench.page.waitForSelector('#status[data-state="ready"]', { state: 'attached' });
}, 120_000);

afterEach(async () => {
  await call('closeWorkers');
});

afterAll(async () => {
  await workbench?.close();
});

function call<K extends keyof Checks>(name: K, ...args: Parameters<Checks[K]>): Promise<unknown> {
  return workbench.page.evaluate(([n, a]) => (window as unknown as { releaseChecks: Record<string, (...x: unknown[]) => unknown> }).releaseChecks[n](...a), [name, args] as const);
}

/** The renderer's resident bytes once it has settled (the last of a few samples 100 ms apart). */
async function resident(): Promise<number> {
  let last = 0;
  for (let i = 0; i < 4; i++) {
    await new Promise((r) => setTimeout(r, 100));
    last = sampleTree(process.pid).renderer;
  }
  return last;
}

describe('release in Chromium', () => {
  it('sees a buffer a worker keeps: the measure works', async () => {
    const before = await resident();
    await call('toWorker', SIZE, 'keep');
    const held = await resident();
    expect(held - before).toBeGreaterThan(SIZE - SLACK);
  });

  it('frees at once a buffer a worker received and released', async () => {
    const before = await resident();
    await call('toWorker', SIZE, 'release');
    const after = await resident();
    expect(after - before).toBeLessThan(SLACK);
  });

  it('frees at once a buffer the page received from a worker and released', async () => {
    const before = await resident();
    await call('fromWorker', SIZE);
    const after = await resident();
    expect(after - before).toBeLessThan(SLACK);
  });

  it('frees at once what Blob.arrayBuffer() read, released', async () => {
    await call('makeBlob', SIZE);
    const before = await resident();
    await call('readBlob');
    const after = await resident();
    expect(after - before).toBeLessThan(SLACK);
  });
});
