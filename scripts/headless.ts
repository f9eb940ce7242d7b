// The headless runner: the workbench's page, driven in Debian's headless Chromium exactly as a user would (pick
// the baseline folder, set the parameters, press Run, download the artifacts). Same flags as the oracle's
// /opt/ref/run_state_continue.py, so the two outputs can be compared file by file.
//
//   npm run headless -- state-continue --baseline-dir DIR --out DIR [--ages-minutes 5,15,30,60]
//       [--regressor-kind huber|ridge] [--ridge-alpha A] [--huber-max-iter N] [--regression-target-clip-bps C]
//       [--max-rows-per-split N] [--continue-horizon-minutes H] [--min-continue-edge-bps E]
//       [--backend auto|cpu|wasm|webgpu] [--run-id ID] [--timeout-minutes M] [--profile-dir DIR]
//   npm run headless -- risk-filter ...      (scripts/headless/riskFilter.ts)
//
// Exit codes: 0 success, 2 input error (the page's message is printed), 1 anything else (page crash, timeout,
// a failed run).
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  clickAndWaitForRun,
  downloadAll,
  ensureOnScreen,
  fillStateContinueParams,
  openWorkbench,
  setBaselineFolder,
  waitForIntake,
  type StateContinueParamValues,
  type Workbench,
} from './headless/harness.ts';
import { EXIT_FAILURE, EXIT_INPUT_ERROR, EXIT_OK, UsageError, parseFlags, userPath } from './headless/cli.ts';
import { runRiskFilter } from './headless/riskFilter.ts';
import { STATE_CONTINUE_ARTIFACTS } from '../src/core/constants.ts';

/** The seed's nine artifacts (SPEC section 3), in the order the oracle lists them. */
export { STATE_CONTINUE_ARTIFACTS };

const STATE_CONTINUE_FLAGS = {
  'baseline-dir': 'string',
  out: 'string',
  'ages-minutes': 'string',
  'regressor-kind': 'string',
  'ridge-alpha': 'number',
  'huber-max-iter': 'integer',
  'regression-target-clip-bps': 'number',
  'max-rows-per-split': 'integer',
  'continue-horizon-minutes': 'integer',
  'min-continue-edge-bps': 'number',
  backend: 'string',
  'run-id': 'string',
  'timeout-minutes': 'number',
  'profile-dir': 'string',
} as const;

const USAGE = `usage:
  npm run headless -- state-continue --baseline-dir DIR --out DIR [--ages-minutes 5,15,30,60]
      [--regressor-kind huber|ridge] [--ridge-alpha 10] [--huber-max-iter 1000] [--regression-target-clip-bps 0]
      [--max-rows-per-split 0] [--continue-horizon-minutes 30] [--min-continue-edge-bps 5.0]
      [--backend auto|cpu|wasm|webgpu] [--run-id ID] [--timeout-minutes 60] [--profile-dir DIR]
  npm run headless -- risk-filter --ledger FILE --out DIR [--mae-threshold 0.03] [--min-rows 20]
      [--risk-threshold 0.5] [--profile-dir DIR] [--timeout-minutes 10]`;

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

interface RunRecordFit {
  key?: string;
  model?: string;
  backend?: string;
  ms?: number;
  iterations?: number;
  converged?: boolean;
}

/** timings.json from the page's run record: stage timings (ms), total_ms, and the backend of each fit. */
export function timingsFromRunRecord(record: Record<string, unknown>, runner: Record<string, number>): Record<string, unknown> {
  const stages =
    record.stage_timings_ms ?? record.stageTimingsMs ?? record.timings_ms ?? record.timings ?? record.stages ?? null;
  const fits = Array.isArray(record.fits) ? (record.fits as RunRecordFit[]) : [];
  return {
    note:
      'milliseconds, measured by the page (run_record.json): stages_ms per stage, total_ms from the files reaching ' +
      'the page to the verdict; stage_spans_epoch_ms: when each stage ran, [start, end] in ms since the epoch; ' +
      'fits: the backend that trained each model. runner_ms: wall time seen by the runner.',
    total_ms: record.total_ms ?? record.totalMs ?? null,
    stages_ms: stages,
    stage_spans_epoch_ms: record.stage_spans_epoch_ms ?? {},
    fits: fits.map((fit) => ({
      key: fit.key,
      model: fit.model,
      backend: fit.backend,
      ms: fit.ms,
      iterations: fit.iterations,
      converged: fit.converged,
    })),
    runner_ms: runner,
  };
}

