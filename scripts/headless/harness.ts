// Drive the built workbench in Debian's headless Chromium, only through what a user has (the DOM contract in
// docs/: file inputs, parameter fields, buttons, downloads). Shared by the headless runner (scripts/headless.ts,
// scripts/headless/riskFilter.ts) and the browser tests (test/browser/).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Download, type Locator, type Page } from 'playwright-core';
import { DIST_DIR, REPO_ROOT, ensureBuild } from '../build.mjs';
import { serveStatic, type StaticServer } from '../serve.mjs';

export { DIST_DIR, REPO_ROOT, ensureBuild };

export const CHROMIUM_PATH = process.env.WORKBENCH_CHROMIUM ?? '/usr/bin/chromium';

/** BROWSER.md: the flags that keep Debian's Chromium quiet and offline when run as root in CI. */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** The subpath the page is served under: a relative-path bug shows up as a 404. */
export const DEFAULT_BASE = '/wb/';

export const RUN_STATES = ['idle', 'running', 'done', 'failed', 'cancelled', 'input-error'] as const;
export type RunState = (typeof RUN_STATES)[number];
export const TERMINAL_RUN_STATES: readonly RunState[] = ['done', 'failed', 'cancelled', 'input-error'];

/** Parameter field ids of the state-continue experiment (docs: the page's automation contract). */
export const STATE_CONTINUE_PARAM_IDS = {
  runId: 'param-run-id',
  agesMinutes: 'param-ages-minutes',
  regressorKind: 'param-regressor-kind',
  ridgeAlpha: 'param-ridge-alpha',
  huberMaxIter: 'param-huber-max-iter',
  regressionTargetClipBps: 'param-regression-target-clip-bps',
  maxRowsPerSplit: 'param-max-rows-per-split',
  continueHorizonMinutes: 'param-continue-horizon-minutes',
  minContinueEdgeBps: 'param-min-continue-edge-bps',
  backend: 'param-backend',
} as const;
export type StateContinueParamValues = Partial<Record<keyof typeof STATE_CONTINUE_PARAM_IDS, string | number>>;

/** Fails loudly (never skips) when Debian's Chromium is not installed. */
export function assertChromium(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}. The browser tests and the headless runner drive Debian's Chromium: ` +
        'install it with `apt-get install chromium` (as root: `apt-get update && apt-get install -y chromium`).',
    );
  }
}

export interface Workbench {
  server: StaticServer;
  context: BrowserContext;
  page: Page;
  /** The page's URL (under the base subpath). */
  url: string;
  userDataDir: string;
  /** console.error messages, uncaught page errors and failed or 4xx/5xx requests, as they happen. */
  consoleErrors: string[];
  pageErrors: string[];
  failedRequests: string[];
  /** Set when the renderer crashed or the page closed unexpectedly. */
  crashed: () => boolean;
  /** Closes Chromium, then the server (unless it was passed in), then removes a fresh profile dir. */
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Reuse a Chromium profile (restart tests); default: a fresh temporary one, removed on close. */
  userDataDir?: string;
  /** Adds `--enable-unsafe-webgpu` (BROWSER.md: gives a SwiftShader adapter headless). */
  webgpu?: boolean;
  /** Serve under this subpath; default `/wb/`. */
  base?: string;
  /** Serve this directory instead of dist/ (no build); default dist/, or $WORKBENCH_DIST when set. */
  root?: string;
  /** Use an already running server (several launches against one server). */
  server?: StaticServer;
  /** Build dist/ first when it is missing or stale (default true, unless WORKBENCH_NO_BUILD=1). */
  build?: boolean;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
  /** Navigation timeout (ms). */
  timeoutMs?: number;
}

