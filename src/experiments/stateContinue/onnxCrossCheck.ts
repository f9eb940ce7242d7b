/**
 * The frozen scores come from the heads' initializers (x·W + B, then the head's activation), as the seed computes
 * them. Where a model's graph has outputs named after its heads, the graph itself is run in onnxruntime-web on a
 * sample of the same rows and any disagreement is written to the run's log: a graph that does something else
 * than its initializers say (another activation, a preprocessing node) is worth a researcher's attention, but the
 * seed's numbers stay the initializers'. A model whose head output is not a tensor (a ZipMap) is said clearly.
 */
import { runOnnxHeads } from '../../data/onnxRuntime.ts';
import { readOnnx } from '../../data/onnx.ts';
import { DIRECTION_HEAD, ENTRY_HEADS, TOLERANCE } from '../../core/constants.ts';
import type { Frame } from '../../data/frame.ts';
import { frozenDesignMatrix, type FrozenScores } from './frozenScores.ts';
import { releaseAll } from '../../core/release.ts';

/** Rows of the feature frame fed to onnxruntime: enough to catch a wrong graph, cheap on any run. */
export const CROSS_CHECK_ROWS = 4096;

type ScoreColumn = Exclude<keyof FrozenScores, 'sampleRows'>;

/**
 * Of a run's frozen scores, what the cross-check reads after its verdict (the first CROSS_CHECK_ROWS samples), as
 * copies; the whole arrays (28 MB on L) are freed.
 */
export function keepCrossCheckScores(scores: FrozenScores): FrozenScores {
  const n = Math.min(scores.sampleRows.length, CROSS_CHECK_ROWS);
  const kept = Object.fromEntries(Object.entries(scores).map(([name, values]) => [name, (values as Float32Array | Int32Array).slice(0, n)]));
  releaseAll(scores);
  return kept as unknown as FrozenScores;
}

interface ModelCheck {
  file: string;
  bytes: Uint8Array | undefined;
  /** graph output → the score columns it should reproduce, in output-column order */
  heads: Record<string, ScoreColumn[]>;
}

export async function crossCheckFrozenScores(
  models: { direction?: Uint8Array; entry?: Uint8Array },
  feature: Frame,
  featureOrder: string[],
  scores: FrozenScores,
): Promise<string[]> {
  const checks: ModelCheck[] = [
    { file: 'model/direction/direction.onnx', bytes: models.direction, heads: { [DIRECTION_HEAD]: ['frozen_long_prob', 'frozen_short_prob', 'frozen_neutral_prob'] } },
    {
      file: 'model/entry/entry.onnx',
      bytes: models.entry,
      heads: {
        [ENTRY_HEADS[0]]: ['frozen_long_entry_prob'],
        [ENTRY_HEADS[1]]: ['frozen_short_entry_prob'],
        [ENTRY_HEADS[2]]: ['frozen_long_expected_net_edge_bps'],
        [ENTRY_HEADS[3]]: ['frozen_short_expected_net_edge_bps'],
      },
    },
  ];
  const n = Math.min(scores.sampleRows.length, CROSS_CHECK_ROWS);
  const f = featureOrder.length;
  const lines: string[] = [];
  if (n === 0) return lines;
  const x = frozenDesignMatrix(feature, scores.sampleRows.subarray(0, n), featureOrder);
  for (const check of checks) {
    if (!check.bytes) continue;
    const outputs = readOnnx(check.bytes, check.file).outputs.map((o) => o.name);
    const heads = Object.keys(check.heads).filter((h) => outputs.includes(h));
    if (heads.length === 0) {
      lines.push(`frozen scores: ${check.file} has no output named after its heads (outputs: ${outputs.join(', ') || 'none'}); onnxruntime cross-check skipped`);
      continue;
    }
    let ran: Record<string, Float32Array>;
    try {
      ran = await runOnnxHeads(check.bytes, x, n, f, heads, check.file);
    } catch (error) {
      lines.push(`frozen scores: onnxruntime cannot cross-check ${check.file}: ${(error as Error).message}`);
      continue;
    }
    for (const head of heads) {
      const columns = check.heads[head];
      const out = ran[head];
      const width = columns.length;
      if (out.length !== n * width) {
        lines.push(`frozen scores: ${check.file} output ${head} has ${out.length / n} columns per row, the head has ${width}; not compared`);
        continue;
      }
      let worst = 0;
      let where = '';
      for (let k = 0; k < width; k++) {
        const ours = scores[columns[k]];
        for (let i = 0; i < n; i++) {
          const d = Math.abs(out[i * width + k] - ours[i]);
          if (d > worst || Number.isNaN(d)) {
            worst = Number.isNaN(d) ? Infinity : d;
            where = `${columns[k]} row ${i}`;
          }
        }
      }
      lines.push(
        worst <= TOLERANCE.frozenScore
          ? `frozen scores: onnxruntime agrees with the initializers on ${check.file} ${head} (${n} rows, largest |Δ| ${worst.toExponential(2)})`
          : `frozen scores: onnxruntime DISAGREES with the initializers on ${check.file} ${head}: largest |Δ| ${worst.toExponential(3)} at ${where} (${n} rows compared; the run uses the initializers, as the seed does)`,
      );
    }
  }
  return lines;
}
