/** The page's workers: one pipeline worker (intake, load, stages) and, per run, a pool of two fit workers. */
import { WorkerClient, type WorkerLike } from '../workers/client.ts';
import { runFitJobs } from '../workers/fitPool.ts';
import type { PipelineApi } from '../workers/protocol.ts';

export const FIT_POOL_SIZE = 2;
export const PIPELINE_IDLE_MS = 120_000;

function spawnPipeline(): WorkerLike {
  return new Worker(new URL('../workers/pipeline.worker.ts', import.meta.url), { type: 'module', name: 'pipeline' }) as unknown as WorkerLike;
}

function spawnFit(): WorkerLike {
  return new Worker(new URL('../workers/fit.worker.ts', import.meta.url), { type: 'module', name: 'fit' }) as unknown as WorkerLike;
}

/**
 * Fit workers started before their fits: with the page and again after each run (the pool ends its workers), so
 * that their modules are loaded and their warm-up fit done (fit.worker.ts) before a run needs them.
 */
const spareFitWorkers: WorkerLike[] = [];

/** Start the fit pool's workers now; the next `runFits` takes them instead of spawning. */
export function prewarmFitWorkers(): void {
  while (spareFitWorkers.length < FIT_POOL_SIZE) {
    const worker = spawnFit();
    // one that fails to start while waiting is dropped (its error would otherwise reach no one)
    worker.addEventListener('error', () => {
      const at = spareFitWorkers.indexOf(worker);
      if (at >= 0) spareFitWorkers.splice(at, 1);
      worker.terminate();
    });
    spareFitWorkers.push(worker);
  }
}

function takeFitWorker(): WorkerLike {
  return spareFitWorkers.shift() ?? spawnFit();
}

export function createPipelineClient(onCrash: (error: Error) => void): WorkerClient<PipelineApi> {
  const client: WorkerClient<PipelineApi> = new WorkerClient<PipelineApi>(spawnPipeline, {
    name: 'pipeline',
    onCrash,
    // Kept between the drop-time check and Run (its parquet decoder is ready), ended when left idle.
    idleTimeoutMs: PIPELINE_IDLE_MS,
    host: {
      runFits: (request, context) =>
        runFitJobs(takeFitWorker, request.jobs, context, {
          size: FIT_POOL_SIZE,
          onCrash,
          // the run's fit matrices, made by the pipeline worker when a fit worker is free for one
          materialize: (name) => client.call('fitMatrix', { name }),
        }),
    },
  });
  return client;
}
