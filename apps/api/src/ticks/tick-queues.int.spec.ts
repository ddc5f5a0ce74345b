import type { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../app';
import { loadApiConfig } from '../config/api-config';
import { createRedis } from '../redis/redis.module';
import { httpRequest } from '../testing/http';
import { deleteKeys } from '../testing/redis-keys';

// The tick queue count is fixed for a deployment's data (tick-queues.ts): a process started
// with another count than the one recorded by the first refuses to schedule and says why.
const scenario = {
  version: 1,
  name: 'queues',
  clock: { tickMs: 1000 },
  hosts: [{ name: 'esx', cpu: { sockets: 1, coresPerSocket: 4 }, memoryGiB: 16 }],
  vms: [{ name: 'vm', vcpus: 1, memoryGiB: 1 }],
};

describe('a process with another TICK_QUEUES than its deployment', () => {
  const env = {
    ...process.env,
    REDIS_PREFIX: `${process.env['REDIS_PREFIX'] ?? 'oc-test'}-queues`,
  };
  const apps: INestApplication[] = [];

  afterAll(async () => {
    for (const app of apps) await app.close();
    const redis = createRedis(loadApiConfig(env));
    await deleteKeys(redis, `${env.REDIS_PREFIX}:*`);
    redis.disconnect();
  });

  async function start(extra: Record<string, string>): Promise<string> {
    const app = await createApp(loadApiConfig({ ...env, ROLE: 'all', ...extra }), false);
    apps.push(app);
    await app.listen(0, '127.0.0.1');
    return `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
  }

  async function ready(url: string): Promise<{ status: number; body: unknown }> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const answer = await httpRequest(`${url}/api/health/ready`);
      if (answer.status === 200 || Date.now() > deadline) return answer;
      if (JSON.stringify(answer.body).includes('TICK_QUEUES is')) return answer;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('refuses to schedule, runs no worker and says why in its readiness', async () => {
    const first = await start({});
    expect((await ready(first)).status).toBe(200);
    const other = await start({ TICK_QUEUES: '3' });
    const answer = await ready(other);
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({
      details: {
        queue: {
          status: 'down',
          reason: expect.stringContaining(
            "TICK_QUEUES is 3 but this deployment's tick schedules are in 1 queue",
          ) as string,
        },
        ticks: { status: 'down', reason: 'the tick worker is not running' },
      },
    });
    const created = await httpRequest(`${other}/api/clusters`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scenario }),
    });
    expect(created.status).toBe(500);
    // The deployment's own count still schedules.
    const ok = await httpRequest(`${first}/api/clusters`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scenario }),
    });
    expect(ok.status).toBe(201);
  });
});
