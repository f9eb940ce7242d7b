import * as tf from '@tensorflow/tfjs-core';
import { activateTfjs } from '../../../src/ml/backends/tfjsRuntime';
export async function debugWebgpu(rows: number, cols: number, mode: string) {
  const out: Record<string, unknown> = {};
  out.act = await activateTfjs('webgpu');
  out.backend = tf.getBackend();
  const x = new Float32Array(rows * cols).map((_, i) => (i % 7) - 3);
  const w = new Float32Array(cols).map((_, j) => j + 1);
  const want: number[] = [];
  for (let i = 0; i < 8; i++) { let s = 0; for (let j = 0; j < cols; j++) s += x[i * cols + j] * w[j]; want.push(s); }
  out.want = want;
  const X = tf.tensor2d(x, [rows, cols]);
  const W = tf.tensor2d(w, [cols, 1]);
  try {
    const z = tf.matMul(X, W);
    if (mode === 'async') out.async = Array.from((await z.data()) as Float32Array).slice(0, 8);
    else out.sync = Array.from(z.dataSync() as Float32Array).slice(0, 8);
  } catch (e) { out.err1 = String(e); }
  try {
    const z = tf.matMul(X, W);
    out.async2 = Array.from((await z.data()) as Float32Array).slice(0, 8);
  } catch (e) { out.err2 = String(e); }
  return out;
}
