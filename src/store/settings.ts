/** Page settings, kept in the `kv` store under one key. */
import { openWorkbenchDb } from './db.ts';
import type { BackendChoice } from '../experiments/stateContinue/inputs.ts';

export interface Settings {
  backend: BackendChoice;
}

const SETTINGS_KEY = 'settings';
export const DEFAULT_SETTINGS: Settings = { backend: 'auto' };

export async function loadSettings(): Promise<Settings> {
  const db = await openWorkbenchDb();
  const stored = (await db.get('kv', SETTINGS_KEY)) as Partial<Settings> | undefined;
  return { ...DEFAULT_SETTINGS, ...(stored ?? {}) };
}

export async function saveSettings(settings: Settings): Promise<void> {
  const db = await openWorkbenchDb();
  await db.put('kv', { ...settings }, SETTINGS_KEY);
}
