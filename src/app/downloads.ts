/** Download helpers: object URLs for an artifact's bytes or Blob and for the run record; the zip's name. */

export const ARTIFACTS_ZIP_NAME = 'state_continue_artifacts.zip';

/** An object URL for bytes or text (copied into a Blob), or for a Blob (referenced, not copied). */
export function blobUrl(data: Uint8Array | Blob | string, mime: string): string {
  if (data instanceof Blob && data.type === mime) return URL.createObjectURL(data);
  return URL.createObjectURL(new Blob([data as BlobPart], { type: mime }));
}
