#!/usr/bin/env node
// Runs a compiled benchmark on one core (taskset, when the machine has it) with
// the garbage collector exposed, so heap figures are live data only.
import { spawnSync } from 'node:child_process';

const [script, ...args] = process.argv.slice(2);
const hasTaskset = spawnSync('sh', ['-c', 'command -v taskset'], { stdio: 'ignore' }).status === 0;
const command = hasTaskset ? 'taskset' : process.execPath;
const argv = hasTaskset
  ? ['-c', '0', process.execPath, '--expose-gc', '--max-old-space-size=8192', script, ...args]
  : ['--expose-gc', '--max-old-space-size=8192', script, ...args];
const result = spawnSync(command, argv, { stdio: 'inherit' });
process.exit(result.status ?? 1);
