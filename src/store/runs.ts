/**
 * The runs repository. A run and all its artifacts are written in ONE readwrite transaction at the end of the
 * run, so a run is never half-written as a success. Everything that is not IndexedDB (hashing, encoding) must be
 * done before calling in here: a transaction closes as soon as it awaits anything else (BROWSER.md).
 */
import { openWorkbenchDb } from './db.ts';
import type { StoredArtifact, StoredRun } from './runTypes.ts';
import { artifactSize } from '../experiments/stateContinue/inputs.ts';

/** An artifact to store: bytes, or a Blob (kept by IndexedDB as a Blob, never read into the page's memory). */
export interface ArtifactBytes {
  name: string;
  mime: string;
  bytes: Uint8Array | Blob;
}

/** The first free id among `wanted`, `wanted-2`, `wanted-3`, … */
export function uniqueRunId(wanted: string, taken: (id: string) => boolean): string {
  const base = wanted.trim() || 'run';
  if (!taken(base)) return base;
  for (let n = 2; ; n++) {
    const id = `${base}-${n}`;
    if (!taken(id)) return id;
  }
}

/** Store a finished run (any status) with its artifacts. Returns the run as stored (its id may carry a suffix). */
export async function saveRun(run: StoredRun, artifacts: ArtifactBytes[]): Promise<StoredRun> {
  const db = await openWorkbenchDb();
  const tx = db.transaction(['runs', 'artifacts'], 'readwrite');
  const runs = tx.objectStore('runs');
  // Only IndexedDB requests are awaited inside the transaction.
  const existing = new Set((await runs.getAllKeys()) as string[]);
  const stored: StoredRun = {
    ...run,
    id: uniqueRunId(run.id, (id) => existing.has(id)),
    artifacts: artifacts.map((a) => ({ name: a.name, mime: a.mime, size: artifactSize(a) })),
  };
  const writes: Promise<unknown>[] = [runs.add(stored)];
  const store = tx.objectStore('artifacts');
  for (const a of artifacts) {
    const row: StoredArtifact = { runId: stored.id, name: a.name, mime: a.mime, bytes: a.bytes };
    writes.push(store.put(row));
  }
  await Promise.all([...writes, tx.done]);
  return stored;
}

/** All stored runs, newest first. */
export async function listRuns(): Promise<StoredRun[]> {
  const db = await openWorkbenchDb();
  const runs = await db.getAll('runs');
  return runs.sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : a.id < b.id ? 1 : -1));
}

export async function getRun(id: string): Promise<StoredRun | undefined> {
  const db = await openWorkbenchDb();
  return db.get('runs', id);
}

export async function getRunArtifacts(id: string): Promise<StoredArtifact[]> {
  const db = await openWorkbenchDb();
  const rows = await db.getAllFromIndex('artifacts', 'runId', id);
  const run = await db.get('runs', id);
  // Keep the order in which the run wrote them.
  const order = new Map((run?.artifacts ?? []).map((a, i) => [a.name, i]));
  return rows.sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
}

/** Delete a run and its artifacts together. */
export async function deleteRun(id: string): Promise<void> {
  const db = await openWorkbenchDb();
  const tx = db.transaction(['runs', 'artifacts'], 'readwrite');
  const keys = await tx.objectStore('artifacts').index('runId').getAllKeys(id);
  await Promise.all([tx.objectStore('runs').delete(id), ...keys.map((k) => tx.objectStore('artifacts').delete(k)), tx.done]);
}
