/**
 * The benchmark: baseline runs of several sizes through the built page in headless Chromium, timed per stage.
 *
 *   npm run bench [-- --sizes S,M,L] [--oracle] [--json OUT] [--backend auto|cpu|wasm|webgpu] [--regenerate]
 *                 [--vs-cpu] [--ops] [--timeout-minutes 60]
 *
 * Per size: `scripts/generateBaseline.ts` writes a synthetic baseline run into .bench/<size>/baseline (kept and
 * reused while its parameters are unchanged), the headless runner (`npm run headless -- state-continue`, started
 * as `node --import tsx scripts/headless.ts` so that its process tree can be sampled) runs it through the page
 * into .bench/<size>/page, and this script prints, per stage (parquet decode, frozen scores, path stats, state
 * frame, each fit with its backend, metrics, artifacts), the page's time, the rows processed per second and the
 * peak resident memory of the page's renderer process (page + workers + wasm; see bench/procMemory.ts). With
 * --oracle the seed's Python runs on the same inputs and the ratio of the page's end-to-end time to the seed's
 * `compute_s_excluding_parquet_io` is printed, with the parity of the two outputs (verdict, largest metric
 * difference). --vs-cpu runs the page a second time on the exact float64 path (`--backend cpu`) and reports the
 * float32 run's largest metric difference from it and whether the verdicts agree. --ops adds the Node micro-benchmark of the MatrixOps backends. --json writes everything
 * (default .bench/bench.json).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compareToFloat64 } from '../src/ml/backends/compareToFloat64.ts';
import { startSampler, type MemorySample } from './bench/procMemory.ts';
import { decodedInputBytes } from './bench/decoded.ts';
import { inputRows, mb, stageRows, type InputRows, type StageRow } from './bench/stages.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BENCH_DIR = join(REPO_ROOT, '.bench');
const SHARED_REFERENCE = resolve(REPO_ROOT, '..', 'shared', 'reference');
const INSTALLED_REFERENCE = '/opt/ref';
const PYTHON = '/usr/bin/python3';

/** 1-minute bars: S small, M ≈ 6 symbols × 10 days, L ≈ 20 symbols × 30 days; 32 market features. */
export const SIZES: Record<string, { symbols: number; days: number; features: number; seed: number }> = {
  S: { symbols: 2, days: 3, features: 32, seed: 11 },
  M: { symbols: 6, days: 10, features: 32, seed: 12 },
  L: { symbols: 20, days: 30, features: 32, seed: 13 },
};

interface Options {
  sizes: string[];
  oracle: boolean;
  json: string;
  backend: string;
  regenerate: boolean;
  ops: boolean;
  vsCpu: boolean;
  timeoutMinutes: number;
}

function parseArgs(argv: string[]): Options {
  const options: Options = {
    sizes: ['S', 'M'],
    oracle: false,
    json: join(BENCH_DIR, 'bench.json'),
    backend: 'auto',
    regenerate: false,
    ops: false,
    vsCpu: false,
    timeoutMinutes: 60,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--sizes') {
      options.sizes = value().split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
      for (const s of options.sizes) if (!SIZES[s]) throw new Error(`unknown size ${s}: use ${Object.keys(SIZES).join(', ')}`);
    } else if (arg === '--oracle') options.oracle = true;
    else if (arg === '--json') options.json = resolve(value());
    else if (arg === '--backend') {
      options.backend = value();
      if (!['auto', 'cpu', 'wasm', 'webgpu'].includes(options.backend)) throw new Error(`--backend must be auto, cpu, wasm or webgpu`);
    } else if (arg === '--regenerate') options.regenerate = true;
    else if (arg === '--ops') options.ops = true;
    else if (arg === '--vs-cpu') options.vsCpu = true;
    else if (arg === '--timeout-minutes') options.timeoutMinutes = Number(value());
    else if (arg === '-h' || arg === '--help') {
      console.log('npm run bench [-- --sizes S,M,L] [--oracle] [--json OUT] [--backend auto|cpu|wasm|webgpu] [--regenerate] [--vs-cpu] [--ops]');
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  return options;
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Run a command; its output goes to our stderr with a prefix. Resolves with the exit code and wall time. */
function run(
  command: string,
  args: string[],
  prefix: string,
  onStart?: (pid: number) => void,
): Promise<{ code: number; ms: number; stdout: string }> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid !== undefined) onStart?.(child.pid);
    let stdout = '';
    const forward = (chunk: Buffer, keep: boolean) => {
      const text = chunk.toString('utf8');
      if (keep) stdout += text;
      for (const line of text.split('\n')) if (line.trim()) log(`  ${prefix} ${line}`);
    };
    child.stdout.on('data', (c: Buffer) => forward(c, true));
    child.stderr.on('data', (c: Buffer) => forward(c, false));
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code: code ?? (signal ? 128 : 1), ms: performance.now() - started, stdout }));
  });
}

