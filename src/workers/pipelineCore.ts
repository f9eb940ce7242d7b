/**
 * The pipeline worker's core: the data helpers' intake and the experiment's pipeline. While a module is not in
 * the tree yet, the glob below is empty and the worker reports that plainly instead of failing the build.
 */
import { ensureParquetWasm } from '../data/parquetInit.ts';
import { fingerprint, type PipelineCore } from './pipelineService.ts';

const intakeModules = import.meta.glob('../data/intake.ts');
const pipelineModules = import.meta.glob('../experiments/stateContinue/pipeline.ts');

export function browserPipelineCore(): PipelineCore {
  return {
    ensureWasm: ensureParquetWasm,
    async checkBaseline(files) {
      const loader = intakeModules['../data/intake.ts'];
      const fingerprints = await Promise.all(files.map(fingerprint));
      if (!loader) {
        return {
          baselineRunId: '',
          files: fingerprints.map((f) => ({ ...f, role: null })),
          problems: [{ file: '', message: 'This build has no baseline intake yet (src/data/intake.ts).' }],
        };
      }
      throw new Error('intake adapter not wired');
    },
    async loadBaseline() {
      throw new Error('This build has no baseline loader yet (src/data/intake.ts).');
    },
    async runExperiment() {
      if (!pipelineModules['../experiments/stateContinue/pipeline.ts']) throw new Error('This build has no state-continue pipeline yet.');
      throw new Error('pipeline adapter not wired');
    },
  };
}
