/**
 * A side's metrics start as soon as its two fits are done (`runFits`' onResult), while the other fits still run,
 * and the run comes out the same as when every fit is returned at once.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { defaultParams } from './inputs.ts';
import { loadBaselineDir } from './loadBaselineDir.ts';
import { runStateContinue } from './pipeline.ts';
import { executeFit, type FitResult, type FitTask } from './training.ts';

const finished: string[] = [];
vi.mock('./training.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('./training.ts')>();
  return {
    ...original,
    finishSideModel: (...args: Parameters<typeof original.finishSideModel>) => {
      finished.push(args[0].resultKey);
      return original.finishSideModel(...args);
    },
  };
});

const DEFAULT_CASE = join(import.meta.dirname, '../../../test/fixtures/state-continue/default/baseline');

describe.runIf(existsSync(join(DEFAULT_CASE, 'feature/feature_frame.parquet')))('metrics beside the fits', () => {
  it('a side whose fits are done is scored before the last fit comes back; the outcome is unchanged', async () => {
    const inputs = loadBaselineDir(DEFAULT_CASE, 'baseline');
    const fitAll = (tasks: FitTask[]) => tasks.map((task) => executeFit(task));
    const atOnce = await runStateContinue(inputs, defaultParams(), { runFits: async (tasks) => fitAll(tasks) });

    const sides = [...new Set(atOnce.fits.map((f) => f.resultKey))];
    finished.length = 0;
    let scoredBeforeLastFit: string[] = [];
    const early = await runStateContinue(inputs, defaultParams(), {
      runFits: async (tasks, onResult) => {
        const fits: FitResult[] = fitAll(tasks);
        // every fit but the last one done: the three sides they complete are scored while the last fit "runs"
        fits.slice(0, -1).forEach((fit) => onResult?.(fit));
        await vi.waitFor(() => expect(finished.length).toBeGreaterThanOrEqual(sides.length - 1));
        await new Promise((resolve) => setTimeout(resolve, 20));
        scoredBeforeLastFit = [...finished];
        onResult?.(fits[fits.length - 1]);
        return fits;
      },
    });
    const lastSide = atOnce.fits[atOnce.fits.length - 1].resultKey;
    expect(scoredBeforeLastFit.sort()).toEqual(sides.filter((s) => s !== lastSide).sort());
    expect(finished.sort()).toEqual([...sides].sort());
    expect(early.results).toEqual(atOnce.results);
    expect(early.verdict).toEqual(atOnce.verdict);
    expect(early.log).toEqual(atOnce.log);
    expect(early.artifacts.map((a) => [a.name, a.bytes])).toEqual(atOnce.artifacts.map((a) => [a.name, a.bytes]));
  });
});
