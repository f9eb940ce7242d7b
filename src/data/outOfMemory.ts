/**
 * A run too large for the memory the browser gives the page fails with an allocation error somewhere in a stage
 * (a typed array, an ArrayBuffer, wasm memory that cannot grow past 4 GB). Such errors are catchable; this turns
 * them into an InputError that says what happened and what to do, instead of a bare "RangeError" (or a stalled
 * tab when nobody catches it).
 */
import { InputError } from '../core/errors.ts';

const ALLOCATION_FAILURE = /allocation failed|Invalid typed array length|Invalid array buffer length|Invalid array length|Out of memory|Cannot allocate|Maximum memory size exceeded|WebAssembly\.Memory/i;

/** True for the errors an allocation that does not fit throws (JS engine or wasm). */
export function isOutOfMemory(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof InputError) return false;
  return (error instanceof RangeError || error.name === 'RangeError' || /memory/i.test(error.message)) && ALLOCATION_FAILURE.test(error.message);
}

/**
 * The InputError for an out-of-memory failure during `stage` (null when `error` is something else).
 * `sizes` describes the inputs (e.g. "feature frame 864,000 rows × 39 columns"), so the user sees what was too big.
 */
export function outOfMemoryError(error: unknown, stage: string, sizes = ''): InputError | null {
  if (!isOutOfMemory(error)) return null;
  const reason = (error as Error).message;
  const message =
    `the run does not fit in the memory this page can use: ${stage} could not allocate (${reason})` +
    `${sizes ? `; inputs: ${sizes}` : ''}. Close other tabs and run again, or run it on fewer rows ` +
    `(fewer symbols or days in the baseline run, or max_rows_per_split).`;
  return new InputError(message, [{ file: '', field: stage, message }]);
}
