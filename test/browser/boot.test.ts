// (a) The production build, served under a subpath, loads with no failed request and no console error; every
// screen opens; the demo run is ready to use; `npm start` serves the build and prints its URL.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DIST_DIR,
  REPO_ROOT,
  clickAndWaitForRun,
  ensureOnScreen,
  openWorkbench,
  waitForIntake,
  type Workbench,
} from '../../scripts/headless/harness.ts';

const SCREENS = ['intake', 'experiment', 'report', 'runs', 'riskfilter', 'registry', 'settings'];

describe('boot', () => {
  let workbench: Workbench;
  beforeAll(async () => {
    workbench = await openWorkbench({ build: false });
  });
  afterAll(async () => {
    await workbench?.close();
  });

  it('loads under /wb/ with no failed request and no console error, and every screen opens', async () => {
    const { page } = workbench;
    expect(workbench.url).toMatch(/\/wb\/$/);
    await page.waitForLoadState('networkidle');
    for (const screen of SCREENS) {
      const nav = page.locator(`[data-nav="${screen}"]`).first();
      expect(await nav.count(), `a [data-nav="${screen}"] control`).toBe(1);
      await nav.click();
      await page.waitForLoadState('networkidle');
    }
    await ensureOnScreen(page, '#baseline-dir-input', 'intake');
    expect(await page.locator('#baseline-dir-input').getAttribute('webkitdirectory')).not.toBeNull();
    expect(await page.locator('#run-status').count()).toBeGreaterThan(0);
    expect(workbench.failedRequests).toEqual([]);
    expect(workbench.consoleErrors).toEqual([]);
    expect(workbench.pageErrors).toEqual([]);
  });

  it('serves wasm as application/wasm and every build file under the subpath', async () => {
    const assets = readdirSync(join(process.env.WORKBENCH_DIST ?? DIST_DIR, 'assets'));
    const wasm = assets.filter((name) => name.endsWith('.wasm'));
    expect(wasm.length).toBeGreaterThan(0);
    for (const name of wasm) {
      const response = await fetch(new URL(`assets/${name}`, workbench.url));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/wasm');
      await response.arrayBuffer();
    }
  });

  it('runs the demo ("Try the demo run") to a verdict', async () => {
    const { page } = workbench;
    await ensureOnScreen(page, '#try-demo', 'intake');
    await page.locator('#try-demo').click();
    const intake = await waitForIntake(page);
    expect(intake.problems).toEqual([]);
    expect(intake.state).toBe('valid');
    await ensureOnScreen(page, '#run-button', 'experiment');
    const outcome = await clickAndWaitForRun(page, { isCrashed: workbench.crashed, timeoutMs: 10 * 60_000 });
    expect(outcome.state, outcome.message).toBe('done');
    const verdict = ((await page.locator('#verdict-status').first().textContent()) ?? '').trim();
    expect(verdict).toMatch(/PASS_TO_FORMAL_CHAIN|NOT_READY_FOR_FORMAL_CHAIN/);
    expect(workbench.pageErrors).toEqual([]);
    expect(workbench.consoleErrors).toEqual([]);
  });
});

describe('npm start', () => {
  it('serves the build on loopback and prints the URL', async () => {
    // --port 0: any free port, so the test never collides with a workbench the user has running on 4173.
    const dist = process.env.WORKBENCH_DIST ?? DIST_DIR;
    const child = spawn(process.execPath, [join(REPO_ROOT, 'scripts', 'start.mjs'), '--port', '0', '--no-build', '--dist', dist], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let output = '';
        const timer = setTimeout(() => reject(new Error(`no URL printed within 30 s: ${output}`)), 30_000);
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /http:\/\/127\.0\.0\.1:\d+\//.exec(output);
          if (match) {
            clearTimeout(timer);
            resolve(match[0]);
          }
        });
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.on('exit', (code) => reject(new Error(`npm start exited ${code}: ${output}`)));
      });
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await response.text()).toMatch(/<script[^>]+src="\.\//);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
