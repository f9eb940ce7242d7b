import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  base64UrlDecode,
  base64UrlEncode,
  decodeVerdictFragment,
  encodeVerdictFragment,
  isVerdictFragment,
  sharedVerdictOf,
  verdictLink,
  VerdictLinkError,
} from './verdictLink.ts';

// The seed's own outputs on the default fixture: the real report, metrics and verdict of a run.
const expected = new URL('../../test/fixtures/state-continue/default/expected/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, expected), 'utf8');

function fixtureShared() {
  const run = {
    id: 'state_continue_reference',
    kind: 'state_continue',
    status: 'ok',
    startedAt: '2026-11-22T01:00:00.000Z',
    finishedAt: '2026-11-22T01:00:05.000Z',
    totalMs: 5123.25,
    parameters: { run_id: 'state_continue_reference', ages_minutes: '5,15,30,60', regressor_kind: 'huber', ridge_alpha: 10 },
    inputs: [{ path: 'feature/feature_frame.parquet', name: 'feature_frame.parquet', size: 123456, sha256: 'ab'.repeat(32) }],
    verdict: JSON.parse(read('state_continue_verdict.json')) as Record<string, unknown>,
    metrics: JSON.parse(read('state_continue_result.json')) as Record<string, unknown>,
  };
  return sharedVerdictOf(run, read('state_continue_experiment_report.md'), new Date('2026-11-22T02:00:00Z'));
}

describe('base64url', () => {
  it('round-trips every length and byte value, and matches Node base64url', () => {
    for (let n = 0; n < 70; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 97 + n * 13) & 255);
      const text = base64UrlEncode(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64url'));
      expect(Array.from(base64UrlDecode(text))).toEqual(Array.from(bytes));
    }
  });
});

describe('verdict link', () => {
  it('round-trips the real report, metrics and verdict of a run, compressed', () => {
    const shared = fixtureShared();
    const link = verdictLink('http://host/wb/index.html#old', shared);
    expect(link.startsWith('http://host/wb/index.html#verdict=1.')).toBe(true);
    const hash = new URL(link).hash;
    expect(isVerdictFragment(hash)).toBe(true);
    expect(decodeVerdictFragment(hash)).toEqual(shared);
    // Compressed: much shorter than the JSON it carries (the report and metrics are repetitive text).
    expect(hash.length).toBeLessThan(JSON.stringify(shared).length / 2);
  });

  it('keeps non-ASCII text and survives the browser percent-encoding nothing (base64url is fragment-safe)', () => {
    const shared = { ...fixtureShared(), report: '# Rapport — ✔ données µ 日本' };
    const hash = encodeVerdictFragment(shared);
    expect(encodeURI(hash)).toBe(hash);
    expect(decodeVerdictFragment(hash).report).toBe(shared.report);
  });

  it('refuses a cut, corrupted, newer or foreign link with a message saying which', () => {
    const hash = encodeVerdictFragment(fixtureShared());
    expect(() => decodeVerdictFragment(hash.slice(0, hash.length - 40))).toThrow(VerdictLinkError);
    expect(() => decodeVerdictFragment(hash.slice(0, hash.length - 40))).toThrow(/cut|impossible length|decompress/);
    expect(() => decodeVerdictFragment(hash.replace('#verdict=1.', '#verdict=9.'))).toThrow(/format 9/);
    expect(() => decodeVerdictFragment('#verdict=1.@@@@')).toThrow(/not base64url/);
    expect(() => decodeVerdictFragment('#verdict=abc')).toThrow(/format version/);
    expect(() => decodeVerdictFragment('#runs')).toThrow(/no verdict link/);
    const notAVerdict = '#verdict=1.' + base64UrlEncode(new Uint8Array(Buffer.from(JSON.stringify({ hello: 1 }))));
    expect(() => decodeVerdictFragment(notAVerdict)).toThrow(VerdictLinkError);
    expect(isVerdictFragment('#runs')).toBe(false);
  });
});
