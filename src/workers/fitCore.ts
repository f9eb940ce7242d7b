/** The fit worker's core: training.ts's executeFit (guarded until it is in the tree). */
import type { FitCore } from './fitService.ts';

const trainingModules = import.meta.glob('../experiments/stateContinue/training.ts');

export function browserFitCore(): FitCore {
  return {
    async executeFit() {
      if (!trainingModules['../experiments/stateContinue/training.ts']) throw new Error('This build has no model training yet (src/experiments/stateContinue/training.ts).');
      throw new Error('training adapter not wired');
    },
  };
}
