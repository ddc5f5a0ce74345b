import type { INestApplication } from '@nestjs/common';
import type { CreateClusterResponse } from '@overcommit/contracts';
import { spawnSync } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { io, type Socket } from 'socket.io-client';
import { createApp } from '../app';
import { loadApiConfig } from '../config/api-config';
import { httpRequest } from '../testing/http';

// What operators of a deployment rely on, against a real Redis with a worker
// ticking: Prometheus metrics that promtool accepts and that carry the
// simulated cluster's own figures, liveness and readiness probes, rate limits
// on HTTP and on socket commands, and security headers.
const scenario = {
  version: 1,
  name: 'operations test',
  clock: { tickMs: 100, stepSeconds: 1 },
  hosts: [{ name: 'esx', count: 2, cpu: { sockets: 2, coresPerSocket: 4 }, memoryGiB: 32 }],
  vms: [{ name: 'vm', count: 3, vcpus: 2, memoryGiB: 4 }],
};

const PROMTOOL = process.env['PROMTOOL'] ?? 'promtool';

jest.setTimeout(30_000);

async function start(env: NodeJS.ProcessEnv) {
  const app = await createApp(loadApiConfig({ ...process.env, ...env }), false);
  await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
  return { app, url };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 10_000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('operations: metrics, health, limits, headers', () => {
  let app: INestApplication;
  let url: string;
  let cluster: CreateClusterResponse;

  beforeAll(async () => {
    ({ app, url } = await start({ ROLE: 'all', RATE_LIMIT_HTTP: '40', RATE_LIMIT_SOCKET: '5' }));
    const response = await httpRequest(`${url}/api/clusters`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scenario }),
    });
    expect(response.status).toBe(201);
    cluster = response.body as CreateClusterResponse;
  });
  afterAll(async () => {
    await httpRequest(`${url}/api/clusters/${cluster.id}?token=${cluster.operatorToken}`, {
      method: 'DELETE',
    });
    await app.close();
  });

  it('serves /metrics that promtool accepts, with tick histograms and the cluster figures by cluster and host', async () => {
    // Wait until the worker has ticked the cluster a few times.
    const text = await until('ticks in /metrics', async () => {
      const r = await httpRequest(`${url}/metrics`);
      const body = String(r.body);
      return /^overcommit_ticks_total [1-9]/m.test(body) &&
        body.includes(`overcommit_cluster_tick{cluster="${cluster.id}"}`)
        ? body
        : undefined;
    });
    const check = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    if (check.error)
      throw new Error(
        `promtool is needed to check the metrics (Debian: apt-get install prometheus): ${check.error.message}`,
      );
    expect(`${check.stdout}${check.stderr}`.trim()).toBe('');
    expect(check.status).toBe(0);

    for (const line of [
      /^process_cpu_user_seconds_total \d/m,
      /^overcommit_tick_lag_seconds_bucket\{le="0\.1"\} \d+/m,
      /^overcommit_tick_duration_seconds_count [1-9]\d*/m,
      new RegExp(
        `^overcommit_cluster_info\\{cluster="${cluster.id}",name="operations test"\\} 1`,
        'm',
      ),
      new RegExp(`^overcommit_cluster_hosts_up\\{cluster="${cluster.id}"\\} 2`, 'm'),
      new RegExp(`^overcommit_cluster_vms_running\\{cluster="${cluster.id}"\\} 3`, 'm'),
      new RegExp(
        `^overcommit_host_up\\{cluster="${cluster.id}",host="esx-01",state="up"\\} 1`,
        'm',
      ),
      new RegExp(
        `^overcommit_host_cpu_ready_ratio\\{cluster="${cluster.id}",host="esx-02"\\} [\\d.e-]+`,
        'm',
      ),
      new RegExp(
        `^overcommit_host_memory_bytes\\{cluster="${cluster.id}",host="esx-01",state="total"\\} \\d{10,11}`,
        'm',
      ),
      new RegExp(
        `^overcommit_host_numa_remote_access_ratio\\{cluster="${cluster.id}",host="esx-01",node="0"\\} `,
        'm',
      ),
      new RegExp(
        `^overcommit_alarms_firing\\{cluster="${cluster.id}",severity="critical"\\} \\d+`,
        'm',
      ),
      /^overcommit_cluster_metrics_up 1/m,
    ])
      expect(text).toMatch(line);
    expect((await httpRequest(`${url}/metrics`)).headers['content-type']).toMatch(
      /^text\/plain;.*\bversion=0\.0\.4/,
    );
  });

  it('counts commands by outcome and socket clients', async () => {
    const socket: Socket = io(url, {
      auth: { name: 'ops' },
      transports: ['websocket'],
      forceNew: true,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      const joined = (await socket.emitWithAck('join', {
        clusterId: cluster.id,
        token: cluster.viewerToken,
        name: 'ops',
      })) as { ok: boolean };
      expect(joined.ok).toBe(true);
      // A viewer's command is rejected before it reaches the engine.
      const refused = (await socket.emitWithAck('command', {
        clusterId: cluster.id,
        do: 'pause',
      })) as { status: string; reason: string };
      expect(refused.status).toBe('refused');
      const text = String((await httpRequest(`${url}/metrics`)).body);
      expect(text).toMatch(/^overcommit_commands_total\{outcome="rejected"\} [1-9]/m);
      expect(text).toMatch(/^overcommit_socket_clients [1-9]/m);

      // RATE_LIMIT_SOCKET=5: three more events pass, the sixth and later are refused with the reason.
      const replies: Array<{ status?: string; reason?: string }> = [];
      for (let i = 0; i < 4; i++)
        replies.push(
          (await socket.emitWithAck('command', { clusterId: cluster.id, do: 'pause' })) as {
            status: string;
          },
        );
      expect(replies.slice(0, 3).every((r) => r.reason?.includes('viewer'))).toBe(true);
      expect(replies[3]).toMatchObject({ status: 'refused' });
      expect(replies[3]!.reason).toMatch(
        /at most 5 per 10 s on one connection \(RATE_LIMIT_SOCKET\)/,
      );
      expect(String((await httpRequest(`${url}/metrics`)).body)).toMatch(
        /^overcommit_commands_total\{outcome="rate-limited"\} 1/m,
      );
    } finally {
      socket.disconnect();
    }
  });

  it('answers liveness and readiness with each check, Redis, the queue and the tick worker', async () => {
    const live = await httpRequest(`${url}/api/health/live`);
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ status: 'ok', details: { process: { status: 'up' } } });
    const ready = await httpRequest(`${url}/api/health/ready`);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'ok',
      details: {
        process: { status: 'up' },
        redis: { status: 'up' },
        queue: { status: 'up' },
        ticks: { status: 'up' },
      },
    });
  });

  it('sends helmet headers and limits HTTP requests per address with a 429 that says why', async () => {
    const first = await httpRequest(`${url}/api/clusters`);
    expect(first.headers['x-content-type-options']).toBe('nosniff');
    expect(first.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(first.headers['x-powered-by']).toBeUndefined();
    expect(first.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    let status = 0;
    let body: unknown;
    for (let i = 0; i < 45 && status !== 429; i++)
      ({ status, body } = await httpRequest(`${url}/api/clusters`));
    expect(status).toBe(429);
    expect(JSON.stringify(body)).toMatch(
      /at most 40 a minute from one address \(RATE_LIMIT_HTTP\)/,
    );
    // Probes and scrapes are never limited.
    expect((await httpRequest(`${url}/api/health/live`)).status).toBe(200);
    expect((await httpRequest(`${url}/metrics`)).status).toBe(200);
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  it('wants the bearer token', async () => {
    const { app, url } = await start({ ROLE: 'worker', METRICS_TOKEN: 'a-long-metrics-secret' });
    try {
      const refused = await httpRequest(`${url}/metrics`);
      expect(refused.status).toBe(401);
      expect(JSON.stringify(refused.body)).toMatch(/Authorization: Bearer <METRICS_TOKEN>/);
      const allowed = await httpRequest(`${url}/metrics`, {
        headers: { authorization: 'Bearer a-long-metrics-secret' },
      });
      expect(allowed.status).toBe(200);
      expect(String(allowed.body)).toMatch(/^overcommit_tick_duration_seconds_count /m);
    } finally {
      await app.close();
    }
  });
});
