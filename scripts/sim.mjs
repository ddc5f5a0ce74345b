#!/usr/bin/env node
// `npm run sim -- ...`: the headless runner (apps/cli), built first when needed.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { isStale, nxBuild, root } from './lib/build.mjs';

const entry = join(root, 'apps/cli/dist/main.js');
const sources = [
  'apps/cli/src',
  'libs/sim/src',
  'libs/contracts/src',
  'libs/scenario-files/src',
].map((dir) => join(root, dir));
if (isStale(entry, sources) && nxBuild(['cli'], { quiet: true }) !== 0) {
  console.error(
    'overcommit-sim: the runner did not build (output above); fix the build and try again',
  );
  process.exit(1);
}
const result = spawnSync(process.execPath, [entry, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
