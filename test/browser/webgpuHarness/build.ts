// The backend-check page (index.html + main.ts + a worker), built into .tmp/webgpu-harness: it exercises
// src/ml/backends in Chromium without going through the app's UI.
import { resolve } from 'node:path';
import { buildHarness } from '../harnessBuild.ts';

export function buildBackendHarness(): Promise<string> {
  return buildHarness(resolve(import.meta.dirname), 'webgpu-harness');
}
