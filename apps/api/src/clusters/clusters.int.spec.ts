import type { INestApplication } from '@nestjs/common';
import {
  clusterConfigSchema,
  type CommandOutcome,
  type CreateClusterResponse,
  decodeFrame,
  type Frame,
  migrationTargetsSchema,
} from '@overcommit/contracts';
import type { Redis } from 'ioredis';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../app';
import { loadApiConfig } from '../config/api-config';
import { REDIS } from '../redis/redis.module';
import { httpRequest } from '../testing/http';
import { ClusterStateRepository, OUTCOMES_KEPT } from '../storage/cluster-state.repository';
import { FrameHistoryRepository } from '../storage/frame-history.repository';
import { clusterKeys } from '../storage/keys';

// A cluster's configuration, its VMs' migration targets and its sampled
// history, over HTTP against the real Redis, with a worker ticking it.
// Two big hosts on a slow link (a migration takes minutes) and a small one.
const scenario = {
  version: 1,
  name: 'clusters test',
  clock: { tickMs: 100, stepSeconds: 1 },
  policy: { cpuAllocationRatio: 2, numa: 'strict' },
  hosts: [
    {
      name: 'esx',
      count: 2,
      cpu: { sockets: 2, coresPerSocket: 8, threadsPerCore: 2, ghz: 3.1 },
      memoryGiB: 64,
      networkGbps: 0.1,
    },
    {
      name: 'small',
      cpu: { sockets: 1, coresPerSocket: 2 },
      // A type-2 host keeps 2 GiB for its own OS: 2 GiB usable, 3 GiB at ratio 1.5.
      memoryGiB: 4,
      hypervisor: 'type-2',
      networkGbps: 0.1,
    },
  ],
  vms: [{ name: 'vm', count: 3, vcpus: 2, memoryGiB: 4, host: 'esx-01' }],
};

jest.setTimeout(30_000);

