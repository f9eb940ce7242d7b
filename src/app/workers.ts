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

export function createPipelineClient(onCrash: (error: Error) => void): WorkerClient<PipelineApi> {
  return new WorkerClient<PipelineApi>(spawnPipeline, {
    name: 'pipeline',
    onCrash,
    // Kept between the drop-time check and Run (its parquet decoder is ready), ended when left idle.
    idleTimeoutMs: PIPELINE_IDLE_MS,
    host: {
      runFits: (request, context) => runFitJobs(spawnFit, request.jobs, context, { size: FIT_POOL_SIZE, onCrash }),
    },
  });
}
