// `npm start`: build the workbench if needed and serve it on http://127.0.0.1:4173/ (loopback only: the page
// needs no server beyond static files, and nothing should be exposed to the network). The demo run ships in
// public/demo/ and is copied into the build, so "Try the demo run" works offline.
//
//   npm start [-- --port 4173] [--host 127.0.0.1] [--rebuild | --no-build] [--dist DIR]
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DIST_DIR, REPO_ROOT, ensureBuild } from './build.mjs';
import { serveStatic } from './serve.mjs';

const args = process.argv.slice(2);
function flag(name, fallback) {
  const index = args.indexOf(`--${name}`);
  return index >= 0 && args[index + 1] !== undefined ? args[index + 1] : fallback;
}
const port = Number(flag('port', process.env.PORT ?? '4173'));
const host = flag('host', '127.0.0.1');
// --dist DIR: serve another copy of the build (the browser tests serve their own snapshot of dist/).
const root = flag('dist', DIST_DIR);

const demoDir = join(REPO_ROOT, 'public', 'demo');
if (!existsSync(demoDir) || readdirSync(demoDir).length === 0) {
  process.stderr.write('warning: public/demo/ is empty: "Try the demo run" will have nothing to load (npm run demo makes it)\n');
}

try {
  // --no-build: serve dist/ as it is (the browser tests build once and must not rebuild under each other).
  if (!args.includes('--no-build') && root === DIST_DIR) ensureBuild({ force: args.includes('--rebuild') });
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

let server;
try {
  server = await serveStatic({ root, base: '/', host, port });
} catch (error) {
  const code = error && typeof error === 'object' && 'code' in error ? error.code : '';
  process.stderr.write(
    code === 'EADDRINUSE'
      ? `port ${port} is already in use: stop the other server or pass --port N (npm start -- --port 4174)\n`
      : `could not serve dist/: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
}

console.log(`ML workbench: ${server.url}  (Ctrl+C to stop)`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close().then(() => process.exit(0));
  });
}
