/**
 * Reads an ONNX model's graph with the schema-based protobuf decoder of onnx-proto: the float initializers (the
 * frozen heads' weights, `{head}_W` and `{head}_B`) and the declared inputs and outputs. No inference here: the
 * seed computes the frozen scores from the initializers itself (x·W + B), and so do we; onnxRuntime.ts can
 * cross-check with onnxruntime-web.
 */
import * as onnxProtoNs from 'onnx-proto';
import { InputError } from '../core/errors.ts';
import type { OnnxTensor } from '../experiments/stateContinue/inputs.ts';

export type { OnnxTensor } from '../experiments/stateContinue/inputs.ts';

// onnx-proto is CommonJS: under plain Node ESM (tsx) only its default export exists; under Vite the named one.
const onnx: typeof onnxProtoNs.onnx =
  (onnxProtoNs as unknown as { onnx?: typeof onnxProtoNs.onnx }).onnx ??
  (onnxProtoNs as unknown as { default: { onnx: typeof onnxProtoNs.onnx } }).default.onnx;

export interface OnnxValueInfo {
  name: string;
  /** Element type of a tensor (`float`, `double`, `int64`, ...), or '' when the value is not a tensor. */
  elemType: string;
  isTensor: boolean;
  /** Readable type: `tensor(float)[N,3]`, `sequence<map<int64,tensor(float)>>` (what a ZipMap gives), ... */
  type: string;
  /** Tensor shape: numbers, symbolic names, or '?' for an unknown dimension; [] when not a tensor. */
  dims: (number | string)[];
}

export interface OnnxModel {
  /** Float initializers (FLOAT, DOUBLE, FLOAT16 stored as raw_data, float_data or double_data) by name. */
  initializers: Map<string, OnnxTensor>;
  /** Initializers of other types (integer shape constants, strings), by name and type; not loaded. */
  otherInitializers: { name: string; dataType: string }[];
  /** Graph inputs that are not initializers. */
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

const DATA_TYPES: Record<number, string> = {
  0: 'undefined',
  1: 'float',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'double',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
};

function dataTypeName(code: number | null | undefined): string {
  return DATA_TYPES[code ?? 0] ?? `type ${code}`;
}

function toNumber(value: number | { toNumber(): number } | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

function fail(file: string, reason: string, field?: string): InputError {
  const message = `${file}: ${reason}`;
  return new InputError(message, [{ file, field, message: reason }]);
}

export function readOnnx(bytes: Uint8Array, file: string): OnnxModel {
  let model: onnxProtoNs.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw fail(file, `cannot read ONNX model: the file is not a valid ONNX protobuf (${(error as Error).message})`);
  }
  const graph = model.graph;
  const nodes = graph?.node ?? [];
  const tensors = graph?.initializer ?? [];
  const graphInputs = graph?.input ?? [];
  const graphOutputs = graph?.output ?? [];
  if (!graph || (nodes.length === 0 && tensors.length === 0 && graphOutputs.length === 0)) {
    throw fail(file, 'cannot read ONNX model: the file holds no ONNX graph (expected a ModelProto with a graph; found none)');
  }
  const initializers = new Map<string, OnnxTensor>();
  const otherInitializers: { name: string; dataType: string }[] = [];
  for (const tensor of tensors) {
    const name = tensor.name ?? '';
    const type = tensor.dataType;
    if (type !== 1 && type !== 11 && type !== 10) {
      otherInitializers.push({ name, dataType: dataTypeName(type) });
      continue;
    }
    initializers.set(name, decodeFloatTensor(tensor, file));
  }
  const initializerNames = new Set(tensors.map((t) => t.name));
  return {
    initializers,
    otherInitializers,
    inputs: graphInputs.filter((v) => !initializerNames.has(v.name)).map(describeValue),
    outputs: graphOutputs.map(describeValue),
  };
}

function decodeFloatTensor(tensor: onnxProtoNs.onnx.ITensorProto, file: string): OnnxTensor {
  const name = tensor.name ?? '';
  const dims = (tensor.dims ?? []).map(toNumber);
  const count = dims.reduce((a, b) => a * b, 1);
  if (tensor.dataLocation === 1) {
    throw fail(file, `initializer ${name} keeps its data in an external file, which cannot be loaded (expected the data inside the model)`, name);
  }
  let data: Float32Array;
  const raw = tensor.rawData;
  if (raw && raw.length > 0) {
    const width = tensor.dataType === 11 ? 8 : tensor.dataType === 10 ? 2 : 4;
    if (raw.length !== count * width) {
      throw fail(file, `initializer ${name} has ${raw.length} bytes of raw_data; expected ${count * width} for shape [${dims.join(', ')}] of ${dataTypeName(tensor.dataType)}`, name);
    }
    // raw_data is little-endian and may sit at any byte offset: read through a DataView
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    data = new Float32Array(count);
    if (width === 4) for (let i = 0; i < count; i++) data[i] = view.getFloat32(i * 4, true);
    else if (width === 8) for (let i = 0; i < count; i++) data[i] = view.getFloat64(i * 8, true);
    else for (let i = 0; i < count; i++) data[i] = float16(view.getUint16(i * 2, true));
  } else if (tensor.dataType === 11) {
    data = Float32Array.from(tensor.doubleData ?? []);
  } else if (tensor.dataType === 10) {
    // FLOAT16 without raw_data is stored bit-wise in int32_data
    data = Float32Array.from(tensor.int32Data ?? [], (bits) => float16(bits & 0xffff));
  } else {
    data = Float32Array.from(tensor.floatData ?? []);
  }
  if (data.length !== count) {
    throw fail(file, `initializer ${name} holds ${data.length} values; expected ${count} for shape [${dims.join(', ')}]`, name);
  }
  return { name, dims, data };
}

function float16(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function describeValue(value: onnxProtoNs.onnx.IValueInfoProto): OnnxValueInfo {
  const type = value.type ?? null;
  const tensor = type?.tensorType ?? null;
  if (tensor) {
    const dims = (tensor.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : d.dimValue !== null && d.dimValue !== undefined ? toNumber(d.dimValue) : '?'));
    const elemType = dataTypeName(tensor.elemType);
    return { name: value.name ?? '', elemType, isTensor: true, type: `tensor(${elemType})${tensor.shape ? `[${dims.join(',')}]` : ''}`, dims };
  }
  return { name: value.name ?? '', elemType: '', isTensor: false, type: typeName(type), dims: [] };
}

function typeName(type: onnxProtoNs.onnx.ITypeProto | null | undefined): string {
  if (!type) return 'unknown';
  if (type.tensorType) return `tensor(${dataTypeName(type.tensorType.elemType)})`;
  if (type.sequenceType) return `sequence<${typeName(type.sequenceType.elemType)}>`;
  if (type.mapType) return `map<${dataTypeName(type.mapType.keyType)},${typeName(type.mapType.valueType)}>`;
  if (type.optionalType) return `optional<${typeName(type.optionalType.elemType)}>`;
  if (type.sparseTensorType) return `sparse_tensor(${dataTypeName(type.sparseTensorType.elemType)})`;
  return 'unknown';
}

/** The outputs that are not plain tensors (a ZipMap gives sequence<map<...>>), as one readable sentence, or null. */
export function nonTensorOutputs(model: OnnxModel): string | null {
  const bad = model.outputs.filter((o) => !o.isTensor);
  if (bad.length === 0) return null;
  return bad.map((o) => `output ${o.name} is ${o.type}, not a tensor`).join('; ');
}
