// The product's port of numpy's introsort argsort; the acceptance tools check it against numpy (checkNumpyArgsort.ts).
export { numpyArgsortQuick } from '../../../src/experiments/stateContinue/numpyArgsort.ts';