async function ensureBaseline(size: string, regenerate: boolean): Promise<{ dir: string; generatedMs: number | null }> {
  const params = SIZES[size];
  const dir = join(BENCH_DIR, size, 'baseline');
  // The stamp sits beside the run, not in it: the page would see any extra file in the folder.
  const stamp = join(BENCH_DIR, size, 'baseline.params.json');
  const wanted = JSON.stringify(params);
  if (!regenerate && existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted && existsSync(join(dir, 'feature', 'feature_frame.parquet'))) {
    return { dir, generatedMs: null };
  }
  mkdirSync(dirname(dir), { recursive: true });
  log(`${size}: generating ${params.symbols} symbols × ${params.days} days, ${params.features} features into ${dir}`);
  const result = await run(
    process.execPath,
    ['--import', 'tsx', 'scripts/generateBaseline.ts', '--out', dir, '--symbols', String(params.symbols), '--days', String(params.days), '--features', String(params.features), '--seed', String(params.seed)],
    `[generate ${size}]`,
  );
  if (result.code !== 0) throw new Error(`generateBaseline failed for ${size} (exit ${result.code})`);
  writeFileSync(stamp, wanted);
  return { dir, generatedMs: result.ms };
}

function referenceDir(): { dir: string; note: string | null } {
  if (existsSync(join(SHARED_REFERENCE, 'node_modules', '@duckdb'))) return { dir: SHARED_REFERENCE, note: null };
  return {
    dir: INSTALLED_REFERENCE,
    note: `${SHARED_REFERENCE}/node_modules is missing (the seed's parquet I/O needs @duckdb/node-api): ran the same harness from ${INSTALLED_REFERENCE}`,
  };
}

interface SizeReport {
  size: string;
  params: (typeof SIZES)[string];
  baseline_dir: string;
  generated_ms: number | null;
  input_rows: InputRows;
  state_rows: number | null;
  page: null | {
    ok: boolean;
    exit_code: number;
    backend_choice: string;
    total_ms: number | null;
    runner_wall_ms: number;
    stages: StageRow[];
    fits: StageRow[];
    peak_renderer_mb: number | null;
    /** Of the peak, Chromium's files mapped into the renderer (RssFile at that sample; see procMemory.ts). */
    peak_renderer_files_mb: number | null;
    peak_chromium_mb: number | null;
    /** The renderer just before the files reached the page (page loaded, workers started, nothing decoded). */
    rest_renderer_mb: number | null;
    /** The inputs decoded (scripts/bench/decoded.ts): issue 4's memory yardstick. */
    decoded_input_mb: number | null;
    memory_note: string;
    /** The renderer's resident memory over the run: [ms since the run record's started_at, MB], every sample. */
    memory_timeline: [number, number][];
  };
  /** --vs-cpu: the same run on the float64 path, and how far the chosen backend's run lands from it. */
  vs_cpu: null | {
    ok: boolean;
    total_ms: number | null;
    comparison: ReturnType<typeof comparison> | null;
  };
  oracle: null | {
    ok: boolean;
    exit_code: number;
    reference_dir: string;
    note: string | null;
    wall_ms: number;
    summary: Record<string, number> | null;
    page_total_over_oracle_compute: number | null;
    /** Page stage against the seed's timing of the same work (seed keys summed), seconds. */
    stage_comparison: { stage: string; page_s: number; seed_s: number; seed_keys: string[]; page_over_seed: number | null }[];
    parity: ReturnType<typeof comparison> | null;
  };
}

