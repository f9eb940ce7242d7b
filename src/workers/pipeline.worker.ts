/// <reference lib="webworker" />
/** The pipeline worker: a thin shell that serves the pipeline handlers over its own message port. */
import { serve } from './dispatcher.ts';
import { pipelineHandlers } from './pipelineService.ts';
import { baselinePipelineCore } from './pipelineCore.ts';
import type { Endpoint, PipelineApi } from './protocol.ts';

serve<PipelineApi>(self as unknown as Endpoint, pipelineHandlers(baselinePipelineCore()));
