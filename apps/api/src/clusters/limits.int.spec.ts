import type { INestApplication } from '@nestjs/common';
import type { CreateClusterResponse } from '@overcommit/contracts';
import type { Redis } from 'ioredis';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { io } from 'socket.io-client';
import { createApp } from '../app';
import { loadApiConfig } from '../config/api-config';
import { REDIS } from '../redis/redis.module';
import { httpRequest, type HttpResult } from '../testing/http';
import { clusterIndexKey } from '../storage/keys';

// What an outside tester did to the API (issue 14), each answered with a clear 4xx that names the
// limit or the field, before any work proportional to the input, and with nothing changed.
const small = {
  version: 1,
  name: 'limits',
  clock: { tickMs: 100 },
  hosts: [{ name: 'esx', cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 64 }],
  vms: [{ name: 'vm', count: 2, vcpus: 2, memoryGiB: 4 }],
};

jest.setTimeout(60_000);

async function start(
  env: Record<string, string> = {},
): Promise<{ app: INestApplication; url: string }> {
  const app = await createApp(loadApiConfig({ ...process.env, ...env }), false);
  await app.listen(0, '127.0.0.1');
  return {
    app,
    url: `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`,
  };
}

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});
const yaml = (text: string) => ({
  method: 'POST',
  headers: { 'content-type': 'text/yaml' },
  body: text,
});
const errorsOf = (response: HttpResult) =>
  (response.body as { errors?: { path: string; message: string }[] }).errors ?? [];