function timeline(samples: MemorySample[], startedAt: number | null): [number, number][] {
  const origin = startedAt ?? samples[0]?.t ?? 0;
  return samples.filter((s) => s.renderer > 0).map((s) => [s.t - origin, mb(s.renderer) ?? 0]);
}

async function benchSize(size: string, options: Options): Promise<SizeReport> {
  const { dir, generatedMs } = await ensureBaseline(size, options.regenerate);
  const input = inputRows(dir);
  const report: SizeReport = {
    size,
    params: SIZES[size],
    baseline_dir: dir,
    generated_ms: generatedMs,
    input_rows: input,
    state_rows: null,
    page: null,
    vs_cpu: null,
    oracle: null,
  };

  const pageOut = join(BENCH_DIR, size, 'page');
  log(`${size}: running the page (headless Chromium, backend ${options.backend}) into ${pageOut}`);
  let sampler: ReturnType<typeof startSampler> | null = null;
  const pageRun = await run(
    process.execPath,
    ['--import', 'tsx', 'scripts/headless.ts', 'state-continue', '--baseline-dir', dir, '--out', pageOut, '--backend', options.backend, '--timeout-minutes', String(options.timeoutMinutes)],
    `[page ${size}]`,
    (pid) => {
      sampler = startSampler(pid, 100);
    },
  );
  const samples: MemorySample[] = (sampler as ReturnType<typeof startSampler> | null)?.stop() ?? [];
  const memoryNote =
    'resident memory of the renderer process that hosts the page (the page, its workers and their wasm memories; not Chromium\u2019s WebUI and spare renderers), sampled from /proc every 100 ms; ' +
    'a stage\u2019s memory is the peak over the span the page recorded for it (timings.json stage_spans_epoch_ms: the load and frozen scores run during the drop-time check, so their spans overlap the intake\u2019s)';
  const peak = (key: 'renderer' | 'chromium') => (samples.length ? mb(Math.max(...samples.map((s) => s[key]))) : null);
  const peakSample = samples.reduce<MemorySample | null>((best, s) => (best === null || s.renderer > best.renderer ? s : best), null);
  const peakFiles = peakSample ? mb(peakSample.rendererFiles) : null;
  if (pageRun.code === 0 && existsSync(join(pageOut, 'timings.json')) && existsSync(join(pageOut, 'run_record.json'))) {
    const { stages, fits, stateRows, timings, startedAt } = stageRows(pageOut, input, samples);
    report.state_rows = stateRows;
    const before = startedAt === null ? [] : samples.filter((s) => s.t < startedAt && s.renderer > 0);
    report.page = {
      ok: true,
      exit_code: 0,
      backend_choice: options.backend,
      total_ms: timings.total_ms,
      runner_wall_ms: Math.round(pageRun.ms),
      stages,
      fits,
      peak_renderer_mb: peak('renderer'),
      peak_renderer_files_mb: peakFiles,
      peak_chromium_mb: peak('chromium'),
      rest_renderer_mb: before.length ? mb(before[before.length - 1].renderer) : null,
      decoded_input_mb: mb(await decodedInputBytes(dir)),
      memory_note: memoryNote,
      memory_timeline: timeline(samples, startedAt),
    };
  } else {
    report.page = {
      ok: false,
      exit_code: pageRun.code,
      backend_choice: options.backend,
      total_ms: null,
      runner_wall_ms: Math.round(pageRun.ms),
      stages: [],
      fits: [],
      peak_renderer_mb: peak('renderer'),
      peak_renderer_files_mb: peakFiles,
      peak_chromium_mb: peak('chromium'),
      rest_renderer_mb: null,
      decoded_input_mb: null,
      memory_note: memoryNote,
      memory_timeline: timeline(samples, null),
    };
  }

  if (options.vsCpu && report.page.ok) {
    const cpuOut = join(BENCH_DIR, size, 'page-cpu');
    log(`${size}: running the page again on the float64 path (--backend cpu) into ${cpuOut}`);
    const cpuRun = await run(
      process.execPath,
      ['--import', 'tsx', 'scripts/headless.ts', 'state-continue', '--baseline-dir', dir, '--out', cpuOut, '--backend', 'cpu', '--timeout-minutes', String(options.timeoutMinutes)],
      `[page-cpu ${size}]`,
    );
    const ok = cpuRun.code === 0 && existsSync(join(cpuOut, 'state_continue_result.json'));
    report.vs_cpu = {
      ok,
      total_ms: ok ? (JSON.parse(readFileSync(join(cpuOut, 'timings.json'), 'utf8')) as { total_ms: number }).total_ms : null,
      comparison: ok ? comparison(pageOut, cpuOut) : null,
    };
  }

  if (options.oracle) {
    const reference = referenceDir();
    if (reference.note) log(`${size}: ${reference.note}`);
    const oracleOut = join(BENCH_DIR, size, 'oracle');
    log(`${size}: running the seed (${PYTHON} ${reference.dir}/run_state_continue.py) into ${oracleOut}`);
    const oracleRun = await run(PYTHON, [join(reference.dir, 'run_state_continue.py'), '--baseline-dir', dir, '--out', oracleOut], `[oracle ${size}]`);
    const timingsPath = join(oracleOut, 'timings.json');
    const summary =
      oracleRun.code === 0 && existsSync(timingsPath)
        ? ((JSON.parse(readFileSync(timingsPath, 'utf8')) as { summary?: Record<string, number> }).summary ?? null)
        : null;
    const compute = summary?.compute_s_excluding_parquet_io;
    const pageTotal = report.page?.total_ms;
    report.oracle = {
      ok: oracleRun.code === 0,
      exit_code: oracleRun.code,
      reference_dir: reference.dir,
      note: reference.note,
      wall_ms: Math.round(oracleRun.ms),
      summary,
      page_total_over_oracle_compute: compute && pageTotal ? pageTotal / 1000 / compute : null,
      stage_comparison: summary && report.page?.ok ? stageComparison(report.page.stages, summary) : [],
      parity: report.page?.ok && oracleRun.code === 0 ? comparison(pageOut, oracleOut) : null,
    };
  }
  return report;
}

