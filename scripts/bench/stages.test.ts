import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stageRows } from './stages.ts';
import type { MemorySample } from './procMemory.ts';

const MB = 1024 * 1024;
let dir = '';

afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

/** A page run's outputs, as much of them as stageRows reads. */
function pageOut(timings: Record<string, unknown>): string {
  dir = mkdtempSync(join(tmpdir(), 'stages-test-'));
  writeFileSync(join(dir, 'timings.json'), JSON.stringify({ total_ms: 30, fits: [], runner_ms: {}, ...timings }));
  writeFileSync(join(dir, 'run_record.json'), JSON.stringify({ started_at: new Date(1000).toISOString() }));
  writeFileSync(join(dir, 'experiment_manifest.json'), JSON.stringify({ row_count: 10 }));
  writeFileSync(join(dir, 'state_continue_result.json'), JSON.stringify({}));
  return dir;
}

/** One sample a millisecond from t=1000 to t=1040, the renderer at `mb(t)` MB. */
function samples(mb: (t: number) => number): MemorySample[] {
  return Array.from({ length: 41 }, (_, i) => ({ t: 1000 + i, renderer: mb(1000 + i) * MB, chromium: 0, rendererFiles: 0 }));
}

const input = { feature_frame: 1, entry_labels: 1, replay: 1 };

describe('bench stage rows: a stage\'s memory over the time it ran', () => {
  it('takes the peak over the span the page recorded, overlapping stages included', () => {
    // the load ran during the check (as the page does it ahead of Run), the frozen scores after the load
    const out = pageOut({
      stages_ms: { intake: 10, load: 15, frozen_scores: 5 },
      stage_spans_epoch_ms: { intake: [1000, 1010], load: [1005, 1020], frozen_scores: [1030, 1035] },
    });
    const peakAt = new Map([
      [1008, 300],
      [1018, 500],
      [1032, 200],
      [1022, 900], // between the stages: nobody's
    ]);
    const { stages } = stageRows(out, input, samples((t) => peakAt.get(t) ?? 100));
    const peak = Object.fromEntries(stages.map((s) => [s.stage, s.peak_renderer_mb]));
    expect(peak).toEqual({ intake: 300, load: 500, frozen_scores: 200 });
  });

  it('lays the stages end to end from the run start when the record has no spans', () => {
    const out = pageOut({ stages_ms: { intake: 10, load: 15, frozen_scores: 5 } });
    const peakAt = new Map([
      [1008, 300],
      [1018, 500],
      [1032, 200],
    ]);
    const { stages } = stageRows(out, input, samples((t) => peakAt.get(t) ?? 100));
    // intake [1000,1010], load [1010,1025], frozen [1025,1030]
    expect(Object.fromEntries(stages.map((s) => [s.stage, s.peak_renderer_mb]))).toEqual({ intake: 300, load: 500, frozen_scores: 100 });
  });
});
