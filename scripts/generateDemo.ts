/**
 * The demo baseline run the page offers with one click (`npm run demo`): 3 synthetic symbols × 2 days of
 * 1-minute bars with the real momentum signal, whose seed's verdict is PASS_TO_FORMAL_CHAIN (checked with the
 * seed's Python when the seed was chosen; the `default` parity fixture is the same run). Synthetic prices only:
 * the real BTC bars must never ship in public/.
 *
 * Writes public/demo/state-continue/<run-id>/… and public/demo/manifest.json:
 *   { "stateContinue": { "runId", "root": "state-continue/<run-id>", "files": [{ "path", "bytes", "sha256" }] } }
 * `path` is relative to `root` (the path inside the run, SPEC §1); the page fetches `demo/<root>/<path>`.
 * Other top-level keys of an existing manifest.json (e.g. a demo ledger) are kept.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateBaseline, writeRun, type GenerateBaselineOptions } from './generateBaseline.ts';

export const DEMO_RUN_ID = 'demo-baseline-run10';
export const DEMO_OPTIONS: GenerateBaselineOptions = { symbols: 3, days: 2, features: 8, seed: 1, signal: 'real' };
const MAX_DEMO_BYTES = 2_000_000;

async function main(): Promise<void> {
  const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
  const demoDir = join(root, 'public', 'demo');
  const runRoot = `state-continue/${DEMO_RUN_ID}`;
  const runDir = join(demoDir, runRoot);
  const files = await generateBaseline(DEMO_OPTIONS);
  rmSync(runDir, { recursive: true, force: true });
  writeRun(runDir, files);
  const listed = [...files.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, bytes]) => ({ path, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }));
  const total = listed.reduce((sum, f) => sum + f.bytes, 0);
  if (total > MAX_DEMO_BYTES) throw new Error(`demo run is ${total} bytes, more than ${MAX_DEMO_BYTES}`);
  const manifestPath = join(demoDir, 'manifest.json');
  const manifest: Record<string, unknown> = existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : {};
  manifest.stateContinue = {
    runId: DEMO_RUN_ID,
    root: runRoot,
    description: '3 synthetic symbols x 2 days of 1-minute bars, 8 market features, momentum-regime signal',
    generator: { script: 'scripts/generateDemo.ts', options: DEMO_OPTIONS },
    files: listed,
  };
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  console.log(`demo: ${listed.length} files, ${(total / 1e6).toFixed(2)} MB in public/demo/${runRoot}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
