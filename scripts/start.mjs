#!/usr/bin/env node
// `npm start`: install dependencies and build if needed, then `arith up` (a local etcd + 3 nodes,
// shown working). Extra arguments go to `arith up`, e.g. `npm start -- --nodes 5`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(args) {
  console.error(`> npm ${args.join(' ')}`);
  const r = spawnSync(npm, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) run(['ci', '--no-audit', '--no-fund']);
const entry = join(root, 'dist', 'cli', 'arith.js');
if (!existsSync(entry) || statSync(entry).mtimeMs < newest(join(root, 'src'))) run(['run', 'build']);

const child = spawn(process.execPath, [entry, 'up', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
// Ctrl-C reaches the whole process group (and npm forwards it too): `arith up` shuts down on its own
// and reports its exit code; a SIGTERM sent to this process alone is passed on.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
