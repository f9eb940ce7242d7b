import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { linearModel } from '../../../scripts/generateBaseline.ts';
import { loadBaselineDir } from './loadBaselineDir.ts';
import { computeFrozenScores } from './frozenScores.ts';
import { filterFeatureRows } from './stateFrame.ts';
import { crossCheckFrozenScores } from './onnxCrossCheck.ts';
import { crossCheckRun, runStateContinue } from './pipeline.ts';
import { defaultParams } from './inputs.ts';
import { ENTRY_HEADS } from '../../core/constants.ts';

const FIXTURE = join(__dirname, '../../../test/fixtures/state-continue/default/baseline');

describe('frozen scores cross-checked by running the ONNX graphs in onnxruntime-web', () => {
  const inputs = loadBaselineDir(FIXTURE, 'baseline');
  const rows = filterFeatureRows(inputs.featureFrame, inputs.featureOrder);
  const scores = computeFrozenScores(inputs.featureFrame, rows, inputs.featureOrder, inputs.directionInitializers, inputs.entryInitializers);
  const f = inputs.featureOrder.length;

  it('agrees on every head of the generated models', async () => {
    const lines = await crossCheckFrozenScores({ direction: inputs.directionOnnxBytes, entry: inputs.entryOnnxBytes }, inputs.featureFrame, inputs.featureOrder, scores);
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line).toMatch(/onnxruntime agrees with the initializers/);
  });

  it('says where a graph disagrees with its initializers (an identity where the head is a sigmoid)', async () => {
    const tensor = (name: string) => inputs.entryInitializers.get(name)!.data;
    const entry = linearModel(
      'entry',
      f,
      ENTRY_HEADS.map((name) => ({
        name,
        width: 1,
        activation: name === 'long_entry_prob' ? ('Identity' as const) : name.endsWith('_prob') ? ('Sigmoid' as const) : ('Identity' as const),
        weight: tensor(`${name}_W`),
        bias: tensor(`${name}_B`),
      })),
      'raw',
    );
    const lines = await crossCheckFrozenScores({ entry }, inputs.featureFrame, inputs.featureOrder, scores);
    expect(lines.filter((l) => l.includes('DISAGREES'))).toEqual([expect.stringMatching(/DISAGREES .* model\/entry\/entry\.onnx long_entry_prob: largest \|Δ\| .* at frozen_long_entry_prob row \d+/)]);
    expect(lines.filter((l) => l.includes('agrees'))).toHaveLength(3);
  });

  it('a model without outputs named after its heads (a ZipMap classifier) is said, not an error', async () => {
    const zipmap = new Uint8Array(readFileSync(join(__dirname, '../../../test/fixtures/data/onnx/zipmap_classifier.onnx')));
    const lines = await crossCheckFrozenScores({ direction: zipmap }, inputs.featureFrame, inputs.featureOrder, scores);
    expect(lines).toEqual([expect.stringMatching(/^frozen scores: model\/direction\/direction\.onnx has no output named after its heads \(outputs: .+\); onnxruntime cross-check skipped$/)]);
  });

  it("a finished run is cross-checked from the frozen scores it kept (after its verdict, not in its time)", async () => {
    const outcome = await runStateContinue(inputs, defaultParams());
    expect(outcome.log.some((l) => l.includes('onnxruntime'))).toBe(false);
    const lines = await crossCheckRun(outcome, inputs);
    expect(lines.filter((l) => l.startsWith('frozen scores: onnxruntime agrees'))).toHaveLength(5);
  });
});