describe('limits on what one request may ask of the API', () => {
  let app: INestApplication;
  let url: string;
  let redis: Redis;
  const prefix = loadApiConfig(process.env).REDIS_PREFIX;

  beforeAll(async () => {
    ({ app, url } = await start({ MAX_CLUSTERS_PER_ADDRESS: '1000', MAX_CLUSTERS: '5000' }));
    redis = app.get<Redis>(REDIS);
  });
  afterAll(async () => {
    await app.close();
  });

  it('refuses a YAML host with count 1e9 at once, naming the limit, while health keeps answering and nothing reaches Redis', async () => {
    const before = await redis.scard(clusterIndexKey(prefix));
    const text = `version: 1
name: a billion hosts
hosts:
  - name: esx
    count: 1e9
    cpu: { sockets: 1, coresPerSocket: 1 }
    memoryGiB: 1
`;
    const [created, health] = await Promise.all([
      httpRequest(`${url}/api/clusters`, yaml(text)),
      httpRequest(`${url}/api/health/live`),
    ]);
    expect(health.status).toBe(200);
    expect(created.status).toBe(400);
    expect(errorsOf(created)).toEqual([
      { path: 'hosts[0].count', message: 'count is at most 1,000,000 (got 1000000000)' },
    ]);
    // Within the value bound, the cluster's own limit answers, naming its setting.
    const many = await httpRequest(
      `${url}/api/clusters`,
      yaml(text.replace('count: 1e9', 'count: 100000')),
    );
    expect(errorsOf(many)).toEqual([
      {
        path: 'hosts[0].count',
        message: '100,000 hosts in all; a cluster may have at most 500 hosts (SCENARIO_MAX_HOSTS)',
      },
      {
        path: 'hosts',
        message:
          '100,000 logical CPUs in all (sockets x cores x threads x count); a cluster may have at most 65,536 logical CPUs (SCENARIO_MAX_LOGICAL_CPUS)',
      },
    ]);
    expect(await redis.scard(clusterIndexKey(prefix))).toBe(before);
    expect((await httpRequest(`${url}/api/health/live`)).status).toBe(200);
  });

  it('refuses a million sockets, 100,000 VMs and memory of 1e308, each at its path', async () => {
    const host = (patch: object) => ({ ...small, hosts: [{ ...small.hosts[0], ...patch }] });
    const sockets = await httpRequest(
      `${url}/api/clusters`,
      json({ scenario: host({ cpu: { sockets: 1_000_000, coresPerSocket: 1 } }) }),
    );
    expect(sockets.status).toBe(400);
    expect(errorsOf(sockets)).toEqual([
      { path: 'hosts[0].cpu.sockets', message: 'sockets is at most 16 (got 1000000)' },
    ]);
    const vms = await httpRequest(
      `${url}/api/clusters`,
      json({
        scenario: { ...small, vms: [{ name: 'vm', count: 100_000, vcpus: 1, memoryGiB: 1 }] },
      }),
    );
    expect(errorsOf(vms)).toEqual([
      {
        path: 'vms[0].count',
        message:
          '100,000 VMs in all (with those events create); a cluster may have at most 10,000 VMs (SCENARIO_MAX_VMS)',
      },
    ]);
    const memory = await httpRequest(
      `${url}/api/clusters`,
      json({
        scenario: {
          ...host({ memoryGiB: 1e308 }),
          vms: [{ name: 'vm', vcpus: 1, memoryGiB: 1e308 }],
        },
      }),
    );
    expect(errorsOf(memory)).toEqual([
      { path: 'hosts[0].memoryGiB', message: 'memoryGiB is at most 65,536 (got 1e+308)' },
      { path: 'vms[0].memoryGiB', message: 'memoryGiB is at most 24,576 (got 1e+308)' },
    ]);
  });

  it('answers YAML nested 5,000 deep, and JSON nested as deep, with a clear 400', async () => {
    const deep = await httpRequest(
      `${url}/api/clusters`,
      yaml(`version: 1\nname: deep\nhosts: ${'['.repeat(5000)}${']'.repeat(5000)}\n`),
    );
    expect(deep.status).toBe(400);
    expect(errorsOf(deep)).toEqual([
      {
        path: '(file)',
        message:
          'the request body nests more than 64 levels deep (at line 3); a scenario needs about 6',
      },
    ]);
    const nested = `{"scenario":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
    const deepJson = await httpRequest(`${url}/api/clusters`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: nested,
    });
    expect(deepJson.status).toBe(400);
    expect(JSON.stringify(deepJson.body)).not.toContain('Maximum call stack');
  });

  it('refuses control characters and invalid Unicode in names', async () => {
    const surrogate = await httpRequest(
      `${url}/api/clusters`,
      json({ scenario: { ...small, name: 'demo \ud800' } }),
    );
    expect(errorsOf(surrogate)).toEqual([
      { path: 'name', message: 'name is not valid Unicode (a lone surrogate)' },
    ]);
    const created = (await httpRequest(`${url}/api/clusters`, json({ scenario: small })))
      .body as CreateClusterResponse;
    const escape = await httpRequest(
      `${url}/api/clusters/${created.id}/commands?token=${created.operatorToken}`,
      // A C1 control character (CSI), as a header can carry it.
      json({ do: 'pause' }, { 'x-user-name': 'Lin\u009b2J' }),
    );
    expect(escape.status).toBe(400);
    expect(errorsOf(escape)).toEqual([
      {
        path: 'X-User-Name',
        message: expect.stringContaining(
          'a display name contains a control character (U+009B',
        ) as string,
      },
    ]);
    // A socket's display name, in the handshake and in a join.
    const socket = io(url, {
      auth: { name: 'Sam\u0000' },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    });
    const refused = await new Promise<string>((resolve) =>
      socket.once('connect_error', (e) => resolve(e.message)),
    );
    socket.close();
    expect(refused).toContain('a display name contains a control character (U+0000 at position 3)');
  });

  it('says a command id is too long and a speed too slow, and the cluster keeps ticking', async () => {
    const created = (await httpRequest(`${url}/api/clusters`, json({ scenario: small })))
      .body as CreateClusterResponse;
    const commands = `${url}/api/clusters/${created.id}/commands?token=${created.operatorToken}`;
    const long = await httpRequest(commands, json({ id: 'x'.repeat(101), do: 'pause' }));
    expect(long.status).toBe(400);
    expect(errorsOf(long)).toEqual([
      { path: 'id', message: 'a command id is at most 100 characters' },
    ]);
    const longEngine = await httpRequest(
      commands,
      json({ id: 'x'.repeat(101), do: 'fail-host', target: 'esx' }),
    );
    expect(errorsOf(longEngine)).toEqual([
      { path: 'id', message: 'a command id is at most 100 characters' },
    ]);
    const slow = await httpRequest(commands, json({ do: 'set-speed', speed: 1e-300 }));
    expect(slow.status).toBe(400);
    expect(errorsOf(slow)).toEqual([
      { path: 'speed', message: 'speed is at least 0.1 (ten times slower than life)' },
    ]);
    const tickOf = async () =>
      (await httpRequest(`${url}/api/clusters/${created.id}/summary`)).body as {
        tick: number;
        tickMs: number;
      };
    const first = await tickOf();
    expect(first.tickMs).toBe(100);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect((await tickOf()).tick).toBeGreaterThan(first.tick);
  });

  it('answers 404 to deleting a private cluster without its link, as GET does', async () => {
    const make = async (visibility: string) =>
      (await httpRequest(`${url}/api/clusters`, json({ scenario: small, visibility })))
        .body as CreateClusterResponse;
    const secret = await make('private');
    const other = await make('private');
    for (const token of [undefined, 'garbage', other.operatorToken]) {
      const query = token ? `?token=${token}` : '';
      const del = await httpRequest(`${url}/api/clusters/${secret.id}${query}`, {
        method: 'DELETE',
      });
      const get = await httpRequest(`${url}/api/clusters/${secret.id}${query}`);
      expect([del.status, get.status]).toEqual([404, 404]);
      expect(del.body).toEqual(get.body);
    }
    // Its viewer link may see it, and is told it may not delete it.
    const viewer = await httpRequest(
      `${url}/api/clusters/${secret.id}?token=${secret.viewerToken}`,
      {
        method: 'DELETE',
      },
    );
    expect(viewer.status).toBe(403);
    const gone = await httpRequest(
      `${url}/api/clusters/${secret.id}?token=${secret.operatorToken}`,
      {
        method: 'DELETE',
      },
    );
    expect(gone.status).toBe(204);
  });

  it('builds the links it hands out from PUBLIC_URL, never from the request’s headers', async () => {
    const plain = (await httpRequest(`${url}/api/clusters`, json({ scenario: small })))
      .body as CreateClusterResponse;
    // Default: the dashboard on WEB_PORT, not the API's own port.
    expect(plain.operatorLink).toBe(
      `http://localhost:${loadApiConfig(process.env).WEB_PORT}/clusters/${plain.id}?token=${plain.operatorToken}`,
    );
    const forged = (
      await httpRequest(
        `${url}/api/clusters`,
        json({ scenario: small }, { origin: 'https://evil.example', host: 'evil.example' }),
      )
    ).body as CreateClusterResponse;
    expect(forged.viewerLink).not.toContain('evil');
    const other = await start({ PUBLIC_URL: 'https://overcommit.example.org/' });
    try {
      const created = (await httpRequest(`${other.url}/api/clusters`, json({ scenario: small })))
        .body as CreateClusterResponse;
      expect(created.viewerLink).toBe(`https://overcommit.example.org/clusters/${created.id}`);
    } finally {
      await other.app.close();
    }
  });
});

