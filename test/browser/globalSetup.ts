// Once per browser-test run: check that Debian's Chromium is there (fail, never skip, when it is not), build the
// production page if it is stale, and serve the tests from a private copy of it, so that a rebuild of dist/ by
// anyone else during the run cannot pull files from under a loaded page.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { snapshotBuild } from '../../scripts/build.mjs';
import { assertChromium } from '../../scripts/headless/harness.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The build the browser tests serve (a copy of dist/). */
    distDir: string;
  }
}

export default function setup(project: TestProject): () => void {
  assertChromium();
  const parent = mkdtempSync(join(tmpdir(), 'workbench-dist-'));
  const distDir = join(parent, 'dist');
  snapshotBuild(distDir, { log: (line) => process.stderr.write(`${line}\n`) });
  project.provide('distDir', distDir);
  // openWorkbench() and the runner subprocesses started by the tests serve this copy and never rebuild.
  process.env.WORKBENCH_DIST = distDir;
  process.env.WORKBENCH_NO_BUILD = '1';
  return () => rmSync(parent, { recursive: true, force: true });
}