/**
 * Which seed timings (run_state_continue.py's summary) cover the same work as a page stage. The seed's parquet
 * reading goes through DuckDB and CSV (no pyarrow there), so `load` against `read_parquet_s` is not like for like.
 */
const SEED_KEYS: Record<string, string[]> = {
  load: ['read_parquet_s', 'load_compute_s'],
  frozen_scores: ['frozen_scores_s'],
  path_stats: ['path_stats_s'],
  state_frame: ['state_source_s', 'state_frame_compute_s', 'cap_rows_s'],
  train_fits: ['train_and_metrics_s'],
  artifacts: ['write_parquet_s', 'write_json_text_s', 'verdict_report_s'],
};

function stageComparison(stages: StageRow[], summary: Record<string, number>) {
  const pageMs = (name: string) => stages.find((s) => s.stage === name)?.ms ?? 0;
  return Object.entries(SEED_KEYS).map(([stage, keys]) => {
    // The seed times training and metrics together, and its verdict and report with its writing.
    const joined: Record<string, [string, string]> = { train_fits: ['train_fits + metrics', 'metrics'], artifacts: ['verdict + artifacts', 'verdict'] };
    const [label, also] = joined[stage] ?? [stage, ''];
    const page_s = (pageMs(stage) + (also ? pageMs(also) : 0)) / 1000;
    const seed_s = keys.reduce((sum, k) => sum + (summary[k] ?? 0), 0);
    return { stage: label, page_s, seed_s, seed_keys: keys, page_over_seed: seed_s > 0 ? page_s / seed_s : null };
  });
}

