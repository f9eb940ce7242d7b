// Build the production page (dist/) when it is missing or older than its sources. Shared by `npm start`
// (scripts/start.mjs), the headless runner and the browser tests' global setup. Plain JavaScript so that
// `npm start` needs nothing but Node; TypeScript callers get types from build.d.mts.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST_DIR = join(REPO_ROOT, 'dist');

/** Everything that goes into the build: a newer file here means dist/ is stale. */
const BUILD_INPUTS = ['src', 'public', 'index.html', 'vite.config.ts', 'svelte.config.js', 'package.json', 'tsconfig.json'];

function newestMtime(path) {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    return 0;
  }
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(path)) {
    // Unit tests sit beside the code but are not part of the bundle.
    if (entry.endsWith('.test.ts')) continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

/** Why dist/ must be rebuilt, or null when it is up to date. */
export function buildStaleReason() {
  const index = join(DIST_DIR, 'index.html');
  if (!existsSync(index)) return 'dist/index.html is missing';
  const built = statSync(index).mtimeMs;
  for (const input of BUILD_INPUTS) {
    if (newestMtime(join(REPO_ROOT, input)) > built) return `${input} is newer than dist/`;
  }
  return null;
}

/**
 * A cross-process lock (mkdir is atomic) so that two runners or test processes never build into dist/ at once.
 * A lock older than 10 minutes is taken to be left by a killed process.
 */
function withBuildLock(fn) {
  const lock = join(REPO_ROOT, '.tmp', 'build.lock');
  mkdirSync(dirname(lock), { recursive: true });
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > 10 * 60_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        /* removed meanwhile */
      }
      if (Date.now() - started > 15 * 60_000) throw new Error(`waited 15 minutes for the build lock ${lock}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500); // a synchronous sleep
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Build if needed, then copy dist/ to `dest` while holding the build lock: a test run that serves its own copy is
 * not disturbed when someone rebuilds dist/ meanwhile (vite empties dist/ first; a page loaded from the old build
 * would then miss its lazily loaded workers and wasm).
 * @param {string} dest
 * @param {{ log?: (line: string) => void }} [options]
 * @returns {{ built: boolean, reason: string | null }}
 */
export function snapshotBuild(dest, options = {}) {
  const result = ensureBuild(options);
  withBuildLock(() => {
    rmSync(dest, { recursive: true, force: true });
    cpSync(DIST_DIR, dest, { recursive: true });
  });
  return result;
}

/**
 * Run `vite build` if dist/ is missing or stale (or always with `force`). Build output goes to stderr so that a
 * runner's stdout stays clean. Throws when the build fails.
 * @param {{ force?: boolean, log?: (line: string) => void }} [options]
 * @returns {{ built: boolean, reason: string | null }}
 */
export function ensureBuild(options = {}) {
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  return withBuildLock(() => {
    const reason = options.force ? 'forced' : buildStaleReason();
    if (!reason) return { built: false, reason: null };
    log(`building the workbench (${reason}): vite build`);
    const vite = join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
    const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', process.stderr, process.stderr],
      env: { ...process.env, NODE_ENV: 'production' },
    });
    if (result.status !== 0) {
      throw new Error(`vite build failed (exit ${result.status ?? result.signal}); see the output above`);
    }
    return { built: true, reason };
  });
}
