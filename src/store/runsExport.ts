/**
 * Runs as one file (SPEC §5: export and re-import): a .zip with `workbench_runs.json` (the stored runs, without
 * bytes) and each run's artifacts under `runs/<id>/`, plus its run_record.json for a reader without the page.
 * Pure: no IndexedDB here (the page reads and writes the store around it).
 */
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { InputError } from '../core/errors.ts';
import { runRecordText, RUN_RECORD_NAME } from './runRecord.ts';
import type { ArtifactBytes } from './runs.ts';
import type { StoredRun } from './runTypes.ts';

export const RUNS_EXPORT_NAME = 'workbench_runs.zip';
const INDEX = 'workbench_runs.json';
const FORMAT = 'ml-workbench/runs@1';

export interface RunWithArtifacts {
  run: StoredRun;
  artifacts: ArtifactBytes[];
}

export function exportRuns(runs: RunWithArtifacts[]): Uint8Array {
  const files: Zippable = {};
  files[INDEX] = strToU8(JSON.stringify({ format: FORMAT, runs: runs.map((r) => r.run) }, null, 1));
  for (const { run, artifacts } of runs) {
    files[`runs/${run.id}/${RUN_RECORD_NAME}`] = strToU8(runRecordText(run));
    for (const a of artifacts) files[`runs/${run.id}/artifacts/${a.name}`] = [a.bytes, { level: /\.parquet$/i.test(a.name) ? 0 : 6 }];
  }
  return zipSync(files);
}

/** Read an export back; anything else is an InputError naming the file and what is wrong. */
export function importRuns(bytes: Uint8Array, fileName: string): RunWithArtifacts[] {
  const problem = (message: string) => new InputError(`${fileName}: ${message}`, [{ file: fileName, message }]);
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (error) {
    throw problem(`expected a runs export (.zip), but it cannot be opened: ${(error as Error).message}`);
  }
  const index = entries[INDEX];
  if (!index) throw problem(`expected ${INDEX} inside the archive (a file exported from the Runs screen); found ${Object.keys(entries).length} other files`);
  let parsed: { format?: unknown; runs?: unknown };
  try {
    parsed = JSON.parse(strFromU8(index)) as { format?: unknown; runs?: unknown };
  } catch (error) {
    throw problem(`${INDEX} is not valid JSON (${(error as Error).message})`);
  }
  if (parsed.format !== FORMAT || !Array.isArray(parsed.runs)) throw problem(`${INDEX}: expected format ${FORMAT} with a runs array, found ${JSON.stringify(parsed.format ?? null)}`);
  return (parsed.runs as StoredRun[]).map((run, i) => {
    if (!run || typeof run.id !== 'string' || typeof run.status !== 'string' || !Array.isArray(run.artifacts)) {
      throw problem(`${INDEX}: run ${i} lacks its id, status or artifact list`);
    }
    const artifacts = run.artifacts.map((info) => {
      const data = entries[`runs/${run.id}/artifacts/${info.name}`];
      if (!data) throw problem(`run ${run.id}: artifact ${info.name} is listed but not in the archive`);
      return { name: info.name, mime: info.mime, bytes: data };
    });
    return { run, artifacts };
  });
}
