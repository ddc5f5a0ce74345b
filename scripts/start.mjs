#!/usr/bin/env node
// `npm start`: builds what needs building, starts the API (worker role
// included) and the web app in production mode, prints their URLs when they
// answer, and stops everything it started on Ctrl-C.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { nxBuild, root } from './lib/build.mjs';
import { portIsFree, startChild, stopAll, waitForHttp } from './lib/proc.mjs';
import { ensureRedis, LaunchError } from './lib/redis.mjs';

const require = createRequire(import.meta.url);
let redis;
let stopping = false;

function say(line) {
  process.stdout.write(`overcommit: ${line}\n`);
}

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  if (code === 0) say('stopping');
  await stopAll();
  await redis?.stop();
  if (code === 0) say('stopped; nothing left running');
  process.exit(code);
}

function fail(message) {
  process.stderr.write(`overcommit: ${message}\n`);
  return shutdown(1);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

async function main() {
  // The environment is parsed by the same schema the apps use (libs/contracts).
  if (nxBuild(['contracts'], { quiet: true }) !== 0)
    return fail('libs/contracts did not build (output above)');
  const { launcherEnvSchema, parseEnv } = require(join(root, 'libs/contracts/dist/index.js'));
  const env = parseEnv(launcherEnvSchema, process.env);
  if (!env.ok) return fail(env.message);
  const { REDIS_URL, API_PORT, WEB_PORT } = env.value;
  if (API_PORT === WEB_PORT)
    return fail(`API_PORT and WEB_PORT are both ${API_PORT}: give them different ports`);
  for (const [name, port] of [
    ['API_PORT', API_PORT],
    ['WEB_PORT', WEB_PORT],
  ]) {
    if (!(await portIsFree(port))) {
      return fail(
        `${name} ${port} is already in use: stop what holds it or set ${name} to a free port`,
      );
    }
  }

  redis = await ensureRedis(REDIS_URL, {
    dataDir: join(root, '.data/redis'),
    appendOnly: true,
    log: say,
  });

  const apiUrl = process.env.NEXT_PUBLIC_API_URL || `http://localhost:${API_PORT}`;
  say('building (the first build takes about a minute; later ones come from the Nx cache)');
  process.env.NEXT_PUBLIC_API_URL = apiUrl;
  if (nxBuild(['contracts', 'sim', 'api', 'web'], { quiet: true }) !== 0)
    return fail('the build failed (output above)');
  const apiEntry = join(root, 'apps/api/dist/main.js');
  const webBuild = join(root, 'apps/web/.next/BUILD_ID');
  for (const artefact of [apiEntry, webBuild]) {
    if (!existsSync(artefact))
      return fail(
        `${artefact} is missing after the build: run \`npm run build\` and read its errors`,
      );
  }

  const childEnv = {
    ...process.env,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    REDIS_URL,
    API_PORT: String(API_PORT),
    WEB_PORT: String(WEB_PORT),
    ROLE: process.env.ROLE || 'all',
    // The API logs a JSON line per request; in this console only warnings and errors (LOG_LEVEL=info for all).
    LOG_LEVEL: process.env.LOG_LEVEL || 'warn',
    NEXT_PUBLIC_API_URL: apiUrl,
  };
  // Once up, a process that dies is started again and the others keep running (a crashed API
  // must not take the dashboard with it); one that keeps dying (3 times in a minute) ends the run.
  let ready = false;
  const supervise = (name, label, command, args, cwd) => {
    const deaths = [];
    let current;
    const launch = () => {
      current = startChild(name, command, args, {
        cwd,
        env: childEnv,
        onExit: (code, signal, tail) => {
          const why = `${label} stopped (${signal ?? `exit ${code}`}): ${tail.filter(Boolean).at(-1) ?? 'no output'}`;
          const now = Date.now();
          deaths.push(now);
          while (deaths[0] < now - 60_000) deaths.shift();
          if (!ready || stopping || deaths.length >= 3)
            return void fail(ready ? `${why}; it stopped 3 times in a minute` : why);
          say(`${why}; starting it again, the rest keeps running`);
          launch();
        },
      });
    };
    launch();
    return {
      get exitCode() {
        return current.exitCode;
      },
    };
  };
  const api = supervise('api', 'the API', process.execPath, [apiEntry], join(root, 'apps/api'));
  const nextBin = require.resolve('next/dist/bin/next', { paths: [join(root, 'apps/web')] });
  const web = supervise(
    'web',
    'the web app',
    process.execPath,
    [nextBin, 'start', '-p', String(WEB_PORT)],
    join(root, 'apps/web'),
  );

  const alive = (child) => () => child.exitCode === null && !stopping;
  const [apiUp, webUp] = await Promise.all([
    waitForHttp(`http://127.0.0.1:${API_PORT}/api/health`, 60_000, alive(api)),
    waitForHttp(`http://127.0.0.1:${WEB_PORT}/`, 60_000, alive(web)),
  ]);
  if (stopping) return;
  if (!apiUp) return fail(`the API did not answer on port ${API_PORT} within 60 s`);
  if (!webUp) return fail(`the web app did not answer on port ${WEB_PORT} within 60 s`);
  // A newcomer sees live data at once: the demo cluster, unless one exists.
  try {
    const clusters = await (await fetch(`http://127.0.0.1:${API_PORT}/api/clusters`)).json();
    if (!clusters.some((c) => c.name.startsWith('Demo'))) {
      const created = await fetch(`http://127.0.0.1:${API_PORT}/api/clusters`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ scenarioName: 'demo' }),
      });
      const demo = await created.json();
      if (created.ok)
        say(`created the demo cluster ${demo.id} (operator link ${demo.operatorLink})`);
      else say(`could not create the demo cluster: ${demo.message ?? created.status}`);
    }
  } catch (error) {
    say(`could not create the demo cluster: ${error.message}`);
  }
  ready = true;
  say(
    `ready: dashboard http://localhost:${WEB_PORT}  API http://localhost:${API_PORT}/api  Redis ${redis.privateRedis ? 'private, ' : ''}${REDIS_URL}`,
  );
  say('press Ctrl-C to stop everything');
}

main().catch((error) =>
  fail(error instanceof LaunchError ? error.message : (error?.stack ?? String(error))),
);
