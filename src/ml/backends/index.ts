/** Compute backends for the linear models (issue 4): see selectBackend.ts for the choice, tfjsMatrixOps.ts for the ops. */
export { selectBackend, probeWebgpu, BACKEND_CHOICES, AUTO_WEBGPU_MIN_CELLS } from './selectBackend';
export type { BackendChoice, BackendSelection, WebgpuProbe } from './selectBackend';
export { tfjsMatrixOps, GEMVT_BLOCK_ROWS } from './tfjsMatrixOps';
export type { TfjsBackendName } from './tfjsMatrixOps';
export { activateTfjs, tfjsTensorCount } from './tfjsRuntime';
export { compareToFloat64, largestColumnDifference, DEFAULT_IGNORED_KEYS } from './compareToFloat64';
export type { Float64Comparison, MetricDifference, CompareOptions } from './compareToFloat64';
