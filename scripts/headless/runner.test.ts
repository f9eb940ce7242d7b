// Node tests of the runner's pieces that need no browser: flag parsing, timings.json, the static server.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic, type StaticServer } from '../serve.mjs';
import { UsageError, parseFlags, userPath } from './cli.ts';
import { timingsFromRunRecord } from '../headless.ts';

describe('userPath', () => {
  it('takes a relative path from where the user ran npm (INIT_CWD), not from the package root', () => {
    const saved = process.env.INIT_CWD;
    try {
      process.env.INIT_CWD = '/home/me/runs';
      expect(userPath('run-10')).toBe('/home/me/runs/run-10');
      expect(userPath('/abs/out')).toBe('/abs/out');
    } finally {
      if (saved === undefined) delete process.env.INIT_CWD;
      else process.env.INIT_CWD = saved;
    }
  });
});

describe('parseFlags', () => {
  const spec = { out: 'string', 'ridge-alpha': 'number', 'huber-max-iter': 'integer', webgpu: 'boolean' } as const;

  it('reads --name value and --name=value, keeping numbers as typed', () => {
    expect(parseFlags(['--out', 'x', '--ridge-alpha=10.0', '--huber-max-iter', '5', '--webgpu'], spec)).toEqual({
      out: 'x',
      'ridge-alpha': '10.0',
      'huber-max-iter': '5',
      webgpu: 1,
    });
  });

  it('refuses unknown flags, missing values, non-numbers and non-integers, naming the flag', () => {
    expect(() => parseFlags(['--bogus', '1'], spec)).toThrow(new UsageError('unknown flag --bogus'));
    expect(() => parseFlags(['--out'], spec)).toThrow(/--out needs a value/);
    expect(() => parseFlags(['--ridge-alpha', 'ten'], spec)).toThrow(/--ridge-alpha must be a number, found "ten"/);
    expect(() => parseFlags(['--huber-max-iter', '2.5'], spec)).toThrow(/--huber-max-iter must be an integer/);
    expect(() => parseFlags(['stray'], spec)).toThrow(/unexpected argument "stray"/);
  });
});

describe('timingsFromRunRecord', () => {
  it('takes the page-measured stage times, total and per-fit backend from the run record', () => {
    const record = {
      stage_timings_ms: { intake: 12.5, train: 800 },
      stage_spans_epoch_ms: { intake: [1000, 1012.5], train: [1020, 1820] },
      total_ms: 1234.5,
      fits: [{ key: 'long_market_only:classifier', model: 'logistic', backend: 'wasm', ms: 40, iterations: 17, converged: true, extra: 1 }],
    };
    const timings = timingsFromRunRecord(record, { run_ms: 2000 });
    expect(timings.total_ms).toBe(1234.5);
    expect(timings.stages_ms).toEqual({ intake: 12.5, train: 800 });
    expect(timings.stage_spans_epoch_ms).toEqual({ intake: [1000, 1012.5], train: [1020, 1820] });
    expect(timings.fits).toEqual([{ key: 'long_market_only:classifier', model: 'logistic', backend: 'wasm', ms: 40, iterations: 17, converged: true }]);
    expect(timings.runner_ms).toEqual({ run_ms: 2000 });
  });
});

describe('serveStatic under a subpath', () => {
  let root: string;
  let server: StaticServer;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'serve-test-'));
    mkdirSync(join(root, 'dist', 'assets'), { recursive: true });
    writeFileSync(join(root, 'dist', 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(join(root, 'dist', 'assets', 'm.wasm'), new Uint8Array([0, 97, 115, 109]));
    writeFileSync(join(root, 'dist', 'assets', 'a.js'), 'export {}');
    writeFileSync(join(root, 'secret.txt'), 'outside the served folder');
    server = await serveStatic({ root: join(root, 'dist'), base: '/wb/' });
  });
  afterAll(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  function get(path: string): Promise<{ status: number; type: string | undefined; location: string | undefined; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], location: res.headers.location, body }),
        );
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('serves index.html at the base, with MIME types the browser insists on', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/wb/`);
    expect((await get('/wb/')).type).toMatch(/^text\/html/);
    expect((await get('/wb/assets/m.wasm')).type).toBe('application/wasm');
    expect((await get('/wb/assets/a.js')).type).toMatch(/^text\/javascript/);
  });

  it('redirects the bare subpath, and refuses what is outside the base or the folder', async () => {
    const bare = await get('/wb');
    expect(bare.status).toBe(301);
    expect(bare.location).toBe('/wb/');
    expect((await get('/index.html')).status).toBe(404);
    expect((await get('/wb/missing.js')).status).toBe(404);
    const escape = await get('/wb/%2e%2e/secret.txt');
    expect([403, 404]).toContain(escape.status);
    expect(escape.body).not.toContain('outside the served folder');
  });
});
