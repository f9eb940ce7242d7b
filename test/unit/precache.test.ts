import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { precacheManifest, serviceWorkerSource } from '../../scripts/vite-plugin-precache.ts';

describe('precache manifest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'precache-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'assets'));
  mkdirSync(join(dir, 'demo', 'run'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html>');
  writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(join(dir, 'assets', 'index-abc.js.map'), '{}');
  writeFileSync(join(dir, 'assets', 'x.wasm'), new Uint8Array([0, 97, 115, 109]));
  writeFileSync(join(dir, 'demo', 'run', 'a b.parquet'), 'PAR1');
  writeFileSync(join(dir, 'sw.js'), 'old');

  it('lists every file of the build but maps and the worker, relative and sorted', () => {
    const m = precacheManifest(dir);
    expect(m.files).toEqual(['assets/index-abc.js', 'assets/x.wasm', 'demo/run/a b.parquet', 'index.html']);
    expect(m.bytes).toBe(14 + 4 + 4 + 15);
  });

  it('changes version when a file changes, so browsers fetch the new build', () => {
    const before = precacheManifest(dir).version;
    writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(2)');
    expect(precacheManifest(dir).version).not.toBe(before);
  });

  it('writes a worker that parses, with relative URLs only', () => {
    const m = precacheManifest(dir);
    const source = serviceWorkerSource(m.files, m.version);
    expect(() => new Function(source)).not.toThrow();
    const files = JSON.parse(/const FILES = (\[.*\]);/.exec(source)![1]) as string[];
    expect(files[0]).toBe('./');
    expect(files.every((f) => f.startsWith('./'))).toBe(true);
    expect(source).not.toMatch(/https?:\/\//);
  });
});
