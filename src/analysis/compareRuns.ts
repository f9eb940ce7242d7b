/**
 * Two runs side by side (DOM-free): parameters, inputs (by SHA-256), verdicts, metrics with deltas (b − a) and
 * stage timings. Inputs that differ are the first thing a reader must know: the metrics then compare different data.
 */
import { ALL_SPLITS } from '../core/constants.ts';
import type { StoredRun } from '../store/runTypes.ts';

export interface ParameterRow {
  name: string;
  a: unknown;
  b: unknown;
  differs: boolean;
}

export interface InputRow {
  path: string;
  a: { name: string; size: number; sha256: string } | null;
  b: { name: string; size: number; sha256: string } | null;
  differs: boolean;
}

/** Which way is better for a metric (the seed's acceptance rule reads AUC up and the ratios down). */
export type Better = 'higher' | 'lower' | 'neither';

export interface MetricRow {
  model: string;
  split: string;
  metric: string;
  a: number | null;
  b: number | null;
  delta: number | null;
  better: Better;
  /** 'better' / 'worse' / 'same' for b against a, or null when either is missing or the metric has no direction. */
  change: 'better' | 'worse' | 'same' | null;
}

export interface TimingRow {
  stage: string;
  a: number | null;
  b: number | null;
  delta: number | null;
}

export interface RunComparison {
  parameters: ParameterRow[];
  inputs: InputRow[];
  inputsDiffer: boolean;
  verdict: { a: string | null; b: string | null; reasonsA: string[]; reasonsB: string[]; passedA: string[]; passedB: string[] };
  metrics: MetricRow[];
  timings: TimingRow[];
}

/** The per-split metrics of a model, in the report's column order, with their labels and which way is better. */
export const COMPARED_METRICS: { key: string; label: string; better: Better }[] = [
  { key: 'row_count', label: 'rows', better: 'neither' },
  { key: 'positive_rate', label: 'positive rate', better: 'neither' },
  { key: 'continue_auc', label: 'continue AUC', better: 'higher' },
  { key: 'brier', label: 'Brier', better: 'lower' },
  { key: 'brier_vs_constant_ratio', label: 'Brier / constant', better: 'lower' },
  { key: 'edge_mae', label: 'edge MAE', better: 'lower' },
  { key: 'edge_mae_vs_constant_ratio', label: 'edge MAE / constant', better: 'lower' },
];

const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const strings = (x: unknown): string[] => (Array.isArray(x) ? x.map(String) : []);

export function compareRuns(a: StoredRun, b: StoredRun): RunComparison {
  const names = [...new Set([...Object.keys(a.parameters), ...Object.keys(b.parameters)])].filter((n) => n !== 'run_id');
  const parameters = names.map((name) => ({ name, a: a.parameters[name], b: b.parameters[name], differs: !same(a.parameters[name], b.parameters[name]) }));

  const paths = [...new Set([...a.inputs.map((f) => f.path), ...b.inputs.map((f) => f.path)])].sort();
  const pick = (run: StoredRun, path: string) => {
    const f = run.inputs.find((x) => x.path === path);
    return f ? { name: f.name, size: f.size, sha256: f.sha256 } : null;
  };
  const inputs = paths.map((path) => {
    const fa = pick(a, path);
    const fb = pick(b, path);
    return { path, a: fa, b: fb, differs: !fa || !fb || fa.sha256 !== fb.sha256 };
  });

  const metrics: MetricRow[] = [];
  const ma = (a.metrics ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
  const mb = (b.metrics ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
  const models = [...new Set([...Object.keys(ma), ...Object.keys(mb)])];
  for (const model of models) {
    for (const split of ALL_SPLITS) {
      const sa = ma[model]?.[split];
      const sb = mb[model]?.[split];
      if (!sa && !sb) continue;
      for (const { key, better } of COMPARED_METRICS) {
        const va = num(sa?.[key]);
        const vb = num(sb?.[key]);
        const delta = va !== null && vb !== null ? vb - va : null;
        let change: MetricRow['change'] = null;
        if (delta !== null && better !== 'neither') change = delta === 0 ? 'same' : (delta > 0) === (better === 'higher') ? 'better' : 'worse';
        metrics.push({ model, split, metric: key, a: va, b: vb, delta, better, change });
      }
    }
  }

  const stages = [...new Set([...Object.keys(a.stageTimingsMs), ...Object.keys(b.stageTimingsMs)])];
  const timings: TimingRow[] = stages.map((stage) => {
    const ta = num(a.stageTimingsMs[stage]);
    const tb = num(b.stageTimingsMs[stage]);
    return { stage, a: ta, b: tb, delta: ta !== null && tb !== null ? tb - ta : null };
  });
  timings.push({ stage: 'total', a: a.totalMs, b: b.totalMs, delta: b.totalMs - a.totalMs });

  const va = a.verdict as Record<string, unknown> | null;
  const vb = b.verdict as Record<string, unknown> | null;
  return {
    parameters,
    inputs,
    inputsDiffer: inputs.some((r) => r.differs),
    verdict: {
      a: va ? String(va.status) : null,
      b: vb ? String(vb.status) : null,
      reasonsA: strings(va?.reasons),
      reasonsB: strings(vb?.reasons),
      passedA: strings(va?.passed_checks),
      passedB: strings(vb?.passed_checks),
    },
    metrics,
    timings,
  };
}