/** Build if needed, serve dist/ on loopback, launch headless Chromium and open the page. */
export async function openWorkbench(options: OpenOptions = {}): Promise<Workbench> {
  assertChromium();
  const log = options.log ?? (() => {});
  const root = options.root ?? process.env.WORKBENCH_DIST ?? DIST_DIR;
  const build = root === DIST_DIR && (options.build ?? process.env.WORKBENCH_NO_BUILD !== '1');
  if (build && !options.server) ensureBuild({ log });
  if (!options.server && !existsSync(join(root, 'index.html'))) throw new Error(`no build at ${root}: run \`npx vite build\``);
  const freshProfile = !options.userDataDir;
  const userDataDir = options.userDataDir ?? mkdtempSync(join(tmpdir(), 'workbench-chromium-'));
  mkdirSync(userDataDir, { recursive: true });
  const server = options.server ?? (await serveForProfile(root, options.base ?? DEFAULT_BASE, freshProfile ? undefined : userDataDir, log));

  const args = [...CHROMIUM_FLAGS];
  if (options.webgpu) args.push('--enable-unsafe-webgpu');
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      acceptDownloads: true,
      args,
      viewport: { width: 1400, height: 1000 },
    });
  } catch (error) {
    if (!options.server) await server.close();
    if (freshProfile) rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }

  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];
  const failedRequests: string[] = [];
  let crashed = false;
  let closing = false;
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // Chromium asks for /favicon.ico on its own (the page links none); that 404 is the browser's, not the page's.
    if (/\/favicon\.ico$/.test(message.location().url)) return;
    const where = message.location().url ? ` (${message.location().url})` : '';
    consoleErrors.push(`${message.text()}${where}`);
  });
  page.on('pageerror', (error) => pageErrors.push(`${error.name}: ${error.message}`));
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText ?? 'failed';
    // A download or a blob: URL revoked after use is not a failed resource load.
    if (request.url().startsWith('blob:') || reason.includes('ERR_ABORTED')) return;
    failedRequests.push(`${request.method()} ${request.url()}: ${reason}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) failedRequests.push(`${response.request().method()} ${response.url()}: HTTP ${response.status()}`);
  });
  page.on('crash', () => {
    crashed = true;
    log('the page crashed');
  });
  page.on('close', () => {
    if (!closing) crashed = true;
  });
  page.setDefaultTimeout(options.timeoutMs ?? 60_000);

  const close = async () => {
    closing = true;
    await context.close().catch(() => {});
    if (!options.server) await server.close();
    if (freshProfile) rmSync(userDataDir, { recursive: true, force: true });
  };

  log(`opening ${server.url}`);
  try {
    await page.goto(server.url, { waitUntil: 'load', timeout: options.timeoutMs ?? 60_000 });
  } catch (error) {
    await close();
    throw error;
  }
  // As a user would, hand the page files once it has started (its worker and decoder loaded: main[data-ready]),
  // not while its modules are still being compiled; a page that never says so is driven all the same.
  await page
    .locator('main[data-ready="true"]')
    .waitFor({ state: 'attached', timeout: 30_000 })
    .catch(() => log('the page did not report itself ready within 30 s; going on'));

  return {
    server,
    context,
    page,
    url: server.url,
    userDataDir,
    consoleErrors,
    pageErrors,
    failedRequests,
    crashed: () => crashed,
    close,
  };
}

/**
 * IndexedDB belongs to an origin, and the origin includes the port: a kept profile must see the page on the same
 * port as last time, or its stored runs are invisible. The port is remembered in the profile directory.
 */
async function serveForProfile(root: string, base: string, profileDir: string | undefined, log: (line: string) => void): Promise<StaticServer> {
  if (!profileDir) return serveStatic({ root, base });
  const portFile = join(profileDir, 'workbench-port');
  const remembered = existsSync(portFile) ? Number(readFileSync(portFile, 'utf8').trim()) : 0;
  if (remembered > 0) {
    try {
      return await serveStatic({ root, base, port: remembered });
    } catch (error) {
      log(`port ${remembered} of this profile is taken (${(error as Error).message}): the runs stored by its page will not be visible`);
    }
  }
  const server = await serveStatic({ root, base });
  writeFileSync(portFile, `${server.port}\n`);
  return server;
}

/** Go to a screen through its navigation button/link (`data-nav`). */
export async function navigate(page: Page, screen: string): Promise<void> {
  await page.locator(`[data-nav="${screen}"]`).first().click();
}

/** Click the `data-nav` button of `screen` when `selector` is not on the current screen, then wait for it. */
export async function ensureOnScreen(page: Page, selector: string, screen: string, timeoutMs = 30_000): Promise<void> {
  if ((await page.locator(selector).count()) > 0) return;
  const nav = page.locator(`[data-nav="${screen}"]`).first();
  if ((await nav.count()) > 0) await nav.click();
  await page.locator(selector).first().waitFor({ state: 'attached', timeout: timeoutMs });
}

/**
 * Give the page a baseline run folder, as a user picking it in the folder dialog: `webkitRelativePath` of each
 * file is `<folder base name>/feature/...`, so the page sees the folder's base name as the baseline run id.
 */
export async function setBaselineFolder(page: Page, dir: string): Promise<void> {
  const input = page.locator('#baseline-dir-input');
  await input.waitFor({ state: 'attached' });
  await input.setInputFiles(resolve(dir));
}

/** Give the page loose files (or a .zip) through `#baseline-files-input` (or another file input). */
export async function setFiles(page: Page, paths: string[], selector = '#baseline-files-input'): Promise<void> {
  const input = page.locator(selector);
  await input.waitFor({ state: 'attached' });
  await input.setInputFiles(paths.map((path) => resolve(path)));
}

/** Wait for the intake's verdict on the dropped files; returns the state and the listed problems. */
export async function waitForIntake(
  page: Page,
  timeoutMs = 120_000,
): Promise<{ state: 'valid' | 'invalid'; problems: string[] }> {
  await page.waitForSelector('#intake-status[data-state="valid"], #intake-status[data-state="invalid"]', {
    state: 'attached',
    timeout: timeoutMs,
  });
  const state = (await page.locator('#intake-status').getAttribute('data-state')) as 'valid' | 'invalid';
  return { state, problems: await inputProblems(page) };
}

export async function inputProblems(page: Page): Promise<string[]> {
  const items = page.locator('#input-problems li.input-problem');
  return (await items.allInnerTexts()).map((text) => text.trim()).filter((text) => text.length > 0);
}

/**
 * Set a field by id: `selectOption` for a select, `fill` (input events, as typing) for anything else. A field that
 * already holds the value is left alone, as a user would (retyping the ten defaults costs ~0.5 s of the run's time).
 */
export async function setField(page: Page, id: string, value: string | number): Promise<void> {
  const field = page.locator(`#${id}`);
  await field.waitFor({ state: 'attached' });
  const { tag, current } = await field.evaluate((element) => ({ tag: element.tagName.toLowerCase(), current: (element as HTMLInputElement).value }));
  if (current === String(value)) return;
  if (tag === 'select') await field.selectOption(String(value));
  else {
    await field.fill(String(value));
    await field.dispatchEvent('change');
  }
}

export async function fillStateContinueParams(page: Page, values: StateContinueParamValues): Promise<void> {
  const wanted = Object.entries(values)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ({ id: STATE_CONTINUE_PARAM_IDS[key as keyof typeof STATE_CONTINUE_PARAM_IDS], value: String(value) }));
  await page.locator(`#${wanted[0]?.id ?? 'run-button'}`).waitFor({ state: 'attached' });
  // What the fields hold, in one round trip; only those that differ are set.
  const current = await page.evaluate((ids) => ids.map((id) => (document.getElementById(id) as HTMLInputElement | null)?.value ?? null), wanted.map((w) => w.id));
  for (const [i, { id, value }] of wanted.entries()) if (current[i] !== value) await setField(page, id, value);
}