describe('clusters over HTTP against a real Redis', () => {
  let app: INestApplication;
  let url: string;
  const created: CreateClusterResponse[] = [];

  beforeAll(async () => {
    app = await createApp(loadApiConfig(process.env), false);
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const c of created)
      await httpRequest(`${url}/api/clusters/${c.id}?token=${c.operatorToken}`, {
        method: 'DELETE',
      });
    await app.close();
  });

  async function createCluster(visibility: 'public' | 'private' = 'public') {
    const response = await httpRequest(`${url}/api/clusters`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scenario, visibility }),
    });
    expect(response.status).toBe(201);
    const cluster = response.body as CreateClusterResponse;
    created.push(cluster);
    return cluster;
  }

  it('creates a private cluster from a YAML body with ?visibility=private, and refuses another visibility', async () => {
    const yaml = `version: 1\nname: yaml private\nhosts: [{ name: h, cpu: { sockets: 1, coresPerSocket: 2 }, memoryGiB: 8 }]\n`;
    const post = (query: string) =>
      httpRequest(`${url}/api/clusters${query}`, {
        method: 'POST',
        headers: { 'content-type': 'text/yaml' },
        body: yaml,
      });
    const response = await post('?visibility=private');
    expect(response.status).toBe(201);
    const cluster = response.body as CreateClusterResponse;
    created.push(cluster);
    expect(cluster.viewerLink).toContain(`?token=${cluster.viewerToken}`);
    const listed = (await httpRequest(`${url}/api/clusters`)).body as { id: string }[];
    expect(listed.map((c) => c.id)).not.toContain(cluster.id);
    expect((await httpRequest(`${url}/api/clusters/${cluster.id}`)).status).toBe(404);

    const bad = await post('?visibility=secret');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      errors: [{ path: 'visibility', message: 'expected "public" or "private"' }],
    });
    // A JSON body carries its visibility itself: the query would be ignored, so it is refused.
    const json = await httpRequest(`${url}/api/clusters?visibility=private`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scenarioName: 'demo' }),
    });
    expect(json.status).toBe(400);
    expect(json.body).toMatchObject({
      errors: [
        {
          path: 'visibility',
          message: 'only a YAML body takes its visibility in the query; put it in the JSON body',
        },
      ],
    });
  });

  it('gives the figures alone at /summary, with the same token rules', async () => {
    const c = await createCluster('private');
    const summary = await httpRequest(`${url}/api/clusters/${c.id}/summary?token=${c.viewerToken}`);
    expect(summary.status).toBe(200);
    const full = await httpRequest(`${url}/api/clusters/${c.id}?token=${c.viewerToken}`);
    expect(summary.body).toMatchObject({
      id: c.id,
      name: 'clusters test',
      visibility: 'private',
      paused: false,
    });
    expect(Object.keys(summary.body as object).sort()).toEqual(
      Object.keys((full.body as { cluster: object }).cluster).sort(),
    );
    expect((await httpRequest(`${url}/api/clusters/${c.id}/summary`)).status).toBe(404);
  });

  /** Waits until the cluster has ticked `tick` times (its VMs are placed by tick 1). */
  async function ticked(c: CreateClusterResponse, tick: number): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const now = await httpRequest(`${url}/api/clusters/${c.id}?token=${c.operatorToken}`);
      if ((now.body as { cluster: { tick: number } }).cluster.tick >= tick) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`cluster ${c.id} did not reach tick ${tick}`);
  }

  async function outcomeOf(c: CreateClusterResponse, body: object): Promise<CommandOutcome> {
    const sent = await httpRequest(`${url}/api/clusters/${c.id}/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${c.operatorToken}` },
      body: JSON.stringify(body),
    });
    const { id } = sent.body as CommandOutcome;
    for (let i = 0; i < 200; i++) {
      const outcome = (
        await httpRequest(`${url}/api/clusters/${c.id}/commands/${id}`, {
          headers: { authorization: `Bearer ${c.viewerToken}` },
        })
      ).body as CommandOutcome;
      if (outcome.status !== 'queued') return outcome;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`command ${id} stayed queued`);
  }

  // Found by the chaos run (bench/chaos.ts): with Redis frozen, a client's request timed out and
  // it sent the command again with the same id; once Redis went on, both requests found no
  // outcome yet and both queued it. The engine refused the second as already applied, and that
  // refusal overwrote the accepted outcome. Queuing is now one script: the first queues, every
  // other answers with the outcome in force.
  describe('POST /api/clusters/:id/commands sent again with its id while the first is in flight', () => {
    it('queues it once: one outcome, accepted, and one event in the frames', async () => {
      const c = await createCluster();
      await ticked(c, 1);
      const id = `retried-${Date.now()}`;
      const answers = await Promise.all(
        Array.from({ length: 12 }, () =>
          httpRequest(`${url}/api/clusters/${c.id}/commands`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${c.operatorToken}`,
            },
            body: JSON.stringify({
              id,
              do: 'set-workload',
              target: 'vm-01',
              workload: { cpu: 0.3 },
            }),
          }),
        ),
      );
      for (const a of answers) expect(a.status).toBe(201);
      const redis = app.get<Redis>(REDIS);
      const config = loadApiConfig(process.env);
      const queue = await redis.xrange(clusterKeys(config.REDIS_PREFIX, c.id).commands, '-', '+');
      expect(queue.filter(([, fields]) => fields[1]!.includes(`"id":"${id}"`))).toHaveLength(1);
      const outcome = await outcomeOf(c, {
        id,
        do: 'set-workload',
        target: 'vm-01',
        workload: { cpu: 0.3 },
      });
      expect(outcome).toMatchObject({ id, status: 'accepted' });
      await ticked(c, outcome.tick! + 3);
      const history = await httpRequest(
        `${url}/api/clusters/${c.id}/history?from=1&to=${outcome.tick! + 3}`,
      );
      const events = (history.body as { frames: Frame[] }).frames.flatMap((f) =>
        f.events.filter((e) => e.commandId === id),
      );
      expect(events.map((e) => e.type)).toEqual(['command-accepted']);
    });
  });

  // Found by the soak (bench/soak.ts): every command left its outcome in the cluster's outcomes
  // hash for ever, one field per command, so a cluster used all day grew without bound. Each
  // cluster now keeps the newest OUTCOMES_KEPT outcomes (10,000; lowered to 5 here).
  describe('command outcomes over a long life', () => {
    it('keeps the newest outcomes (a retry of a recent command still finds its own) and forgets the oldest', async () => {
      const repository = app.get(ClusterStateRepository);
      repository.outcomesKept = 5;
      try {
        const c = await createCluster();
        await ticked(c, 1);
        const ids = Array.from({ length: 12 }, (_, i) => `long-life-${Date.now()}-${i}`);
        for (const id of ids) {
          const sent = await outcomeOf(c, {
            id,
            do: 'set-workload',
            target: 'vm-01',
            workload: { cpu: 0.2 + ids.indexOf(id) / 100 },
          });
          expect(sent).toMatchObject({ id, status: 'accepted' });
        }
        const redis = app.get<Redis>(REDIS);
        const keys = clusterKeys(loadApiConfig(process.env).REDIS_PREFIX, c.id);
        const kept = await redis.hkeys(keys.outcomes);
        expect(kept.sort()).toEqual(ids.slice(-5).sort());
        expect(await redis.zcard(keys.outcomeOrder)).toBe(5);
        // The queue holds no command a tick has consumed (only the last, as its mark).
        expect(await redis.xlen(keys.commands)).toBeLessThanOrEqual(1);
        // The newest is still answered from its outcome, not queued again.
        const again = await httpRequest(`${url}/api/clusters/${c.id}/commands/${ids.at(-1)}`, {
          headers: { authorization: `Bearer ${c.viewerToken}` },
        });
        expect(again.body).toMatchObject({ id: ids.at(-1), status: 'accepted' });
        const forgotten = await httpRequest(`${url}/api/clusters/${c.id}/commands/${ids[0]}`, {
          headers: { authorization: `Bearer ${c.viewerToken}` },
        });
        expect(forgotten.status).toBe(404);
        // Deleting the cluster deletes the order set with the rest.
        await httpRequest(`${url}/api/clusters/${c.id}?token=${c.operatorToken}`, {
          method: 'DELETE',
        });
        expect(await redis.exists(keys.outcomes, keys.outcomeOrder)).toBe(0);
      } finally {
        repository.outcomesKept = OUTCOMES_KEPT;
      }
    });
  });

  describe('GET /api/clusters/:id', () => {
    it("gives the policy and every host's topology with the cluster and its frame", async () => {
      const c = await createCluster();
      await ticked(c, 1);
      const response = await httpRequest(`${url}/api/clusters/${c.id}`);
      expect(response.status).toBe(200);
      const body = response.body as { cluster: unknown; frame: Frame | null; config: unknown };
      expect(body.cluster).toMatchObject({ id: c.id, name: 'clusters test' });
      expect(body.frame?.tick).toBeGreaterThanOrEqual(1);
      const config = clusterConfigSchema.parse(body.config);
      expect(config.policy).toEqual({
        cpuAllocationRatio: 2,
        ramAllocationRatio: 1.5,
        reservedHostMemoryGiB: 0,
        placement: 'spread',
        numa: 'strict',
      });
      expect(config.hosts).toEqual([
        {
          name: 'esx-01',
          sockets: 2,
          coresPerSocket: 8,
          threadsPerCore: 2,
          ghz: 3.1,
          memMiB: 65536,
          numaNodes: 2,
          hyperThreading: true,
          virtualization: 'hardware-assisted',
          hypervisor: 'type-1',
          nestedVirtualization: false,
          swapMiB: 65536,
          networkGbps: 0.1,
        },
        expect.objectContaining({ name: 'esx-02', sockets: 2, numaNodes: 2 }),
        expect.objectContaining({
          name: 'small',
          sockets: 1,
          coresPerSocket: 2,
          threadsPerCore: 1,
          numaNodes: 1,
          hyperThreading: false,
          hypervisor: 'type-2',
        }),
      ]);
    });

    it('follows a command that changes the topology (hyper-threading off)', async () => {
      const c = await createCluster();
      await ticked(c, 1);
      const outcome = await outcomeOf(c, {
        do: 'set-hyperthreading',
        target: 'esx-02',
        on: false,
      });
      expect(outcome.status).toBe('accepted');
      const body = (await httpRequest(`${url}/api/clusters/${c.id}`)).body as { config: unknown };
      const { hosts } = clusterConfigSchema.parse(body.config);
      expect(hosts.map((h) => [h.name, h.hyperThreading])).toEqual([
        ['esx-01', true],
        ['esx-02', false],
        ['small', false],
      ]);
    });

    it('keeps a private cluster, configuration included, to its token holders', async () => {
      const c = await createCluster('private');
      expect((await httpRequest(`${url}/api/clusters/${c.id}`)).status).toBe(404);
      const viewer = await httpRequest(`${url}/api/clusters/${c.id}?token=${c.viewerToken}`);
      expect(viewer.status).toBe(200);
      expect(
        clusterConfigSchema.parse((viewer.body as { config: unknown }).config).hosts,
      ).toHaveLength(3);
    });
  });

  describe('GET /api/clusters/:id/vms/:vm/targets', () => {
    it('lists every host with whether the VM fits, why not, its NUMA nodes and headroom', async () => {
      const c = await createCluster();
      await ticked(c, 1);
      const response = await httpRequest(`${url}/api/clusters/${c.id}/vms/vm-01/targets`);
      expect(response.status).toBe(200);
      const answer = migrationTargetsSchema.parse(response.body);
      expect(answer).toMatchObject({
        vm: 'vm-01',
        vmState: 'running',
        vcpus: 2,
        memMiB: 4096,
        host: 'esx-01',
        migratingTo: null,
        refusal: null,
      });
      expect(answer.targets).toEqual([
        expect.objectContaining({
          host: 'esx-01',
          fits: false,
          reason: 'vm-01 already runs on esx-01',
          // 32 logical CPUs x 2; three VMs of 2 vCPUs. 64 GiB x 1.5; three of 4 GiB.
          vcpuCapacity: 64,
          freeVcpus: 58,
          memCapacityMiB: 98304,
          freeMemMiB: 98304 - 3 * 4096,
        }),
        expect.objectContaining({
          host: 'esx-02',
          state: 'up',
          fits: true,
          numaNodes: [0],
          vcpuCapacity: 64,
          freeVcpus: 64,
          freeMemMiB: 98304,
        }),
        expect.objectContaining({
          host: 'small',
          fits: false,
          reason: 'small: memory 4/3 GiB at ratio 1.5',
          code: 'admission-memory',
          params: { host: 'small', memoryGiB: '4', capacityGiB: '3', ratio: '1.5' },
          vcpuCapacity: 4,
        }),
      ]);
      // What the engine does with the same request agrees.
      const refused = await outcomeOf(c, { do: 'migrate-vm', target: 'vm-01', to: 'small' });
      // Refused with the engine's code, params and causes (contracts' refusalCodes), kept in the
      // stored outcome that GET .../commands/:id reads.
      const { id: _id, tick: _tick, ...rest } = refused;
      expect(rest).toEqual({
        status: 'refused',
        reason: 'destination refused: small: memory 4/3 GiB at ratio 1.5',
        code: 'destination-refused',
        params: {},
        causes: [
          {
            code: 'admission-memory',
            params: { host: 'small', memoryGiB: '4', capacityGiB: '3', ratio: '1.5' },
          },
        ],
      });
      const accepted = await outcomeOf(c, { do: 'migrate-vm', target: 'vm-01', to: 'esx-02' });
      expect(accepted.status).toBe('accepted');
      // Migrating (for minutes on this link): nowhere else, and its destination counts it.
      const during = migrationTargetsSchema.parse(
        (await httpRequest(`${url}/api/clusters/${c.id}/vms/vm-01/targets`)).body,
      );
      expect(during).toMatchObject({
        migratingTo: 'esx-02',
        refusal: 'vm-01 is already migrating to esx-02',
        refusalCode: 'vm-already-migrating',
        refusalParams: { vm: 'vm-01', host: 'esx-02' },
      });
      expect(during.targets.map((t) => t.fits)).toEqual([false, false, false]);
      expect(during.targets[1]).toMatchObject({ freeVcpus: 62, freeMemMiB: 98304 - 4096 });
    });

    it('answers 404 naming an unknown VM, and 404 for an unknown cluster', async () => {
      const c = await createCluster();
      await ticked(c, 1);
      const vm = await httpRequest(`${url}/api/clusters/${c.id}/vms/vm-9/targets`);
      expect(vm.status).toBe(404);
      expect((vm.body as { message: string }).message).toMatch(/^no VM named vm-9; did you mean/);
      const cluster = await httpRequest(`${url}/api/clusters/nope/vms/vm-01/targets`);
      expect(cluster.status).toBe(404);
      expect((cluster.body as { message: string }).message).toBe('no cluster nope');
    });

    it('needs the token of a private cluster', async () => {
      const c = await createCluster('private');
      await ticked(c, 1);
      const path = `${url}/api/clusters/${c.id}/vms/vm-02/targets`;
      expect((await httpRequest(path)).status).toBe(404);
      expect((await httpRequest(`${path}?token=wrong`)).status).toBe(404);
      const viewer = await httpRequest(path, {
        headers: { authorization: `Bearer ${c.viewerToken}` },
      });
      expect(viewer.status).toBe(200);
      expect(migrationTargetsSchema.parse(viewer.body).vm).toBe('vm-02');
    });
  });

  describe('history, every Nth tick', () => {
    it('reads the same frames as the whole range filtered, history trimmed or not', async () => {
      const repo = app.get(FrameHistoryRepository);
      const redis = app.get<Redis>(REDIS);
      const id = `history-${Date.now()}`;
      const key = clusterKeys(loadApiConfig(process.env).REDIS_PREFIX, id).frames;
      // Ticks 1..60 as the commit writes them (entry `<tick>-1`), then the oldest ten trimmed away.
      const pipeline = redis.pipeline();
      for (let t = 1; t <= 60; t++) pipeline.xadd(key, `${t}-1`, 'f', `frame ${t}`);
      await pipeline.exec();
      await redis.xtrim(key, 'MINID', '11-0');
      try {
        /** What a full read of the range, filtered, gives: the reference. */
        const expected = (from: number, to: number, every: number, limit = 3600) => {
          const kept: number[] = [];
          for (let t = Math.max(from, 11); t <= Math.min(to, 60); t++) kept.push(t);
          return kept
            .slice(0, limit)
            .filter((t) => (t - from) % every === 0)
            .map((t) => `frame ${t}`);
        };
        const cases: [number, number, number, number?][] = [
          [1, 60, 10],
          [5, 60, 7],
          [11, 60, 2],
          [0, 1000, 3],
          [20, 20, 5],
          [21, 29, 10],
          [50, 100, 4],
          [61, 100, 2],
          [1, 10, 2],
          [5, 15, 1],
          [1, 60, 4, 20],
          [1, 60, 1, 5],
        ];
        for (const [from, to, every, limit] of cases) {
          expect({
            from,
            to,
            every,
            limit,
            frames: await repo.wireFramesBetween(id, from, to, every, limit),
          }).toEqual({
            from,
            to,
            every,
            limit,
            frames: expected(from, to, every, limit),
          });
        }
        expect(await repo.wireFramesBetween(`${id}-none`, 1, 100, 5)).toEqual([]);
      } finally {
        await redis.del(key);
      }
    });

    it('gives every Nth frame over HTTP, counted from `from`', async () => {
      const c = await createCluster();
      await ticked(c, 12);
      const response = await httpRequest(
        `${url}/api/clusters/${c.id}/history?from=2&to=11&every=3`,
      );
      expect(response.status).toBe(200);
      const { frames } = response.body as { frames: Frame[] };
      expect(frames.map((f) => f.tick)).toEqual([2, 5, 8, 11]);
      const wire = await httpRequest(
        `${url}/api/clusters/${c.id}/history?from=2&to=11&every=3&format=wire`,
      );
      expect((wire.body as { frames: string[] }).frames.map((f) => decodeFrame(f))).toEqual(frames);
    });
  });
});
