/** Small hand-built frames for the stage tests (not used by the app). */
import { makeFrame, type Column, type Frame, type NumericType } from '../../data/frame.ts';

export function strings(values: (string | null)[]): Column {
  const dictionary: string[] = [];
  const codes = Int32Array.from(values, (v) => {
    if (v === null) return -1;
    let code = dictionary.indexOf(v);
    if (code < 0) code = dictionary.push(v) - 1;
    return code;
  });
  return { kind: 'string', codes, dictionary };
}

export function numbers(values: number[], type: NumericType = 'float64'): Column {
  return { kind: 'number', type, values: type === 'float32' ? Float32Array.from(values) : Float64Array.from(values) };
}

export function timestamps(ms: number[]): Column {
  return { kind: 'timestamp', micros: Float64Array.from(ms, (m) => m * 1000) };
}

export function frameOf(columns: Record<string, Column>): Frame {
  return makeFrame(Object.keys(columns), columns);
}