export async function runStateContinue(argv: string[]): Promise<number> {
  let flags: Record<string, string | number>;
  try {
    flags = parseFlags(argv, STATE_CONTINUE_FLAGS);
    for (const required of ['baseline-dir', 'out']) {
      if (flags[required] === undefined) throw new UsageError(`--${required} is required`);
    }
    const kind = flags['regressor-kind'];
    if (kind !== undefined && kind !== 'huber' && kind !== 'ridge') {
      throw new UsageError(`--regressor-kind must be huber or ridge, found ${JSON.stringify(kind)}`);
    }
    const backend = flags.backend;
    if (backend !== undefined && !['auto', 'cpu', 'wasm', 'webgpu'].includes(String(backend))) {
      throw new UsageError(`--backend must be auto, cpu, wasm or webgpu, found ${JSON.stringify(backend)}`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      log(`input error: ${error.message}\n${USAGE}`);
      return EXIT_INPUT_ERROR;
    }
    throw error;
  }

  const baselineDir = userPath(String(flags['baseline-dir']));
  if (!existsSync(baselineDir) || !statSync(baselineDir).isDirectory()) {
    log(`input error: --baseline-dir ${baselineDir} is not a directory`);
    return EXIT_INPUT_ERROR;
  }
  const outDir = userPath(String(flags.out));
  mkdirSync(outDir, { recursive: true });
  // Like the oracle: a previous run's files in --out must not pass for this run's.
  for (const name of [...STATE_CONTINUE_ARTIFACTS, 'timings.json', 'run_record.json', 'state_continue_artifacts.zip']) {
    rmSync(join(outDir, name), { force: true });
  }

  const params: StateContinueParamValues = {
    runId: flags['run-id'],
    agesMinutes: flags['ages-minutes'],
    regressorKind: flags['regressor-kind'],
    ridgeAlpha: flags['ridge-alpha'],
    huberMaxIter: flags['huber-max-iter'],
    regressionTargetClipBps: flags['regression-target-clip-bps'],
    maxRowsPerSplit: flags['max-rows-per-split'],
    continueHorizonMinutes: flags['continue-horizon-minutes'],
    minContinueEdgeBps: flags['min-continue-edge-bps'],
    backend: flags.backend,
  };
  const timeoutMs = Number(flags['timeout-minutes'] ?? 60) * 60_000;
  const runner: Record<string, number> = {};
  const started = performance.now();
  let workbench: Workbench | undefined;
  try {
    workbench = await openWorkbench({
      webgpu: flags.backend === 'webgpu',
      userDataDir: flags['profile-dir'] === undefined ? undefined : userPath(String(flags['profile-dir'])),
      log,
    });
    runner.open_ms = Math.round(performance.now() - started);
    const { page } = workbench;

    // The parameters first (the form does not depend on the files), so that the run's total_ms, which starts
    // when the files reach the page, holds the page's work and not the runner typing.
    await ensureOnScreen(page, '#run-button', 'experiment');
    await fillStateContinueParams(page, params);
    let mark = performance.now();
    await ensureOnScreen(page, '#baseline-dir-input', 'intake');
    await setBaselineFolder(page, baselineDir);
    // Run is pressed at once, as a user may: the page runs once its drop-time check passes, or ends the run with
    // the check's problems (then read from the intake screen).
    await ensureOnScreen(page, '#run-button', 'experiment');
    runner.intake_ms = Math.round(performance.now() - mark);
    mark = performance.now();
    const outcome = await clickAndWaitForRun(page, { timeoutMs, isCrashed: workbench.crashed });
    runner.run_ms = Math.round(performance.now() - mark);
    if (outcome.state === 'input-error') {
      await ensureOnScreen(page, '#intake-status', 'intake');
      const intake = await waitForIntake(page, timeoutMs);
      if (intake.state === 'invalid') {
        log(`input error: the page refused the baseline run ${baselineDir}:`);
        for (const problem of intake.problems) log(`  - ${problem}`);
      } else log(`input error: ${outcome.message}`);
      return EXIT_INPUT_ERROR;
    }
    if (outcome.state !== 'done') {
      log(`the run ended ${outcome.state}: ${outcome.message}`);
      return EXIT_FAILURE;
    }

    mark = performance.now();
    await ensureOnScreen(page, 'a.artifact-download', 'report');
    const saved = await downloadAll(page, outDir);
    runner.downloads_ms = Math.round(performance.now() - mark);
    runner.total_ms = Math.round(performance.now() - started);
    const missing = STATE_CONTINUE_ARTIFACTS.filter((name) => !saved.artifacts.includes(name));
    if (missing.length > 0) log(`warning: the page did not offer ${missing.join(', ')}`);

    const recordPath = join(outDir, 'run_record.json');
    const record = saved.runRecord ? (JSON.parse(readFileSync(recordPath, 'utf8')) as Record<string, unknown>) : {};
    if (!saved.runRecord) log('warning: the page did not offer the run record (#download-run-record)');
    writeFileSync(join(outDir, 'timings.json'), `${JSON.stringify(timingsFromRunRecord(record, runner), null, 2)}\n`);

    const verdictPath = join(outDir, 'state_continue_verdict.json');
    if (existsSync(verdictPath)) {
      const verdict = JSON.parse(readFileSync(verdictPath, 'utf8')) as { status: string; reasons?: unknown[]; passed_checks?: unknown[] };
      console.log(
        `verdict: ${verdict.status} (${verdict.reasons?.length ?? 0} reasons, ${verdict.passed_checks?.length ?? 0} passed checks); artifacts in ${outDir}`,
      );
    } else {
      const text = ((await page.locator('#verdict-status').first().textContent().catch(() => null)) ?? '').trim();
      console.log(text ? `verdict: ${text}; artifacts in ${outDir}` : `no verdict; files in ${outDir}`);
    }
    if (workbench.pageErrors.length > 0) log(`page errors during the run:\n  ${workbench.pageErrors.join('\n  ')}`);
    return EXIT_OK;
  } catch (error) {
    log(`error: ${error instanceof Error ? error.message : String(error)}`);
    if (workbench && workbench.pageErrors.length > 0) log(`page errors:\n  ${workbench.pageErrors.join('\n  ')}`);
    return EXIT_FAILURE;
  } finally {
    await workbench?.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'state-continue':
      return runStateContinue(rest);
    case 'risk-filter':
      return runRiskFilter(rest);
    case '-h':
    case '--help':
      console.log(USAGE);
      return EXIT_OK;
    case undefined:
      log(USAGE);
      return EXIT_INPUT_ERROR;
    default:
      log(`unknown command ${JSON.stringify(command)}\n${USAGE}`);
      return EXIT_INPUT_ERROR;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      log(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exit(EXIT_FAILURE);
    },
  );
}
