#!/usr/bin/env node
// `npm test`: lint, typecheck and every test (unit, Redis, browser) through Nx,
// against a real Redis (the private-Redis rule of `npm start`), closing on one
// plain line: `tests: N passed, N failed` (`, N skipped` when any were).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './lib/build.mjs';
import { debianToolVersions, ensureDebianTools } from './lib/debian.mjs';
import { ensureRedis, LaunchError } from './lib/redis.mjs';

// Three Nx runs, one after the other: the browser tests (`e2e`: the built API and
// dashboard in Debian's Chromium) start only once the Redis tests are done, so
// the two never compete for the machine's cores.
// The end-to-end suites (the browser tests, the deployment smoke test) run one at a time: each
// starts a whole stack, and two at once on a 2-core machine would time each other out.
// The Redis Cluster runs (`test-int-cluster`: the live tests again, against a throw-away cluster
// of three masters and three replicas on loopback, and its failover test) come between, alone
// too: their timings are the tests' subject.
const phases = [
  { targets: ['lint', 'typecheck', 'test', 'test-int'], args: [] },
  { targets: ['test-int-cluster'], args: [] },
  { targets: ['e2e'], args: ['--parallel=1'] },
];
const projectDirs = ['apps', 'libs', 'tools'].flatMap((group) =>
  readdirSync(join(root, group), { withFileTypes: true })
    .filter(
      (entry) => entry.isDirectory() && existsSync(join(root, group, entry.name, 'package.json')),
    )
    .map((entry) => join(root, group, entry.name)),
);

function runNx(targets, env, extra = []) {
  return new Promise((resolve) => {
    const args = [
      'nx',
      'run-many',
      '-t',
      ...targets,
      '--outputStyle=static',
      '--nxBail=false',
      ...extra,
    ];
    const child = spawn('npx', args, { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.on('exit', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** The task ids Nx lists under "Failed tasks:". */
function failedTasks(output) {
  // eslint-disable-next-line no-control-regex -- ANSI colour codes
  const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
  // One block per Nx run.
  return plain
    .split(/Failed tasks:/)
    .slice(1)
    .flatMap((block) => [...block.matchAll(/^\s*-\s+(\S+:\S+)/gm)].map((match) => match[1]));
}

async function main() {
  const say = (line) => process.stdout.write(`npm test: ${line}\n`);
  // Everything the tests drive is here before any of them starts, or nothing starts.
  const missing = ensureDebianTools(say);
  if (missing !== null) {
    say(missing);
    process.exit(2);
  }
  say(debianToolVersions());
  const url = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const redis = await ensureRedis(url, {
    dataDir: join(root, '.data/redis-test'),
    appendOnly: false,
    log: say,
  });
  for (const dir of projectDirs) rmSync(join(dir, '.reports'), { recursive: true, force: true });
  const run = { code: 0, output: '' };
  try {
    for (const { targets, args } of phases) {
      const phase = await runNx(
        targets,
        {
          ...process.env,
          REDIS_URL: url,
          NX_TUI: 'false',
          NX_NO_CLOUD: 'true',
          NEXT_TELEMETRY_DISABLED: '1',
        },
        args,
      );
      if (phase.code !== 0) run.code = phase.code;
      run.output += phase.output;
    }
  } finally {
    await redis.stop();
  }

  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const problems = [];
  const failedIds = failedTasks(run.output);
  for (const dir of projectDirs) {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const project = pkg.nx?.name ?? pkg.name;
    for (const [target, file] of [
      ['test', 'jest-unit.json'],
      ['test-int', 'jest-int.json'],
      ['test-int-cluster', 'jest-int-cluster.json'],
      ['e2e', 'jest-e2e.json'],
    ]) {
      if (!pkg.scripts?.[target]) continue;
      const report = join(dir, '.reports', file);
      if (!existsSync(report)) {
        failed += 1;
        problems.push(`${project}:${target} left no report (did it start?)`);
        continue;
      }
      const result = JSON.parse(readFileSync(report, 'utf8'));
      passed += result.numPassedTests;
      failed += result.numFailedTests;
      skipped += result.numPendingTests + result.numTodoTests;
      // A suite that failed to load has no failed test but must still count.
      const brokenSuites = result.testResults.filter(
        (suite) => suite.status === 'failed' && suite.assertionResults.length === 0,
      );
      failed += brokenSuites.length;
      for (const suite of brokenSuites)
        problems.push(`${project}:${target} could not run ${suite.name.replace(root, '')}`);
    }
  }
  // Lint and typecheck failures are failures of the run, counted like failed tests.
  for (const id of failedIds.filter((task) => /:(lint|typecheck)$/.test(task))) {
    failed += 1;
    problems.push(`${id} failed`);
  }
  // A failed build is named; the tests that needed it count as failed (they left no report).
  for (const id of failedIds.filter((task) => /:build$/.test(task)))
    problems.push(`${id} failed (the tests that need it could not run)`);
  if (run.code !== 0 && failed === 0) {
    failed += 1;
    problems.push(`nx exited with status ${run.code}`);
  }
  for (const problem of problems) process.stdout.write(`npm test: ${problem}\n`);
  process.stdout.write(
    `tests: ${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`,
  );
  process.exit(failed > 0 || run.code !== 0 ? 1 : 0);
}

main().catch((error) => {
  process.stderr.write(
    `npm test: ${error instanceof LaunchError ? error.message : (error?.stack ?? String(error))}\n`,
  );
  process.stdout.write('tests: 0 passed, 1 failed\n');
  process.exit(1);
});
