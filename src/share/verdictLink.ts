/**
 * "Copy verdict link": a run's verdict, metrics and report, compressed into the URL's fragment. The fragment never
 * reaches a server (browsers do not send it), and the link carries no data: only the verdict object, the metrics
 * object (state_continue_result.json), the report's Markdown and the run's description (id, parameters, input
 * fingerprints, times). Opening the link shows that read-only report; nothing is stored until the user asks.
 *
 * Format: `#verdict=1.<base64url(deflate(UTF-8 JSON))>`. The leading `1` is the format version; a link of a newer
 * version is refused with a message saying so, never half-read.
 */
import { deflateSync, inflateSync, strFromU8, strToU8 } from 'fflate';

export const VERDICT_LINK_KEY = 'verdict';
export const VERDICT_LINK_VERSION = 1;

export interface SharedRun {
  id: string;
  kind: string;
  status: string;
  startedAt: string;
  finishedAt: string;
  totalMs: number;
  parameters: Record<string, unknown>;
  /** Input fingerprints (path, name, size, SHA-256): what the verdict was computed on, not the data. */
  inputs: { path: string; name: string; size: number; sha256: string }[];
}

export interface SharedVerdict {
  run: SharedRun;
  verdict: Record<string, unknown> | null;
  metrics: Record<string, unknown> | null;
  /** state_continue_experiment_report.md, or '' when the run has none. */
  report: string;
  /** When the link was made (ISO-8601 UTC). */
  sharedAt: string;
}

export class VerdictLinkError extends Error {
  override name = 'VerdictLinkError';
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charCodeAt(i)] = i;

/** RFC 4648 §5 base64url without padding (safe in a fragment with no escaping). */
export function base64UrlEncode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + B64[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += B64[n >> 18] + B64[(n >> 12) & 63];
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63];
  }
  return out;
}

export function base64UrlDecode(text: string): Uint8Array {
  if (text.length % 4 === 1) throw new VerdictLinkError('The link is cut short: its data has an impossible length.');
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? B64_INDEX[c] : -1;
    if (v < 0) throw new VerdictLinkError(`The link's data holds a character that is not base64url: ${JSON.stringify(text[i])} at position ${i}.`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 255;
    }
  }
  return out.subarray(0, o);
}

/** The fragment (with its leading '#') that carries `shared`. */
export function encodeVerdictFragment(shared: SharedVerdict): string {
  const json = JSON.stringify(shared);
  const packed = deflateSync(strToU8(json), { level: 9 });
  return `#${VERDICT_LINK_KEY}=${VERDICT_LINK_VERSION}.${base64UrlEncode(packed)}`;
}

/** A full link: the page's address without its fragment, plus the verdict fragment. */
export function verdictLink(pageUrl: string, shared: SharedVerdict): string {
  const base = pageUrl.split('#')[0];
  return base + encodeVerdictFragment(shared);
}

/** True when the fragment (location.hash) is a verdict link, whatever its version. */
export function isVerdictFragment(hash: string): boolean {
  return hash.replace(/^#/, '').startsWith(`${VERDICT_LINK_KEY}=`);
}

/** Read a verdict fragment back. Throws VerdictLinkError with what is wrong (truncated, corrupted, newer format). */
export function decodeVerdictFragment(hash: string): SharedVerdict {
  const body = hash.replace(/^#/, '');
  if (!body.startsWith(`${VERDICT_LINK_KEY}=`)) throw new VerdictLinkError('This address holds no verdict link.');
  const value = body.slice(VERDICT_LINK_KEY.length + 1);
  const dot = value.indexOf('.');
  const version = Number(dot < 0 ? NaN : value.slice(0, dot));
  if (!Number.isInteger(version)) throw new VerdictLinkError('The verdict link has no format version: it was cut or edited.');
  if (version > VERDICT_LINK_VERSION) {
    throw new VerdictLinkError(`The verdict link has format ${version}; this page reads format ${VERDICT_LINK_VERSION} only. Open it with a newer workbench.`);
  }
  if (version < 1) throw new VerdictLinkError(`The verdict link has an unknown format ${version}.`);
  let json: string;
  try {
    json = strFromU8(inflateSync(base64UrlDecode(value.slice(dot + 1))));
  } catch (error) {
    if (error instanceof VerdictLinkError) throw error;
    throw new VerdictLinkError(`The verdict link's data does not decompress (${(error as Error).message}): it was probably cut short when copied.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new VerdictLinkError('The verdict link decompresses to something that is not JSON: it was corrupted.');
  }
  return checkShared(parsed);
}

function checkShared(value: unknown): SharedVerdict {
  const fail = (what: string) => new VerdictLinkError(`The verdict link is not a workbench verdict: ${what}.`);
  if (!value || typeof value !== 'object') throw fail('expected an object');
  const v = value as Record<string, unknown>;
  const run = v.run as Record<string, unknown> | undefined;
  if (!run || typeof run !== 'object') throw fail('no run');
  if (typeof run.id !== 'string') throw fail('the run has no id');
  if (!run.parameters || typeof run.parameters !== 'object') throw fail('the run has no parameters');
  if (!Array.isArray(run.inputs)) throw fail('the run has no input list');
  if (v.verdict !== null && typeof v.verdict !== 'object') throw fail('the verdict is not an object');
  if (v.metrics !== null && typeof v.metrics !== 'object') throw fail('the metrics are not an object');
  if (typeof v.report !== 'string') throw fail('the report is not text');
  return value as SharedVerdict;
}

/** What a stored run shares: its description, verdict, metrics and report (never its data). */
export function sharedVerdictOf(
  run: SharedRun & { verdict: Record<string, unknown> | null; metrics: Record<string, unknown> | null },
  reportMarkdown: string,
  now = new Date(),
): SharedVerdict {
  return {
    run: {
      id: run.id,
      kind: run.kind,
      status: run.status,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      totalMs: run.totalMs,
      parameters: run.parameters,
      inputs: run.inputs.map((f) => ({ path: f.path, name: f.name, size: f.size, sha256: f.sha256 })),
    },
    verdict: run.verdict,
    metrics: run.metrics,
    report: reportMarkdown,
    sharedAt: now.toISOString(),
  };
}
