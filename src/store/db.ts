/**
 * The one IndexedDB database of the workbench, `ml-workbench` (schema in docs/CONTRACTS.md and the page's
 * automation contract). Every repository (runs, risk-filter trades, registry) opens it through here so that
 * the schema and its migrations live in one place.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { StoredRun, StoredArtifact } from './runTypes.ts';

export const DB_NAME = 'ml-workbench';
export const DB_VERSION = 1;

export interface WorkbenchDbSchema extends DBSchema {
  runs: { key: string; value: StoredRun };
  artifacts: { key: [string, string]; value: StoredArtifact; indexes: { runId: string } };
  /** Risk-filter dataset rows, keyed by trade_id (owned by src/store/riskStore.ts). */
  trades: { key: string; value: any };
  /** Registered risk-filter models (owned by src/store/riskStore.ts). */
  registryModels: { key: string; value: any };
  /** Append-only registry history (promotion, rollback, lock changes). */
  registryHistory: { key: number; value: any };
  /** Out-of-line keys: settings, registry state. */
  kv: { key: string; value: any };
}

export type WorkbenchDb = IDBPDatabase<WorkbenchDbSchema>;

let opening: Promise<WorkbenchDb> | null = null;

/** Open (and on first use create) the database. The handle is shared: opening is cheap only once. */
export function openWorkbenchDb(): Promise<WorkbenchDb> {
  if (!opening) {
    opening = openDB<WorkbenchDbSchema>(DB_NAME, DB_VERSION, {
      upgrade(db, oldVersion) {
        // Version 1: the whole schema. Later versions add `if (oldVersion < N)` steps below, never rewrite this one.
        if (oldVersion < 1) {
          db.createObjectStore('runs', { keyPath: 'id' });
          const artifacts = db.createObjectStore('artifacts', { keyPath: ['runId', 'name'] });
          artifacts.createIndex('runId', 'runId');
          db.createObjectStore('trades', { keyPath: 'trade_id' });
          db.createObjectStore('registryModels', { keyPath: 'id' });
          db.createObjectStore('registryHistory', { autoIncrement: true });
          db.createObjectStore('kv');
        }
      },
      blocking() {
        // Another tab wants a newer schema: let it, this tab reopens on its next call.
        void opening?.then((db) => db.close());
        opening = null;
      },
      terminated() {
        opening = null;
      },
    }).catch((error: unknown) => {
      opening = null;
      throw error;
    });
  }
  return opening;
}

/** For tests and "reset": close the shared handle so the database can be deleted. */
export async function closeWorkbenchDb(): Promise<void> {
  const db = opening;
  opening = null;
  if (db) (await db).close();
}
