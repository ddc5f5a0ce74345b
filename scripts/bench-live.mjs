#!/usr/bin/env node
// npm run bench:live [-- options]: builds what the live benchmark runs (the
// API, with the libraries it depends on, and bench/), then runs
// bench/dist/live.js with the options (`npm run bench:live -- --help` lists
// them). The benchmark pins its own processes to cores and stops every one it
// started on Ctrl-C; this wrapper only passes signals on and waits for it.
import { spawn, spawnSync } from 'node:child_process';
import { nxBuild, root } from './lib/build.mjs';

const args = process.argv.slice(2);
if (nxBuild(['api'], { quiet: true }) !== 0) process.exit(1);
const tsc = spawnSync('npx', ['tsc', '-p', 'bench/tsconfig.json'], { cwd: root, stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

const child = spawn(process.execPath, ['bench/dist/live.js', ...args], {
  cwd: root,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
