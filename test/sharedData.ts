/** `../shared/data` beside the repository (real files no one here wrote; SPEC's test data), wherever it is cloned. */
import { join, resolve } from 'node:path';

export const SHARED_DATA = resolve(import.meta.dirname, '../../shared/data');
export const PARQUET_TESTING = join(SHARED_DATA, 'parquet-testing');