/**
 * Record every `data-state` that `#run-status` takes, from now on, in the page (a MutationObserver). Re-rendering
 * the element is covered: the observer watches the whole document. Safe to call more than once.
 */
export async function watchRunStatus(page: Page): Promise<void> {
  // A string, not a function: tsx/esbuild would wrap named inner functions in a `__name` helper that does not
  // exist in the page.
  await page.evaluate(WATCH_RUN_STATUS_SCRIPT);
}

const WATCH_RUN_STATUS_SCRIPT = `(() => {
  if (window.__workbenchRunStates) return;
  const states = [];
  window.__workbenchRunStates = states;
  let last = null;
  function record() {
    const element = document.querySelector('#run-status');
    const state = element ? element.getAttribute('data-state') : null;
    if (state !== null && state !== last) states.push(state);
    last = state;
  }
  record();
  new MutationObserver(record).observe(document.documentElement, {
    subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'],
  });
})()`;

/** How many `#run-status` states were recorded so far (pass to `waitForRunEnd` to wait for the next run's end). */
export async function runStatusMark(page: Page): Promise<number> {
  await watchRunStatus(page);
  return page.evaluate(() => (window as unknown as { __workbenchRunStates?: string[] }).__workbenchRunStates?.length ?? 0);
}

export interface RunOutcome {
  state: RunState;
  /** `#run-status` text: the page's message (for input-error, the full problems text). */
  message: string;
  /** Every state `#run-status` went through since the click. */
  states: string[];
}

