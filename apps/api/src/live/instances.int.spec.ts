import type { INestApplication } from '@nestjs/common';
import type { CreateClusterResponse, FrameEventPayload, Presence } from '@overcommit/contracts';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { io, type Socket } from 'socket.io-client';
import { createApp } from '../app';
import { loadApiConfig } from '../config/api-config';
import { httpRequest } from '../testing/http';

// Growing past one machine: two API instances and two workers against
// one Redis. Clients on different instances see the same frames, in order,
// without duplicates, and see each other in the presence list.
const scenario = {
  version: 1,
  name: 'two instances',
  clock: { tickMs: 100 },
  hosts: [{ name: 'esx', cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 64 }],
  vms: [{ name: 'vm', count: 2, vcpus: 2, memoryGiB: 4 }],
};

jest.setTimeout(20_000);

describe('two API instances and two workers against one Redis', () => {
  const apps: INestApplication[] = [];
  const urls: string[] = [];
  const sockets: Socket[] = [];

  beforeAll(async () => {
    for (const role of ['api', 'api', 'worker', 'worker'] as const) {
      const app = await createApp(loadApiConfig({ ...process.env, ROLE: role }), false);
      await app.listen(0, '127.0.0.1');
      apps.push(app);
      urls.push(
        `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`,
      );
    }
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    for (const app of apps) await app.close();
  });

  function collect(socket: Socket, count: number): Promise<number[]> {
    return new Promise((resolve, reject) => {
      const ticks: number[] = [];
      const timer = setTimeout(
        () => reject(new Error(`only ${ticks.length} of ${count} frames`)),
        15_000,
      );
      socket.on('frame', (payload: FrameEventPayload) => {
        ticks.push(payload.tick);
        if (ticks.length === count) {
          clearTimeout(timer);
          resolve(ticks);
        }
      });
    });
  }

  it('delivers identical frame sequences to clients on different instances, and shows who watches', async () => {
    const created = await httpRequest(`${urls[0]}/api/clusters`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scenario }),
    });
    expect(created.status).toBe(201);
    const { id } = created.body as CreateClusterResponse;

    const ana = io(urls[0], { auth: { name: 'Ana' }, transports: ['websocket'], forceNew: true });
    const ben = io(urls[1], { auth: { name: 'Ben' }, transports: ['websocket'], forceNew: true });
    sockets.push(ana, ben);
    const seen = new Promise<Presence>((resolve) => {
      ana.on('presence', (p: Presence) => {
        if (p.watchers.length === 2) resolve(p);
      });
    });
    await ana.emitWithAck('join', { clusterId: id, name: 'Ana' });
    await ben.emitWithAck('join', { clusterId: id, name: 'Ben' });
    // Ana, on instance 1, hears that Ben joined on instance 2.
    await expect(seen).resolves.toMatchObject({
      total: 2,
      watchers: [{ name: 'Ana' }, { name: 'Ben' }],
    });

    const [a, b] = await Promise.all([collect(ana, 8), collect(ben, 8)]);
    // Both see every tick once, in order; the windows overlap on the same ticks.
    for (const ticks of [a, b]) {
      expect(ticks).toEqual(Array.from({ length: ticks.length }, (_, i) => ticks[0]! + i));
    }
    const common = a.filter((t) => b.includes(t));
    expect(common.length).toBeGreaterThanOrEqual(4);
    // The API instances run no ticks of their own: the workers do.
    const list = (await httpRequest(`${urls[1]}/api/clusters`)).body as {
      id: string;
      watchers: number;
    }[];
    expect(list.find((c) => c.id === id)?.watchers).toBe(2);
  });
});
