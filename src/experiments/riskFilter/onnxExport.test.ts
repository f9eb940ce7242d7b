import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web/wasm';
import { describe, expect, it } from 'vitest';
import { featureMatrix } from './dataset.ts';
import { readLedger } from './ledger.ts';
import { riskModelToOnnx } from './onnxExport.ts';
import { runSwingReference } from './swingResult.ts';
import { DEFAULT_RISK_PARAMS, predictRisk } from './trainer.ts';

describe('ONNX export of a trained risk model', () => {
  it('onnxruntime-web scores every trade as the float64 model does, to 1e-6', async () => {
    const bytes = new Uint8Array(readFileSync(join(import.meta.dirname, '../../../test/fixtures/swing/normal/ledger.jsonl')));
    const run = await runSwingReference(await readLedger(bytes, 'ledger.jsonl'), DEFAULT_RISK_PARAMS);
    if (run.training.status !== 'trained') throw new Error('the normal fixture trains');
    const model = run.training.model;
    const rows = run.datasetRows.rows;
    const x = featureMatrix(rows, rows.map((_, i) => i), model.feature_names);
    const want = predictRisk(model, x, rows.length);

    ort.env.wasm.numThreads = 1;
    const session = await ort.InferenceSession.create(riskModelToOnnx(model, '20260127_220000'));
    expect(session.inputNames).toEqual(['features']);
    expect(session.outputNames).toEqual(['risk']);
    const output = await session.run({ features: new ort.Tensor('float32', Float32Array.from(x), [rows.length, model.feature_names.length]) });
    expect(output.risk.dims).toEqual([rows.length, 1]);
    const got = output.risk.data as Float32Array;
    let worst = 0;
    for (let i = 0; i < rows.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    expect(worst).toBeLessThan(1e-6);
    await session.release();
  });
});
