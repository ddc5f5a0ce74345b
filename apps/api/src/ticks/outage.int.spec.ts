import type { INestApplication } from '@nestjs/common';
import { type CreateClusterResponse, decodeFrame } from '@overcommit/contracts';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../app';
import { ClusterStateRepository } from '../storage/cluster-state.repository';
import { FrameHistoryRepository } from '../storage/frame-history.repository';
import { loadApiConfig } from '../config/api-config';
import { httpRequest } from '../testing/http';
import { MAX_REPLAY } from './ticks.constants';

// Every worker was stopped for ten minutes (a weekend, a broken deploy). When
// one comes back, the cluster resumes where it stopped and says how long it
// was away, instead of replaying six hundred ticks in a burst.
const scenario = {
  version: 1,
  name: 'outage',
  clock: { tickMs: 1000 },
  hosts: [{ name: 'esx', cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 64 }],
  vms: [{ name: 'vm', count: 2, vcpus: 2, memoryGiB: 4 }],
};

jest.setTimeout(30_000);

describe('a cluster after an outage of every worker', () => {
  const apps: INestApplication[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it('resumes where it stopped with a ticks-skipped event, without replaying the missed ticks', async () => {
    // Only an API: nothing ticks yet.
    const api = await createApp(loadApiConfig({ ...process.env, ROLE: 'api' }), false);
    apps.push(api);
    await api.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${((api.getHttpServer() as Server).address() as AddressInfo).port}`;
    const created = await httpRequest(`${url}/api/clusters`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scenario }),
    });
    expect(created.status).toBe(201);
    const { id } = created.body as CreateClusterResponse;
    // Its schedule started ten minutes ago: 600 ticks are owed.
    const repo = api.get(ClusterStateRepository);
    const meta = (await repo.meta(id))!;
    await repo.updateMeta(id, { anchorAt: meta.anchorAt - 600_000 });

    const worker = await createApp(loadApiConfig({ ...process.env, ROLE: 'worker' }), false);
    apps.push(worker);
    await worker.init();
    let tick = 0;
    for (let i = 0; i < 100 && tick < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      tick = (await repo.meta(id))!.tick;
    }
    expect(tick).toBeGreaterThanOrEqual(1);
    // Not the 600 owed, nor the 120 a replay would run at once: a tick or a few (how many the
    // 100 ms polls above let by depends on the machine's load).
    expect(tick).toBeLessThanOrEqual(10);
    const frames = api.get(FrameHistoryRepository);
    const first = decodeFrame((await frames.wireFramesBetween(id, 1, 1))[0]!);
    const skipped = first.events.find((e) => e.type === 'ticks-skipped');
    expect(skipped).toBeDefined();
    expect(skipped!['ticks']).toBeGreaterThan(MAX_REPLAY);
    expect(skipped!.reason).toMatch(/no worker ran this cluster for 6\d\d s/);
    // Simulated time went on from where it stopped: one step, not six hundred.
    expect(first.time).toBe(1);
  });
});
