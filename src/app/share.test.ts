import { describe, expect, it } from 'vitest';
import type { StoredRun } from '../store/runTypes.ts';
import { runFromFragment, shareFragment } from './share.ts';

const run: StoredRun = {
  id: 'state_continue_reference',
  kind: 'state_continue',
  status: 'ok',
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:00:05.000Z',
  parameters: { run_id: 'state_continue_reference', ridge_alpha: 10 },
  inputs: [{ path: 'feature/feature_order.json', name: 'feature_order.json', size: 136, sha256: 'db8e' }],
  stageTimingsMs: { load: 12.5 },
  totalMs: 5000,
  fits: [{ key: 'long_market_only:classifier', model: 'logistic', backend: 'cpu', ms: 3, iterations: 11, converged: true }],
  verdict: { status: 'NOT_READY_FOR_FORMAL_CHAIN', reasons: ['long latest_stress continue_auc below 0.60: 0.55'], passed_checks: [] },
  metrics: { long_market_only: { tune: { continue_auc: 0.61, row_count: 187 } } },
  log: ['not shared'],
  error: null,
  problems: [],
  artifacts: [{ name: 'x.parquet', mime: 'm', size: 10 }],
};

describe('share link', () => {
  it('carries the report and nothing else (no log, no artifacts), URL-safe', () => {
    const fragment = shareFragment(run);
    expect(fragment).toMatch(/^#share=[A-Za-z0-9_-]+$/);
    expect(runFromFragment(fragment)).toEqual({ ...run, log: [], artifacts: [] });
  });

  it('ignores other fragments and explains a damaged one', () => {
    expect(runFromFragment('#runs')).toBeNull();
    expect(() => runFromFragment('#share=abc')).toThrow(/The shared link is damaged/);
  });
});
