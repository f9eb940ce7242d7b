/// <reference lib="webworker" />
/** A fit worker: a thin shell around one model fit at a time (the page runs two of them). */
import { serve } from './dispatcher.ts';
import { fitHandlers } from './fitService.ts';
import { selectBackend } from '../ml/backends/selectBackend.ts';
import type { Endpoint, FitApi } from './protocol.ts';

serve<FitApi>(self as unknown as Endpoint, fitHandlers(selectBackend));
