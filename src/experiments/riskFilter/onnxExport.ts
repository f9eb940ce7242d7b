/**
 * A trained risk model as one ONNX graph, so a trading system can score signals without the workbench:
 *   features [N,F] float32 → Sub(mean) → Div(scale) → MatMul(W [F,1]) → Add(B [1]) → Sigmoid → risk [N,1].
 * Float32 as ONNX runtimes compute; the risk agrees with the float64 model to about 1e-7 for ordinary features.
 */
import * as onnxProtoNs from 'onnx-proto';
import { predictRisk, type RiskModel } from './trainer.ts';
import { featureMatrix } from './dataset.ts';
import type { StoredTrade } from './ledger.ts';
import { runOnnxHeads } from '../../data/onnxRuntime.ts';

// onnx-proto is CommonJS: under plain Node ESM only its default export exists; bundlers give the named one.
const onnx: typeof onnxProtoNs.onnx =
  (onnxProtoNs as unknown as { onnx?: typeof onnxProtoNs.onnx }).onnx ??
  (onnxProtoNs as unknown as { default: { onnx: typeof onnxProtoNs.onnx } }).default.onnx;

export const RISK_ONNX_INPUT = 'features';
export const RISK_ONNX_OUTPUT = 'risk';

function floatTensor(name: string, dims: number[], values: ArrayLike<number>): onnxProtoNs.onnx.ITensorProto {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true); // raw_data is little-endian
  return { name, dataType: onnx.TensorProto.DataType.FLOAT, dims, rawData: raw };
}

function valueInfo(name: string, dims: (number | string)[]): onnxProtoNs.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

/** The model's ONNX bytes (opset 13); the feature order is written into the graph's doc string and metadata. */
export function riskModelToOnnx(model: RiskModel, modelId = 'risk_filter'): Uint8Array {
  const f = model.feature_names.length;
  const graph: onnxProtoNs.onnx.IGraphProto = {
    name: `risk_filter_${modelId}`,
    docString: `P(is_bad) of a swing-trade signal; features in order: ${model.feature_names.join(', ')}`,
    node: [
      { name: 'center', opType: 'Sub', input: [RISK_ONNX_INPUT, 'scaler_mean'], output: ['centered'] },
      { name: 'scale', opType: 'Div', input: ['centered', 'scaler_scale'], output: ['scaled'] },
      { name: 'matmul', opType: 'MatMul', input: ['scaled', 'coef'], output: ['xw'] },
      { name: 'add', opType: 'Add', input: ['xw', 'intercept'], output: ['logit'] },
      { name: 'sigmoid', opType: 'Sigmoid', input: ['logit'], output: [RISK_ONNX_OUTPUT] },
    ],
    initializer: [
      floatTensor('scaler_mean', [f], model.scaler.mean),
      floatTensor('scaler_scale', [f], model.scaler.scale),
      floatTensor('coef', [f, 1], model.coef),
      floatTensor('intercept', [1], [model.intercept]),
    ],
    input: [valueInfo(RISK_ONNX_INPUT, ['N', f])],
    output: [valueInfo(RISK_ONNX_OUTPUT, ['N', 1])],
  };
  const proto: onnxProtoNs.onnx.IModelProto = {
    irVersion: 7,
    producerName: 'ml-workbench risk filter',
    producerVersion: '0.1.0',
    modelVersion: 1,
    opsetImport: [{ domain: '', version: 13 }],
    graph,
    metadataProps: [
      { key: 'model_id', value: modelId },
      { key: 'feature_names', value: JSON.stringify(model.feature_names) },
      { key: 'risk_threshold', value: String(model.risk_threshold) },
    ],
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(proto)).finish();
}

/**
 * Re-score an exported model with onnxruntime-web (what the live trading side loads) on the given trades and
 * return the largest |risk difference| from the model's own float64 risk: the export is only useful if it
 * gives the same risk (SPEC: to 1e-6).
 */
export async function verifyOnnxExport(bytes: Uint8Array, model: RiskModel, rows: StoredTrade[]): Promise<{ rows: number; maxAbsDiff: number }> {
  const x = featureMatrix(rows, rows.map((_, i) => i), model.feature_names);
  const want = predictRisk(model, x, rows.length);
  const got = (await runOnnxHeads(bytes, Float32Array.from(x), rows.length, model.feature_names.length, ['risk'], 'risk_model.onnx')).risk;
  let maxAbsDiff = 0;
  for (let i = 0; i < rows.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(got[i] - want[i]));
  return { rows: rows.length, maxAbsDiff };
}
