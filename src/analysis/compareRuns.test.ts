import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { StoredRun } from '../store/runTypes.ts';
import { compareRuns } from './compareRuns.ts';

// Two real result files of the seed: the default fixture (huber) and the ridge_clip fixture (ridge, clipped).
const fixture = (name: string, file: string) => JSON.parse(readFileSync(new URL(`../../test/fixtures/state-continue/${name}/expected/${file}`, import.meta.url), 'utf8'));

function run(name: string, params: Record<string, unknown>, sha = 'aa'): StoredRun {
  return {
    id: name,
    kind: 'state_continue',
    status: 'ok',
    startedAt: '',
    finishedAt: '',
    parameters: { run_id: name, ...params },
    inputs: [
      { path: 'feature/feature_frame.parquet', name: 'feature_frame.parquet', size: 1, sha256: sha },
      { path: 'label/entry_labels.parquet', name: 'entry_labels.parquet', size: 1, sha256: 'bb' },
    ],
    stageTimingsMs: { load: 100, train: 1000 },
    totalMs: 1500,
    fits: [],
    verdict: fixture(name, 'state_continue_verdict.json'),
    metrics: fixture(name, 'state_continue_result.json'),
    log: [],
    error: null,
    problems: [],
    artifacts: [],
  };
}

describe('compareRuns', () => {
  const a = run('default', { regressor_kind: 'huber', ridge_alpha: 10 });
  const b = run('ridge_clip', { regressor_kind: 'ridge', ridge_alpha: 10 }, 'cc');
  b.stageTimingsMs = { load: 90, train: 400, extra: 5 };
  b.totalMs = 900;
  const c = compareRuns(a, b);

  it('marks differing parameters and inputs', () => {
    expect(c.parameters.find((p) => p.name === 'regressor_kind')).toMatchObject({ a: 'huber', b: 'ridge', differs: true });
    expect(c.parameters.find((p) => p.name === 'ridge_alpha')?.differs).toBe(false);
    expect(c.parameters.some((p) => p.name === 'run_id')).toBe(false);
    expect(c.inputsDiffer).toBe(true);
    expect(c.inputs.filter((r) => r.differs).map((r) => r.path)).toEqual(['feature/feature_frame.parquet']);
    expect(compareRuns(a, run('default', {})).inputsDiffer).toBe(false);
  });

  it('gives b − a for every metric of every model and split, with its direction in words', () => {
    const ma = a.metrics as any;
    const mb = b.metrics as any;
    const row = c.metrics.find((r) => r.model === 'long_market_plus_state' && r.split === 'tune' && r.metric === 'edge_mae_vs_constant_ratio')!;
    expect(row.a).toBe(ma.long_market_plus_state.tune.edge_mae_vs_constant_ratio);
    expect(row.b).toBe(mb.long_market_plus_state.tune.edge_mae_vs_constant_ratio);
    expect(row.delta).toBe(row.b! - row.a!);
    expect(row.change).toBe(row.delta! < 0 ? 'better' : row.delta! > 0 ? 'worse' : 'same');
    const auc = c.metrics.find((r) => r.metric === 'continue_auc' && r.delta !== null && r.delta !== 0)!;
    expect(auc.change).toBe(auc.delta! > 0 ? 'better' : 'worse');
    expect(c.metrics.filter((r) => r.metric === 'row_count').every((r) => r.change === null)).toBe(true);
  });

  it('lines up stage timings and the total, and the verdicts', () => {
    expect(c.timings.map((t) => t.stage)).toEqual(['load', 'train', 'extra', 'total']);
    expect(c.timings.find((t) => t.stage === 'train')?.delta).toBe(-600);
    expect(c.timings.find((t) => t.stage === 'extra')).toMatchObject({ a: null, b: 5, delta: null });
    expect(c.verdict.a).toBe((a.verdict as any).status);
    expect(c.verdict.reasonsB).toEqual((b.verdict as any).reasons);
  });
});