/**
 * Press a button that starts a run (default `#run-button`) and wait until `#run-status` reaches a terminal
 * state after it: a state reached before the click (a previous run's `done`) does not count.
 */
export async function clickAndWaitForRun(
  page: Page,
  options: { button?: string; timeoutMs?: number; isCrashed?: () => boolean } = {},
): Promise<RunOutcome> {
  await watchRunStatus(page);
  const mark = await runStatusMark(page);
  const button = page.locator(options.button ?? '#run-button');
  await button.click();
  return waitForRunEnd(page, mark, options);
}

/** Wait for a terminal `#run-status` state recorded after index `mark` of the watched states. */
export async function waitForRunEnd(
  page: Page,
  mark: number,
  options: { timeoutMs?: number; isCrashed?: () => boolean } = {},
): Promise<RunOutcome> {
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  const terminal = TERMINAL_RUN_STATES as readonly string[];
  for (;;) {
    if (options.isCrashed?.()) throw new Error('the page crashed during the run');
    const states = await page.evaluate(
      (from) => ((window as unknown as { __workbenchRunStates?: string[] }).__workbenchRunStates ?? []).slice(from),
      mark,
    );
    // The run is over when the latest state recorded is terminal (running → done, or straight to input-error).
    const end = states[states.length - 1];
    if (end !== undefined && terminal.includes(end)) {
      const message = ((await page.locator('#run-status').first().textContent()) ?? '').trim();
      return { state: end as RunState, message, states };
    }
    if (Date.now() > deadline) {
      const current = await page.locator('#run-status').first().getAttribute('data-state').catch(() => null);
      throw new Error(`timed out waiting for the run to end (#run-status data-state = ${current}; seen ${states.join(' → ') || 'nothing'})`);
    }
    await page.waitForTimeout(200);
  }
}

/** Wait until `#run-status` shows `state` (e.g. `running`, to cancel mid-run). */
export async function waitForRunState(page: Page, state: RunState, timeoutMs = 120_000): Promise<void> {
  await page.waitForSelector(`#run-status[data-state="${state}"]`, { state: 'attached', timeout: timeoutMs });
}

/** Click a download link/button and save the file under `dir` (by its suggested name unless `name` is given). */
export async function saveDownload(page: Page, target: Locator, dir: string, name?: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  // A click that starts nothing is clicked again, as a user would: the page may re-render the link (new object
  // URL, the old one revoked) between our locating it and the click landing. Chromium also let a download link
  // clicked ~70 ms after the previous download (the run record after the zip) start nothing; a quarter of a
  // second between downloads avoided it in every run (`downloadAll`).
  const attempts = 3;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    try {
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), target.click()]);
      return await saveAs(download, dir, name);
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`download of ${name ?? 'a file'} failed after ${attempts} clicks: ${(lastError as Error).message}`);
}

