/**
 * Runs a frozen baseline model with onnxruntime-web (wasm execution provider only: importing other entries would
 * ship their wasm too, BROWSER.md). Used to cross-check the frozen scores that the pipeline computes from the
 * initializers (x·W + B and the head's activation), never as the source of them.
 *
 * Works in the browser (the wasm is bundled by Vite) and in Node/vitest (the same `onnxruntime-web/wasm` entry
 * finds its wasm next to it in node_modules). Single-threaded: no cross-origin isolation is assumed.
 */
import * as ort from 'onnxruntime-web/wasm';
import { InputError } from '../core/errors.ts';
import { readOnnx, nonTensorOutputs } from './onnx.ts';

let configured = false;

function configure(): void {
  if (configured) return;
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  configured = true;
}

/**
 * Feeds `x` (row-major float32, rows × cols) to the model's single input and returns the named outputs as
 * Float32Arrays (row-major). An output that is not a float tensor (a ZipMap's sequence of maps) is an InputError.
 */
export async function runOnnxHeads(
  bytes: Uint8Array,
  x: Float32Array,
  rows: number,
  cols: number,
  outputNames: string[],
  file = 'model.onnx',
): Promise<Record<string, Float32Array>> {
  const model = readOnnx(bytes, file);
  const declared = new Map(model.outputs.map((o) => [o.name, o]));
  const problems = [];
  for (const name of outputNames) {
    const output = declared.get(name);
    if (!output) problems.push(`output ${name} does not exist (found outputs: ${model.outputs.map((o) => o.name).join(', ') || 'none'})`);
    else if (!output.isTensor) problems.push(`output ${name} is ${output.type}, not a tensor (expected tensor(float))`);
  }
  if (problems.length > 0) {
    throw new InputError(problems.map((p) => `${file}: ${p}`).join('\n'), problems.map((message) => ({ file, message })));
  }
  if (model.inputs.length !== 1) {
    const reason = `expected one input (the feature matrix); found ${model.inputs.length}: ${model.inputs.map((i) => i.name).join(', ')}`;
    throw new InputError(`${file}: ${reason}`, [{ file, message: reason }]);
  }
  if (x.length !== rows * cols) throw new Error(`runOnnxHeads: x has ${x.length} values, expected ${rows} × ${cols}`);
  configure();
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  } catch (error) {
    const reason = `onnxruntime cannot load the model: ${(error as Error).message}`;
    throw new InputError(`${file}: ${reason}`, [{ file, message: reason }]);
  }
  try {
    const feeds = { [model.inputs[0].name]: new ort.Tensor('float32', x, [rows, cols]) };
    const results = await session.run(feeds, outputNames);
    const out: Record<string, Float32Array> = {};
    for (const name of outputNames) {
      const value = results[name] as ort.Tensor | undefined;
      if (!value || !(value.data instanceof Float32Array)) {
        const reason = `output ${name} is ${value ? `a ${value.type} tensor` : 'missing from the result'}; expected a float tensor`;
        throw new InputError(`${file}: ${reason}`, [{ file, message: reason }]);
      }
      out[name] = new Float32Array(value.data);
    }
    return out;
  } finally {
    await session.release();
  }
}

export { nonTensorOutputs };
