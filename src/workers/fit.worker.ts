/// <reference lib="webworker" />
/** A fit worker: a thin shell around one model fit at a time (the page runs two of them). */
import { serve } from './dispatcher.ts';
import { fitHandlers, warmUpFits } from './fitService.ts';
import { selectBackend } from '../ml/backends/selectBackend.ts';
import type { Endpoint, FitApi } from './protocol.ts';

// a failed warm-up costs nothing but the warm-up
const warm = warmUpFits().catch(() => {});
serve<FitApi>(self as unknown as Endpoint, fitHandlers(selectBackend, undefined, warm));
