// A small static file server for the production build (dist/). Plain JavaScript so that `npm start` needs
// nothing but Node; TypeScript callers get types from serve.d.mts.
//
// The build uses a relative base (vite `base: './'`), so it must work from any subpath of a plain static host:
// `base` lets the browser tests serve it under `/wb/` to prove that no absolute path slipped in.
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';

/** MIME types a Vite build emits. `application/wasm` matters: instantiateStreaming refuses anything else. */
export const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.jsonl': 'application/x-ndjson',
  '.parquet': 'application/vnd.apache.parquet',
  '.onnx': 'application/octet-stream',
  '.zip': 'application/zip',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
};

/**
 * Serve `root` under `base` (e.g. '/' or '/wb/') on `host:port` (port 0 = any free port).
 * @param {{ root: string, base?: string, host?: string, port?: number, log?: (line: string) => void }} options
 * @returns {Promise<{ url: string, port: number, close: () => Promise<void> }>}
 */
export async function serveStatic(options) {
  const root = resolve(options.root);
  const base = normaliseBase(options.base ?? '/');
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => {});

  const server = createServer((request, response) => {
    const method = request.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    } catch {
      response.writeHead(400).end('bad request');
      return;
    }
    if (pathname === base.slice(0, -1) && base !== '/') {
      response.writeHead(301, { location: base }).end();
      return;
    }
    if (!pathname.startsWith(base)) {
      log(`404 ${pathname} (outside ${base})`);
      response.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${pathname}`);
      return;
    }
    let relative = pathname.slice(base.length);
    if (relative === '' || relative.endsWith('/')) relative += 'index.html';
    const filePath = normalize(join(root, relative));
    if (filePath !== root && !filePath.startsWith(root + sep)) {
      response.writeHead(403).end();
      return;
    }
    let stats;
    try {
      stats = statSync(filePath);
    } catch {
      stats = undefined;
    }
    if (!stats || !stats.isFile()) {
      log(`404 ${pathname}`);
      response.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${pathname}`);
      return;
    }
    const type = MIME_TYPES[extname(filePath).toLowerCase()] ?? 'application/octet-stream';
    response.writeHead(200, {
      'content-type': type,
      'content-length': String(stats.size),
      // A local workbench: always revalidate so a rebuilt dist is picked up on reload.
      'cache-control': 'no-cache',
    });
    if (method === 'HEAD') {
      response.end();
      return;
    }
    createReadStream(filePath).pipe(response);
  });

  await new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolvePromise(undefined));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : Number(options.port);
  return {
    url: `http://${host}:${port}${base}`,
    port,
    close: () =>
      new Promise((resolvePromise) => {
        server.closeAllConnections?.();
        server.close(() => resolvePromise(undefined));
      }),
  };
}

/** '/wb' and 'wb/' become '/wb/'; '' becomes '/'. */
function normaliseBase(base) {
  let out = base.startsWith('/') ? base : `/${base}`;
  if (!out.endsWith('/')) out += '/';
  return out;
}