describe('limits by client address', () => {
  it('does not believe X-Forwarded-For unless TRUST_PROXY names the proxy', async () => {
    const { app, url } = await start({ RATE_LIMIT_HTTP: '20' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await httpRequest(`${url}/api/clusters`)).status);
      expect(statuses.every((s) => s === 200)).toBe(true);
      // 50 forged addresses, after the limit: every one is still this client, and refused.
      const forged: number[] = [];
      for (let i = 0; i < 50; i++)
        forged.push(
          (
            await httpRequest(`${url}/api/clusters`, {
              headers: { 'x-forwarded-for': `203.0.113.${i}` },
            })
          ).status,
        );
      expect(forged.filter((s) => s === 429)).toHaveLength(50);
    } finally {
      await app.close();
    }
    // Behind a front door that TRUST_PROXY names, each forwarded address has its own limit.
    const proxied = await start({ RATE_LIMIT_HTTP: '20', TRUST_PROXY: '127.0.0.1' });
    try {
      for (let i = 0; i < 20; i++)
        await httpRequest(`${proxied.url}/api/clusters`, {
          headers: { 'x-forwarded-for': '198.51.100.1' },
        });
      expect(
        (
          await httpRequest(`${proxied.url}/api/clusters`, {
            headers: { 'x-forwarded-for': '198.51.100.1' },
          })
        ).status,
      ).toBe(429);
      expect(
        (
          await httpRequest(`${proxied.url}/api/clusters`, {
            headers: { 'x-forwarded-for': '198.51.100.2' },
          })
        ).status,
      ).toBe(200);
    } finally {
      await proxied.app.close();
    }
  });

  it('limits socket events per address over all its connections, not only per connection', async () => {
    const { app, url } = await start({ RATE_LIMIT_SOCKET: '50', RATE_LIMIT_SOCKET_ADDRESS: '30' });
    const sockets = Array.from({ length: 20 }, (_, i) =>
      io(url, {
        auth: { name: `s${i}` },
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
      }),
    );
    try {
      await Promise.all(
        sockets.map((s) => new Promise<void>((resolve) => s.once('connect', () => resolve()))),
      );
      // 20 connections x 3 events: within each connection's 50, over the address's 30.
      const replies = (await Promise.all(
        sockets.flatMap((s) => [0, 1, 2].map(() => s.emitWithAck('leave', { clusterId: 'none' }))),
      )) as { ok: boolean; error?: string }[];
      const limited = replies.filter((r) => r.error?.includes('RATE_LIMIT_SOCKET_ADDRESS'));
      expect(limited).toHaveLength(30);
      expect(limited[0]!.error).toBe(
        'too many events: at most 30 per 10 s from one address over all its connections (RATE_LIMIT_SOCKET_ADDRESS); wait a few seconds',
      );
    } finally {
      for (const s of sockets) s.close();
      await app.close();
    }
  });

  it('keeps at most MAX_CLUSTERS_PER_ADDRESS clusters per address and MAX_CLUSTERS in all, and an exercise gets all its teams or none', async () => {
    // Behind a trusted front door, so this test's address is its own (192.0.2.x, documentation's).
    const { app, url } = await start({
      MAX_CLUSTERS_PER_ADDRESS: '3',
      MAX_CLUSTERS: '100000',
      TRUST_PROXY: 'loopback',
    });
    const from = { 'x-forwarded-for': `192.0.2.${Math.floor(Math.random() * 250)}` };
    const redis = app.get<Redis>(REDIS);
    const prefix = loadApiConfig(process.env).REDIS_PREFIX;
    const created: CreateClusterResponse[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const r = await httpRequest(`${url}/api/clusters`, json({ scenario: small }, from));
        expect(r.status).toBe(201);
        created.push(r.body as CreateClusterResponse);
      }
      const fourth = await httpRequest(`${url}/api/clusters`, json({ scenario: small }, from));
      expect(fourth.status).toBe(429);
      expect((fourth.body as { message: string }).message).toBe(
        'one address may keep at most 3 clusters (MAX_CLUSTERS_PER_ADDRESS), and yours has no room for a cluster: delete one of yours first',
      );
      // Deleting one makes room again.
      const first = created.shift()!;
      await httpRequest(`${url}/api/clusters/${first.id}?token=${first.operatorToken}`, {
        method: 'DELETE',
      });
      const again = await httpRequest(`${url}/api/clusters`, json({ scenario: small }, from));
      expect(again.status).toBe(201);
      created.push(again.body as CreateClusterResponse);
      // An exercise for two teams does not fit in no room: nothing of it is created.
      const indexBefore = await redis.scard(clusterIndexKey(prefix));
      const exercise = await httpRequest(
        `${url}/api/exercises`,
        json({ scenarioName: 'exercises/cpu-contention', teams: 2 }, from),
      );
      expect(exercise.status).toBe(429);
      expect(await redis.scard(clusterIndexKey(prefix))).toBe(indexBefore);
    } finally {
      for (const c of created)
        await httpRequest(`${url}/api/clusters/${c.id}?token=${c.operatorToken}`, {
          method: 'DELETE',
        });
      await app.close();
    }
    // The deployment's own limit, counted over every address.
    const total = await start({ MAX_CLUSTERS: '1', MAX_CLUSTERS_PER_ADDRESS: '1000' });
    try {
      const count = await total.app.get<Redis>(REDIS).scard(clusterIndexKey(prefix));
      expect(count).toBeGreaterThanOrEqual(1); // earlier tests' clusters are still there
      const refused = await httpRequest(`${total.url}/api/clusters`, json({ scenario: small }));
      expect(refused.status).toBe(429);
      expect((refused.body as { message: string }).message).toBe(
        'this server keeps at most 1 cluster (MAX_CLUSTERS) and has no room for a cluster: delete one first',
      );
    } finally {
      await total.app.close();
    }
  });
});
