/**
 * The size of a baseline run's inputs once decoded, the yardstick of issue 4's memory target ("the page's peak
 * memory under 3× the decoded input"): the bytes of every column of the three parquet inputs, decoded by the page's
 * own reader (values, dictionary codes, timestamps, and each dictionary's strings at one byte per character). The
 * page itself decodes fewer: not the replay's open and volume, which the run does not read (~14 MB on L).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readParquetAsync } from '../../src/data/parquet.ts';
import type { Frame } from '../../src/data/frame.ts';

export function frameBytes(frame: Frame): number {
  let bytes = 0;
  for (const column of Object.values(frame.columns)) {
    switch (column.kind) {
      case 'number':
        bytes += column.values.byteLength;
        break;
      case 'timestamp':
        bytes += column.micros.byteLength;
        break;
      case 'bool':
        bytes += column.values.byteLength;
        break;
      case 'indexed':
        bytes += column.index.byteLength;
        break;
      case 'string':
        bytes += column.codes.byteLength + column.dictionary.reduce((s, v) => s + v.length, 0);
        break;
    }
  }
  return bytes;
}

/** Decoded bytes of the feature frame, the entry labels and the replay of a baseline run folder. */
export async function decodedInputBytes(baselineDir: string): Promise<number> {
  const manifest = JSON.parse(readFileSync(join(baselineDir, 'split', 'split_manifest.json'), 'utf8')) as { source_replay_path: string };
  const replay = join('replay', manifest.source_replay_path.replace(/\\/g, '/').split('/').pop() ?? '');
  let total = 0;
  for (const path of ['feature/feature_frame.parquet', 'label/entry_labels.parquet', replay]) {
    total += frameBytes(await readParquetAsync(new Blob([readFileSync(join(baselineDir, path))]), path));
  }
  return total;
}
