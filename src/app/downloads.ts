/** Download helpers: artifacts one by one, all as one zip, the run record. Built on demand from bytes in memory. */
import { zipSync, type Zippable } from 'fflate';
import type { Artifact } from '../experiments/stateContinue/inputs.ts';

export const ARTIFACTS_ZIP_NAME = 'state_continue_artifacts.zip';

/** One zip of all artifacts. Parquet is already compressed: stored as is, text is deflated. */
export function zipArtifacts(artifacts: Artifact[]): Uint8Array {
  const files: Zippable = {};
  for (const a of artifacts) files[a.name] = [a.bytes, { level: /\.parquet$/i.test(a.name) ? 0 : 6 }];
  return zipSync(files, { mtime: new Date('2000-01-01T00:00:00Z') });
}

export function blobUrl(bytes: Uint8Array | string, mime: string): string {
  return URL.createObjectURL(new Blob([bytes as BlobPart], { type: mime }));
}