/** One run's result and verdict against another's (the seed's, or the float64 path's): compareToFloat64. */
function comparison(pageOut: string, oracleOut: string) {
  const read = (dir: string, name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as unknown;
  const c = compareToFloat64(
    { results: read(pageOut, 'state_continue_result.json'), verdict: read(pageOut, 'state_continue_verdict.json') },
    { results: read(oracleOut, 'state_continue_result.json'), verdict: read(oracleOut, 'state_continue_verdict.json') },
  );
  return {
    same_verdict: c.sameVerdict,
    verdict_differences: c.verdictDifferences,
    largest_metric_difference: c.largest,
    largest_relative_difference: c.largestRelative,
    mismatches: c.mismatches,
  };
}

const fmt = (n: number | null | undefined, digits = 0) =>
  n === null || n === undefined || !Number.isFinite(n) ? '—' : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function printSize(r: SizeReport): void {
  const p = r.params;
  console.log(
    `\n## ${r.size}: ${p.symbols} symbols × ${p.days} days of 1-minute bars, ${p.features} features — ` +
      `${fmt(r.input_rows.feature_frame)} feature rows, ${fmt(r.input_rows.entry_labels)} entries, ${fmt(r.input_rows.replay)} replay bars` +
      (r.state_rows !== null ? `, ${fmt(r.state_rows)} state rows` : ''),
  );
  if (!r.page?.ok) {
    console.log(`page run failed (exit ${r.page?.exit_code}); see the [page ${r.size}] lines above`);
  } else {
    const rows = [...r.page.stages];
    const label = (s: StageRow, indent = '') =>
      indent + s.stage + (s.backend ? ` [${s.backend}${s.iterations !== undefined ? `, ${s.iterations} it` : ''}]` : '');
    const width = Math.max(30, ...rows.map((s) => label(s).length), ...r.page.fits.map((s) => label(s, '  ').length)) + 1;
    console.log(`${'stage'.padEnd(width)} ${'ms'.padStart(10)} ${'rows'.padStart(11)} ${'rows/s'.padStart(12)} ${'peak MB'.padStart(8)}  rows counted`);
    const line = (s: StageRow, indent = '') =>
      console.log(
        `${label(s, indent).padEnd(width)} ` +
          `${fmt(s.ms, 1).padStart(10)} ${fmt(s.rows).padStart(11)} ${fmt(s.rows_per_s).padStart(12)} ${fmt(s.peak_renderer_mb).padStart(8)}  ${s.rows_of}`,
      );
    for (const s of rows) {
      line(s);
      if (s.stage === 'train_fits') for (const f of r.page.fits) line(f, '  ');
    }
    console.log(
      `${'end to end (page total_ms)'.padEnd(width)} ${fmt(r.page.total_ms, 1).padStart(10)} ${fmt(r.state_rows).padStart(11)} ` +
        `${fmt(r.state_rows && r.page.total_ms ? r.state_rows / (r.page.total_ms / 1000) : null).padStart(12)} ${fmt(r.page.peak_renderer_mb).padStart(8)}  state rows; ` +
        `runner wall ${fmt(r.page.runner_wall_ms / 1000, 1)} s; peak of all Chromium processes ${fmt(r.page.peak_chromium_mb)} MB`,
    );
    const { peak_renderer_mb: peakMb, peak_renderer_files_mb: filesMb, rest_renderer_mb: restMb, decoded_input_mb: decodedMb } = r.page;
    if (peakMb !== null && decodedMb) {
      console.log(
        `memory: decoded input ${fmt(decodedMb)} MB; renderer peak ${fmt(peakMb)} MB = ${fmt(peakMb / decodedMb, 1)}× the decoded input (issue 4: under 3×)` +
          (restMb !== null ? `; the page before the files ${fmt(restMb)} MB, so the run added ${fmt(peakMb - restMb)} MB = ${fmt((peakMb - restMb) / decodedMb, 1)}×` : '') +
          (filesMb ? `; ${fmt(filesMb)} MB of the peak are Chromium's own files mapped in (RssFile)` : ''),
      );
    }
    const backends = [...new Set(r.page.fits.map((f) => f.backend))].join(', ');
    console.log(`fits ran on: ${backends || '—'} (choice ${r.page.backend_choice}); fit times overlap when the fits run in parallel workers`);
  }
  if (r.vs_cpu) {
    const v = r.vs_cpu;
    if (!v.ok || !v.comparison) console.log('float64 run (--backend cpu) failed; see the [page-cpu] lines above');
    else {
      const d = v.comparison.largest_metric_difference;
      const rel = v.comparison.largest_relative_difference;
      console.log(
        `against the float64 path (page, --backend cpu, ${fmt(v.total_ms, 1)} ms): verdict ${v.comparison.same_verdict ? 'same' : `DIFFERENT (${v.comparison.verdict_differences.join('; ')})`}; ` +
          (d ? `largest metric difference ${d.absolute.toExponential(2)} (${d.path})` : 'no metrics') +
          (rel ? `; largest relative ${rel.relative.toExponential(2)} (${rel.path})` : ''),
      );
    }
  }
  if (r.oracle) {
    const o = r.oracle;
    if (o.note) console.log(`oracle: ${o.note}`);
    if (!o.ok) console.log(`oracle failed (exit ${o.exit_code})`);
    else {
      console.log(
        `oracle (seed, Python): compute_s_excluding_parquet_io ${fmt(o.summary?.compute_s_excluding_parquet_io, 2)} s, ` +
          `read_parquet ${fmt(o.summary?.read_parquet_s, 2)} s, total ${fmt(o.summary?.total_s, 2)} s; ` +
          `page end-to-end / seed compute = ${fmt(o.page_total_over_oracle_compute, 2)}`,
      );
      for (const c of o.stage_comparison) {
        console.log(
          `  ${c.stage.padEnd(22)} page ${fmt(c.page_s, 2).padStart(8)} s   seed ${fmt(c.seed_s, 2).padStart(8)} s   page/seed ${fmt(c.page_over_seed, 2).padStart(6)}   (${c.seed_keys.join(' + ')})`,
        );
      }
      if (o.parity) {
        const d = o.parity.largest_metric_difference;
        console.log(
          `parity with the seed: verdict ${o.parity.same_verdict ? 'same' : `DIFFERENT (${o.parity.verdict_differences.join('; ')})`}; ` +
            (d ? `largest metric difference ${d.absolute.toExponential(2)} (${d.path}: page ${d.device}, seed ${d.float64})` : 'no metrics') +
            (o.parity.largest_relative_difference
              ? `; largest relative ${o.parity.largest_relative_difference.relative.toExponential(2)} (${o.parity.largest_relative_difference.path})`
              : '') +
            (o.parity.mismatches.length ? `; ${o.parity.mismatches.length} non-numeric differences` : ''),
        );
      }
    }
  }
}

async function main(): Promise<number> {
  let options: Options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    log(`input error: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  mkdirSync(BENCH_DIR, { recursive: true });
  const reports: SizeReport[] = [];
  for (const size of options.sizes) {
    try {
      const report = await benchSize(size, options);
      reports.push(report);
      printSize(report);
    } catch (error) {
      log(`${size}: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
  }
  let ops: unknown = null;
  if (options.ops) {
    const { benchOps } = await import('./bench/opsBench.ts');
    const timings = await benchOps(200_000, 43);
    ops = timings;
    console.log('\n## MatrixOps in Node (200,000 × 43, one gemv + gemvT)');
    for (const t of timings) console.log(`${t.backend.padEnd(22)} upload ${fmt(t.uploadMs, 1)} ms, step ${fmt(t.stepMs, 1)} ms, max |Δgrad|/max|grad| ${t.maxRelativeGradientDiff.toExponential(2)}`);
  }
  const out = {
    generated_at: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu_model: cpus()[0]?.model ?? null, memory_gb: Math.round(totalmem() / 1e9), node: process.version },
    backend_choice: options.backend,
    sizes: reports,
    ops,
  };
  mkdirSync(dirname(options.json), { recursive: true });
  writeFileSync(options.json, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`\nwritten: ${options.json}`);
  return reports.every((r) => r.page?.ok && (!r.oracle || r.oracle.ok)) ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      log(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exit(1);
    },
  );
}
