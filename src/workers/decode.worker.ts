/// <reference lib="webworker" />
/** A decode worker: decodes one parquet input for the pipeline worker (see decodeService.ts). */
import { serve } from './dispatcher.ts';
import { decodeHandlers } from './decodeService.ts';
import type { DecodeApi, Endpoint } from './protocol.ts';

serve<DecodeApi>(self as unknown as Endpoint, decodeHandlers());
