/** What a fit worker does, independent of its transport: one fit, timed, with its backend and progress. */
import type { Handlers } from './dispatcher.ts';
import type { FitApi, FitJob, FitJobResult, Progress } from './protocol.ts';
import type { FitRecord } from '../store/runTypes.ts';
import { buffersIn } from './fitPool.ts';
import { withTransfer } from './protocol.ts';

export interface FitCore {
  /** Run one fit; `progress` reports iterations. Returns training.ts's result and how the fit went. */
  executeFit(job: FitJob, hooks: { signal: AbortSignal; progress(p: Progress): void }): Promise<{ result: unknown; record: Omit<FitRecord, 'ms'> }>;
}

export function fitHandlers(core: FitCore, now: () => number = () => performance.now()): Handlers<FitApi> {
  return {
    async fit(request, context) {
      const t0 = now();
      const { result, record } = await core.executeFit({ task: request.task, backend: request.backend }, { signal: context.signal, progress: context.progress });
      const ms = Math.round((now() - t0) * 1000) / 1000;
      context.progress({ kind: 'fit', key: record.key, model: record.model, state: 'done', backend: record.backend, ms, iteration: record.iterations });
      const answer: FitJobResult = { result, record: { ...record, ms } };
      // The fit's arrays are not needed here any more: move them to the page.
      return withTransfer(answer, [...buffersIn(result)]);
    },
  };
}
