/**
 * Sharing a verdict as a link (SPEC §5): the link's fragment carries the report compressed — parameters, input
 * fingerprints, verdict, metrics, timings — and no data. The fragment never reaches a server.
 */
import { deflateSync, inflateSync, strFromU8, strToU8 } from 'fflate';
import type { StoredRun } from '../store/runTypes.ts';

const PREFIX = '#share=';
const VERSION = 1;

type SharedFields = Pick<StoredRun, 'id' | 'kind' | 'status' | 'startedAt' | 'finishedAt' | 'parameters' | 'inputs' | 'stageTimingsMs' | 'totalMs' | 'fits' | 'verdict' | 'metrics' | 'error'>;

function toBase64Url(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
}

/** The fragment (`#share=…`) for a run. */
export function shareFragment(run: StoredRun): string {
  const shared: SharedFields & { v: number } = {
    v: VERSION,
    id: run.id,
    kind: run.kind,
    status: run.status,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    parameters: run.parameters,
    inputs: run.inputs,
    stageTimingsMs: run.stageTimingsMs,
    totalMs: run.totalMs,
    fits: run.fits,
    verdict: run.verdict,
    metrics: run.metrics,
    error: run.error,
  };
  return PREFIX + toBase64Url(deflateSync(strToU8(JSON.stringify(shared)), { level: 9 }));
}

/** The run a shared fragment describes (no artifacts, no log), or null when the fragment is not a share. */
export function runFromFragment(fragment: string): StoredRun | null {
  if (!fragment.startsWith(PREFIX)) return null;
  let shared: SharedFields & { v?: number };
  try {
    shared = JSON.parse(strFromU8(inflateSync(fromBase64Url(fragment.slice(PREFIX.length))))) as SharedFields & { v?: number };
  } catch (error) {
    throw new Error(`The shared link is damaged (${(error as Error).message}); ask for it again.`);
  }
  if (shared.v !== VERSION || typeof shared.id !== 'string') throw new Error('The shared link was made by another version of the workbench.');
  const { v: _version, ...fields } = shared;
  return { ...fields, log: [], problems: [], artifacts: [] };
}
