// Once per browser-test run: check that Debian's Chromium is there (fail, never skip, when it is not) and build
// the production page, so every test file serves the same dist/ and no test rebuilds it under another's feet.
import { assertChromium, ensureBuild } from '../../scripts/headless/harness.ts';

export default function setup(): void {
  assertChromium();
  ensureBuild({ log: (line) => process.stderr.write(`${line}\n`) });
  // The runner subprocesses started by the tests (npm run headless) must use this build too.
  process.env.WORKBENCH_NO_BUILD = '1';
}