async function saveAs(download: Download, dir: string, name?: string): Promise<string> {
  const fileName = basename(name ?? download.suggestedFilename());
  const path = join(dir, fileName);
  await download.saveAs(path);
  const failure = await download.failure();
  if (failure) throw new Error(`download of ${fileName} failed: ${failure}`);
  return path;
}

export interface SavedDownloads {
  /** Artifact file names saved (from each `a.artifact-download[data-name]`). */
  artifacts: string[];
  zip?: string;
  runRecord?: string;
}

/**
 * The page answers with the verdict first and then adds the plots, the onnxruntime cross-check and, after a
 * float32 run, the float64 check to the run (data-follow-up pending → done). Wait for them: the stored run then
 * holds them (an export made before would differ from one made after), and the report no longer re-renders its
 * links. Gives up quietly after `timeoutMs` (the run itself is complete).
 */
export async function waitForFollowUps(page: Page, timeoutMs = 600_000): Promise<void> {
  await page
    .locator('#report-screen[data-follow-up="done"]')
    .waitFor({ state: 'attached', timeout: timeoutMs })
    .catch(() => undefined);
}

/** Between two downloads (see saveDownload). */
const DOWNLOAD_PAUSE_MS = 250;

/** Save every artifact the page offers, the zip and the run record, into `dir`. */
export async function downloadAll(page: Page, dir: string, followUpTimeoutMs = 600_000): Promise<SavedDownloads> {
  const saved: SavedDownloads = { artifacts: [] };
  await waitForFollowUps(page, followUpTimeoutMs);
  const links = page.locator('a.artifact-download');
  const count = await links.count();
  for (let index = 0; index < count; index += 1) {
    const link = links.nth(index);
    const name = (await link.getAttribute('data-name')) ?? undefined;
    await link.scrollIntoViewIfNeeded();
    const path = await saveDownload(page, link, dir, name);
    saved.artifacts.push(basename(path));
    await page.waitForTimeout(DOWNLOAD_PAUSE_MS);
  }
  const zip = page.locator('#download-zip');
  if ((await zip.count()) > 0 && (await zip.first().isEnabled())) {
    saved.zip = basename(await saveDownload(page, zip.first(), dir, 'state_continue_artifacts.zip'));
    await page.waitForTimeout(DOWNLOAD_PAUSE_MS);
  }
  const record = page.locator('#download-run-record');
  if ((await record.count()) > 0 && (await record.first().isEnabled())) {
    saved.runRecord = basename(await saveDownload(page, record.first(), dir, 'run_record.json'));
  }
  return saved;
}

/** The runs listed in `#runs-list` (navigating to the runs screen first when asked). */
export async function listedRuns(page: Page): Promise<{ runId: string; status: string; text: string }[]> {
  const items = page.locator('#runs-list li.run-item');
  const count = await items.count();
  const runs: { runId: string; status: string; text: string }[] = [];
  for (let index = 0; index < count; index += 1) {
    const item = items.nth(index);
    runs.push({
      runId: (await item.getAttribute('data-run-id')) ?? '',
      status: (await item.getAttribute('data-status')) ?? '',
      text: ((await item.textContent()) ?? '').trim(),
    });
  }
  return runs;
}

/**
 * The runs list once it has settled: the page reads IndexedDB asynchronously after a screen change or a run, so
 * read until two reads a quarter-second apart agree and at least `minWaitMs` has passed.
 */
export async function settledRuns(page: Page, minWaitMs = 1000, timeoutMs = 15_000): Promise<{ runId: string; status: string; text: string }[]> {
  const started = Date.now();
  let previous = JSON.stringify(await listedRuns(page));
  for (;;) {
    await page.waitForTimeout(250);
    const runs = await listedRuns(page);
    const current = JSON.stringify(runs);
    if ((current === previous && Date.now() - started >= minWaitMs) || Date.now() - started > timeoutMs) return runs;
    previous = current;
  }
}

/** A temporary directory under the OS temp dir (removed by the caller). */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
