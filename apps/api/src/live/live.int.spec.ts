import type { INestApplication } from '@nestjs/common';
import {
  type ClusterSummary,
  type CommandOutcome,
  type CreateClusterResponse,
  decodeFrame,
  decodeVms,
  type FrameEventPayload,
  type JoinReply,
  type Presence,
  type VmsEventPayload,
} from '@overcommit/contracts';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import { io, type Socket } from 'socket.io-client';
import { createApp } from '../app';
import { clusterKeys } from '../storage/keys';
import { PresenceRepository } from '../storage/presence.repository';
import { REDIS } from '../redis/redis.module';
import { loadApiConfig } from '../config/api-config';
import { httpRequest } from '../testing/http';

// The live system end to end against the real Redis: HTTP creates a cluster,
// BullMQ ticks it, frames reach socket.io clients, commands come back in frames.
const scenario = {
  version: 1,
  name: 'live test',
  seed: 3,
  clock: { tickMs: 100, stepSeconds: 1 },
  hosts: [{ name: 'esx', count: 2, cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 64 }],
  vms: [{ name: 'vm', count: 3, vcpus: 2, memoryGiB: 4, host: 'esx-01' }],
};

describe('live clusters (HTTP, BullMQ ticks, socket.io) against a real Redis', () => {
  let app: INestApplication;
  let url: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    app = await createApp(loadApiConfig(process.env), false);
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await app.close();
  });

  function connect(name: string): Socket {
    const socket = io(url, { auth: { name }, transports: ['websocket'], forceNew: true });
    sockets.push(socket);
    return socket;
  }

  function frames(socket: Socket, count: number, timeoutMs = 15_000): Promise<FrameEventPayload[]> {
    return new Promise((resolve, reject) => {
      const got: FrameEventPayload[] = [];
      const timer = setTimeout(
        () => reject(new Error(`only ${got.length} of ${count} frames`)),
        timeoutMs,
      );
      const on = (payload: FrameEventPayload) => {
        got.push(payload);
        if (got.length === count) {
          clearTimeout(timer);
          socket.off('frame', on);
          resolve(got);
        }
      };
      socket.on('frame', on);
    });
  }

  async function createCluster(body: unknown = { scenario }): Promise<CreateClusterResponse> {
    const response = await httpRequest(`${url}/api/clusters`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(201);
    return response.body as CreateClusterResponse;
  }

  it('refuses a bad scenario with 400 and every error at its path, and creates nothing', async () => {
    const before = (await httpRequest(`${url}/api/clusters`)).body as unknown[];
    const response = await httpRequest(`${url}/api/clusters`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        scenario: {
          ...scenario,
          hosts: [{ name: 'esx', cpu: { socket: 1, coresPerSocket: 8 }, memoryGiB: 0 }],
        },
      }),
    });
    expect(response.status).toBe(400);
    const body = response.body as { errors: { path: string; message: string }[] };
    expect(body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: 'hosts[0].cpu.socket',
          message: expect.stringContaining('did you mean "sockets"') as string,
        }),
        expect.objectContaining({ path: 'hosts[0].memoryGiB' }),
      ]),
    );
    const after = (await httpRequest(`${url}/api/clusters`)).body as unknown[];
    expect(after).toHaveLength(before.length);
  });

  it('documents itself at /api/docs, lists the bundled scenarios and creates a cluster from one by name', async () => {
    const docs = await httpRequest(`${url}/api/docs-json`);
    expect(docs.status).toBe(200);
    expect((docs.body as { paths: Record<string, unknown> }).paths).toHaveProperty('/api/clusters');
    expect((await httpRequest(`${url}/api/docs`)).status).toBe(200);
    const list = (await httpRequest(`${url}/api/scenarios`)).body as {
      name: string;
      hosts: number;
    }[];
    expect(list.map((s) => s.name)).toContain('demo');
    const created = await createCluster({ scenarioName: 'memory-overcommit-150' });
    expect(created.name).toBe('Memory overcommit at 150%');
    const missing = await httpRequest(`${url}/api/clusters`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scenarioName: 'nope' }),
    });
    expect(missing.status).toBe(400);
    await httpRequest(`${url}/api/clusters/${created.id}?token=${created.operatorToken}`, {
      method: 'DELETE',
    });
  });

  it('ticks a cluster and delivers its frames, in order, to a socket that joined', async () => {
    const created = await createCluster();
    const socket = connect('Ana');
    const reply = (await socket.emitWithAck('join', {
      clusterId: created.id,
      name: 'Ana',
    })) as JoinReply;
    expect(reply).toMatchObject({ ok: true, role: 'viewer' });
    const got = await frames(socket, 4);
    for (const f of got) {
      expect(f.clusterId).toBe(created.id);
      // The frame travels in its wire form and reads back as the tick it says it is.
      const frame = decodeFrame(f.frame);
      expect(frame.tick).toBe(f.tick);
      expect(frame.hosts.map((h) => h.name)).toEqual(['esx-01', 'esx-02']);
    }
    const ticks = got.map((f) => f.tick);
    expect(ticks).toEqual([...ticks].sort((a, b) => a - b));
    expect(new Set(ticks).size).toBe(4);
    const summary = (await httpRequest(`${url}/api/clusters`)).body as {
      id: string;
      tick: number;
      watchers: number;
    }[];
    expect(summary.find((c) => c.id === created.id)).toMatchObject({ watchers: 1 });
  });

  it("applies an operator's command in a tick and refuses a viewer's, with the reason", async () => {
    const created = await createCluster();
    const operator = connect('Lin');
    const viewer = connect('Sam');
    await operator.emitWithAck('join', {
      clusterId: created.id,
      name: 'Lin',
      token: created.operatorToken,
    });
    await viewer.emitWithAck('join', { clusterId: created.id, name: 'Sam' });
    const refused = (await viewer.emitWithAck('command', {
      clusterId: created.id,
      do: 'fail-host',
      target: 'esx-02',
    })) as CommandOutcome;
    expect(refused).toMatchObject({
      status: 'refused',
      reason: expect.stringContaining('viewer') as string,
    });
    const outcome = new Promise<CommandOutcome>((resolve) => viewer.on('command-outcome', resolve));
    const queued = (await operator.emitWithAck('command', {
      clusterId: created.id,
      id: 'mig-1',
      do: 'migrate-vm',
      target: 'vm-01',
      to: 'esx-02',
    })) as CommandOutcome;
    expect(queued).toEqual({ id: 'mig-1', status: 'queued' });
    await expect(outcome).resolves.toMatchObject({ id: 'mig-1', status: 'accepted' });
    const stored = await httpRequest(`${url}/api/clusters/${created.id}/commands/mig-1`);
    expect(stored.body).toMatchObject({ id: 'mig-1', status: 'accepted' });
    // Over HTTP, a viewer (no token) is refused with 403 and the reason.
    const http = await httpRequest(`${url}/api/clusters/${created.id}/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ do: 'pause' }),
    });
    expect(http.status).toBe(403);
  });

  it('gives a re-joining client every frame it missed, exactly once, from sinceTick', async () => {
    const created = await createCluster();
    const socket = connect('Ana');
    await socket.emitWithAck('join', { clusterId: created.id, name: 'Ana' });
    const [first] = await frames(socket, 1);
    await socket.emitWithAck('leave', { clusterId: created.id });
    // Away for 30 ticks.
    for (let i = 0; i < 200; i++) {
      const now = (await httpRequest(`${url}/api/clusters/${created.id}`)).body as {
        cluster: { tick: number };
      };
      if (now.cluster.tick >= first!.tick + 30) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const live = frames(socket, 3);
    const reply = (await socket.emitWithAck('join', {
      clusterId: created.id,
      name: 'Ana',
      sinceTick: first!.tick,
    })) as JoinReply;
    if (!reply.ok) throw new Error(reply.error);
    expect(reply.gap).toBe(false);
    const missed = reply.frames.map((f) => decodeFrame(f).tick);
    expect(missed.length).toBeGreaterThanOrEqual(30);
    expect(missed).toEqual(Array.from({ length: missed.length }, (_, i) => first!.tick + 1 + i));
    expect(reply.snapshot === null ? null : decodeFrame(reply.snapshot).tick).toBe(missed.at(-1));
    // Live frames take over where the reply ends: with the ticks it already
    // has skipped (a frame can race the join), no tick is missing or repeated.
    const seen = [...missed];
    for (const f of await live) if (f.tick > seen.at(-1)!) seen.push(f.tick);
    expect(seen.length).toBeGreaterThan(missed.length);
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => first!.tick + 1 + i));
  });

  it('pauses and resumes a cluster for its operator', async () => {
    const created = await createCluster();
    const command = (body: unknown) =>
      httpRequest(`${url}/api/clusters/${created.id}/commands`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${created.operatorToken}`,
        },
        body: JSON.stringify(body),
      });
    expect((await command({ do: 'pause' })).body).toMatchObject({ status: 'accepted' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const tick = (
      (await httpRequest(`${url}/api/clusters/${created.id}`)).body as { cluster: { tick: number } }
    ).cluster.tick;
    await new Promise((resolve) => setTimeout(resolve, 600));
    const still = (await httpRequest(`${url}/api/clusters/${created.id}`)).body as {
      cluster: { tick: number; paused: boolean };
    };
    expect(still.cluster).toMatchObject({ tick, paused: true });
    expect((await command({ do: 'resume' })).body).toMatchObject({ status: 'accepted' });
    const deleted = await httpRequest(`${url}/api/clusters/${created.id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(403);
    const gone = await httpRequest(
      `${url}/api/clusters/${created.id}?token=${created.operatorToken}`,
      { method: 'DELETE' },
    );
    expect(gone.status).toBe(204);
    expect((await httpRequest(`${url}/api/clusters/${created.id}`)).status).toBe(404);
  });

  it('forgets watchers of an API instance that died without saying goodbye', async () => {
    const created = await createCluster();
    // What a killed instance leaves behind: its sockets' entries, and no more heartbeats.
    const repo = app.get(PresenceRepository);
    const redis = app.get<Redis>(REDIS);
    const keys = clusterKeys(loadApiConfig(process.env).REDIS_PREFIX, created.id);
    await redis.hset(
      keys.presence,
      'deadinstance|socket-1',
      JSON.stringify({ name: 'Ghost', role: 'viewer', since: 1 }),
    );
    await redis.hset(keys.vmWatchers, 'deadinstance|socket-1', '1');
    const socket = connect('Ana');
    const presence = new Promise<Presence>((resolve) => socket.once('presence', resolve));
    await socket.emitWithAck('join', { clusterId: created.id, name: 'Ana' });
    expect((await presence).watchers.map((w) => w.name)).toEqual(['Ana']);
    const list = (await httpRequest(`${url}/api/clusters`)).body as ClusterSummary[];
    expect(list.find((c) => c.id === created.id)?.watchers).toBe(1);
    // The ghost's entries are gone, so ticks stop computing per-VM metrics for it.
    expect(await redis.hkeys(keys.presence)).toHaveLength(1);
    expect(await repo.vmWatchers(created.id)).toBe(0);
    expect(await redis.hlen(keys.vmWatchers)).toBe(0);
  });

  it('sends per-VM metrics only to sockets that asked, and only while they ask', async () => {
    const created = await createCluster();
    const table = connect('Table');
    const grid = connect('Grid');
    await table.emitWithAck('join', { clusterId: created.id, name: 'Table' });
    await grid.emitWithAck('join', { clusterId: created.id, name: 'Grid' });
    const gridVms: unknown[] = [];
    grid.on('vms', (payload: unknown) => gridVms.push(payload));
    expect(await table.emitWithAck('watch-vms', { clusterId: created.id, on: true })).toEqual({
      ok: true,
    });
    const payload = await new Promise<VmsEventPayload>((resolve) => table.once('vms', resolve));
    expect(payload.clusterId).toBe(created.id);
    const vms = decodeVms(payload.vms);
    expect(vms.map((vm) => vm.name)).toEqual(['vm-01', 'vm-02', 'vm-03']);
    expect(vms[0]).toMatchObject({ host: 'esx-01', state: 'running', vcpus: 2 });
    // Frames stay host-level for everyone.
    const [frame] = await frames(grid, 1);
    expect(decodeFrame(frame!.frame)).not.toHaveProperty('vms');
    expect(JSON.parse(frame!.frame)).not.toHaveProperty('vms');
    expect(gridVms).toEqual([]);
    expect(await table.emitWithAck('watch-vms', { clusterId: created.id, on: false })).toEqual({
      ok: true,
    });
    const after: unknown[] = [];
    table.on('vms', (p: unknown) => after.push(p));
    await frames(table, 3);
    expect(after.length).toBeLessThanOrEqual(1); // at most one already in flight
    expect(await grid.emitWithAck('watch-vms', { clusterId: 'elsewhere', on: true })).toMatchObject(
      { ok: false },
    );
  });
});
