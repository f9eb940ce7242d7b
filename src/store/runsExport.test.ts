import { describe, expect, it } from 'vitest';
import { zipSync, strToU8 } from 'fflate';
import { InputError } from '../core/errors.ts';
import { exportRuns, importRuns } from './runsExport.ts';
import type { StoredRun } from './runTypes.ts';

const run = (id: string, artifacts: { name: string; mime: string; size: number }[]): StoredRun => ({
  id,
  kind: 'state_continue',
  status: 'ok',
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:00:01.000Z',
  parameters: { run_id: id },
  inputs: [],
  stageTimingsMs: { load: 1 },
  totalMs: 1000,
  fits: [],
  verdict: { status: 'NOT_READY_FOR_FORMAL_CHAIN', reasons: ['r'], passed_checks: [] },
  metrics: null,
  log: [],
  error: null,
  problems: [],
  artifacts,
});

describe('runs export', () => {
  it('round-trips runs and their artifact bytes', () => {
    const parquet = Uint8Array.from([80, 65, 82, 49, 0, 1, 2, 80, 65, 82, 49]);
    const json = strToU8('{"a": 1}');
    const runs = [
      { run: run('a', [{ name: 'x.parquet', mime: 'application/vnd.apache.parquet', size: parquet.length }, { name: 'y.json', mime: 'application/json', size: json.length }]), artifacts: [{ name: 'x.parquet', mime: 'application/vnd.apache.parquet', bytes: parquet }, { name: 'y.json', mime: 'application/json', bytes: json }] },
      { run: { ...run('b', []), status: 'cancelled' as const }, artifacts: [] },
    ];
    const back = importRuns(exportRuns(runs), 'workbench_runs.zip');
    expect(back.map((r) => r.run)).toEqual(runs.map((r) => r.run));
    expect(Array.from(back[0].artifacts[0].bytes)).toEqual(Array.from(parquet));
    expect(back[0].artifacts.map((a) => a.name)).toEqual(['x.parquet', 'y.json']);
  });

  it('refuses a file that is not an export, naming it', () => {
    expect(() => importRuns(strToU8('hello'), 'notes.txt')).toThrow(InputError);
    expect(() => importRuns(strToU8('hello'), 'notes.txt')).toThrow(/^notes\.txt: expected a runs export/);
    const otherZip = zipSync({ 'a.txt': strToU8('x') });
    expect(() => importRuns(otherZip, 'other.zip')).toThrow(/expected workbench_runs\.json inside the archive/);
  });

  it('refuses an export whose listed artifact is missing', () => {
    const broken = zipSync({ 'workbench_runs.json': strToU8(JSON.stringify({ format: 'ml-workbench/runs@1', runs: [run('a', [{ name: 'x.parquet', mime: 'm', size: 1 }])] })) });
    expect(() => importRuns(broken, 'broken.zip')).toThrow('run a: artifact x.parquet is listed but not in the archive');
  });
});
