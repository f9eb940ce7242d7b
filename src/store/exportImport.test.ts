import { readFileSync, readdirSync } from 'node:fs';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.ts';
import { packExport, planImport, unpackExport, type ExistingState, type WorkbenchExport } from './exportImport.ts';
import type { StoredRun } from './runTypes.ts';

// The seed's nine artifacts of the default fixture: real parquet, JSON and Markdown bytes.
const expectedDir = new URL('../../test/fixtures/state-continue/default/expected/', import.meta.url);
const artifacts = readdirSync(expectedDir)
  .sort()
  .map((name) => ({ name, mime: name.endsWith('.parquet') ? 'application/vnd.apache.parquet' : 'application/json', bytes: new Uint8Array(readFileSync(new URL(name, expectedDir))) }));

function run(id: string, extra: Partial<StoredRun> = {}): StoredRun {
  return {
    id,
    kind: 'state_continue',
    status: 'ok',
    startedAt: '2026-11-22T01:00:00.000Z',
    finishedAt: '2026-11-22T01:00:05.000Z',
    parameters: { run_id: id, ages_minutes: '5,15,30,60' },
    inputs: [{ path: 'feature/feature_frame.parquet', name: 'feature_frame.parquet', size: 10, sha256: 'aa' }],
    stageTimingsMs: { intake: 1.5, load: 2 },
    totalMs: 5000,
    fits: [],
    verdict: JSON.parse(readFileSync(new URL('state_continue_verdict.json', expectedDir), 'utf8')),
    metrics: JSON.parse(readFileSync(new URL('state_continue_result.json', expectedDir), 'utf8')),
    log: ['a', 'b'],
    error: null,
    problems: [],
    artifacts: artifacts.map((a) => ({ name: a.name, mime: a.mime, size: a.bytes.byteLength })),
    ...extra,
  };
}

const everything = (): WorkbenchExport => ({
  scope: 'all',
  exportedAt: '2026-11-22T02:00:00.000Z',
  runs: [{ run: run('r1'), artifacts }],
  trades: [{ trade_id: 't1', seq: 0, record_json: '{"trade_id": "t1", "realized_pnl_pct": 0.5}', source: 'l.jsonl', imported_at: 'x' }],
  registryModels: [{ id: '20261122_010000', model: { coef: new Float64Array([0.25, -1.5e-300, Math.PI]), features: ['a', 'b', 'c'] } }],
  registryHistory: [{ at: 'x', action: 'register' }],
  kv: [
    ['settings', { backend: 'wasm' }],
    ['riskRegistry', { models: ['20261122_010000'], active: null, previous: null }],
  ],
});

describe('export file', () => {
  it('round-trips runs with their artifact bytes, trades, registry (typed arrays bit for bit) and settings', () => {
    const data = everything();
    const back = unpackExport(packExport(data), 'export.zip');
    expect(back.runs).toHaveLength(1);
    expect(back.runs[0].run).toEqual(data.runs[0].run);
    back.runs[0].artifacts.forEach((a, i) => {
      expect(a.name).toBe(artifacts[i].name);
      expect(Buffer.compare(Buffer.from(a.bytes), Buffer.from(artifacts[i].bytes))).toBe(0);
    });
    expect(back.trades).toEqual(data.trades);
    const coef = (back.registryModels[0].model as { coef: Float64Array }).coef;
    expect(coef).toBeInstanceOf(Float64Array);
    expect(Array.from(coef)).toEqual([0.25, -1.5e-300, Math.PI]);
    expect(back.kv).toEqual(data.kv);
    expect(back.registryHistory).toEqual(data.registryHistory);
  });

  it('refuses what is not an export, naming the file and the fault', () => {
    const bad = (bytes: Uint8Array) => {
      try {
        unpackExport(bytes, 'mine.zip');
      } catch (error) {
        expect(error).toBeInstanceOf(InputError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(bad(strToU8('hello'))).toMatch(/^mine\.zip: .*not a zip/);
    expect(bad(zipSync({ 'other.json': strToU8('{}') }))).toMatch(/workbench-export\.json inside the zip, found other\.json/);
    expect(bad(zipSync({ 'workbench-export.json': strToU8('{"format":"x"}') }))).toMatch(/format ml-workbench-export/);
    expect(bad(zipSync({ 'workbench-export.json': strToU8('{"format":"ml-workbench-export","version":7}') }))).toMatch(/version 1, found 7/);
    // An artifact listed but cut out of the zip.
    const packed = packExport(everything());
    const entries = unzipSync(packed);
    delete entries['runs/0/state_continue_predictions.parquet'];
    expect(bad(zipSync(entries))).toMatch(/run r1: artifact state_continue_predictions\.parquet is listed but missing/);
  });
});

describe('import plan', () => {
  const empty = (): ExistingState => ({ runs: new Map(), trades: new Map(), registryModelCount: 0, kvKeys: new Set() });

  it('takes everything into an empty browser', () => {
    const plan = planImport(empty(), everything());
    expect(plan.runs.map((r) => r.id)).toEqual(['r1']);
    expect(plan.trades).toHaveLength(1);
    expect(plan.takeRegistry).toBe(true);
    expect(plan.kv.map(([k]) => k)).toEqual(['settings', 'riskRegistry']);
  });

  it('skips the same run, renames a different one, never overwrites trades, settings or a registry', () => {
    const here = empty();
    here.runs.set('r1', run('r1'));
    here.trades.set('t1', { record_json: '{"trade_id": "t1", "realized_pnl_pct": -2}' });
    here.registryModelCount = 1;
    here.kvKeys.add('settings');
    const data = everything();
    data.runs.push({ run: run('r1', { totalMs: 1 }), artifacts: [] }, { run: run('r1-2', {}), artifacts: [] });
    const plan = planImport(here, data);
    expect(plan.skippedRuns).toEqual(['r1']);
    // The changed r1 gets the next free id; 'r1-2' from the file then finds its own id taken by it.
    expect(plan.runs.map((r) => [r.from, r.id])).toEqual([
      ['r1', 'r1-2'],
      ['r1-2', 'r1-2-2'],
    ]);
    expect(plan.trades).toHaveLength(0);
    expect(plan.tradeConflicts).toEqual(['t1']);
    expect(plan.takeRegistry).toBe(false);
    expect(plan.kv).toEqual([]);
    expect(plan.messages.join(' ')).toMatch(/not overwritten: t1/);
    expect(plan.messages.join(' ')).toMatch(/registry .* was not imported/);
  });
});
