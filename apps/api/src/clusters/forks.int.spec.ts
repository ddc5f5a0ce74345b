import type { INestApplication } from '@nestjs/common';
import {
  type ClusterSummary,
  type CommandOutcome,
  type CreateClusterResponse,
  type CreateExerciseResponse,
  type ForkClusterResponse,
  type Frame,
  scoreboardSchema,
} from '@overcommit/contracts';
import type { Redis } from 'ioredis';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../app';
import { loadApiConfig } from '../config/api-config';
import { REDIS } from '../redis/redis.module';
import { clusterKeys } from '../storage/keys';
import { httpRequest, type HttpResult } from '../testing/http';

// What-if forks (issue 20) against a real Redis with a worker ticking: a fork is a private,
// paused copy of a cluster at one committed tick, which goes on exactly as its source does (the
// same seed stream) until someone changes it; run-ahead advances a cluster as fast as the engine
// goes, every tick in the history.
const scenario = {
  version: 1,
  name: 'fork test',
  seed: 7,
  clock: { tickMs: 100, stepSeconds: 1 },
  hosts: [{ name: 'esx', count: 3, cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 64 }],
  vms: [
    // Bursty demand draws from the PRNG every tick: a fork with another seed stream would diverge.
    {
      name: 'web',
      count: 12,
      vcpus: 2,
      memoryGiB: 8,
      workload: { profile: 'bursty', cpu: 0.5, amplitude: 0.8, periodSeconds: 20 },
    },
    { name: 'db', count: 4, vcpus: 4, memoryGiB: 16, workload: { cpu: 0.6 } },
  ],
};

const exerciseScenario = (allowForks?: boolean) => ({
  ...scenario,
  name: 'fork exercise',
  exercise: {
    durationSeconds: 600,
    objectives: [{ id: 'up', text: 'Hosts up', metric: 'cluster.hostsUp', above: 2, weight: 100 }],
    ...(allowForks === undefined ? {} : { allowForks }),
  },
});

jest.setTimeout(60_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function start(env: Record<string, string> = {}) {
  const app = await createApp(loadApiConfig({ ...process.env, ...env }), false);
  await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
  return { app, url };
}

describe('what-if forks against a real Redis', () => {
  let app: INestApplication;
  let url: string;
  let redis: Redis;
  const prefix = loadApiConfig(process.env).REDIS_PREFIX;

  const post = (path: string, body?: unknown, headers: Record<string, string> = {}) =>
    httpRequest(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const summary = async (id: string, token?: string) =>
    (await httpRequest(`${url}/api/clusters/${id}/summary${token ? `?token=${token}` : ''}`))
      .body as ClusterSummary;
  const history = async (id: string, from: number, to: number, token?: string) =>
    (
      (
        await httpRequest(
          `${url}/api/clusters/${id}/history?from=${from}&to=${to}${token ? `&token=${token}` : ''}`,
        )
      ).body as { frames: Frame[] }
    ).frames;
  const command = (id: string, token: string, body: unknown) =>
    post(`/api/clusters/${id}/commands`, body, { authorization: `Bearer ${token}` });
  const create = async (visibility: 'public' | 'private', body: object = { scenario }) => {
    const r = await post('/api/clusters', { ...body, visibility });
    expect(r.status).toBe(201);
    return r.body as CreateClusterResponse;
  };
  const waitFor = async <T>(what: string, read: () => Promise<T | null | undefined | false>) => {
    const until = Date.now() + 30_000;
    for (;;) {
      const value = await read();
      if (value) return value;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await sleep(50);
    }
  };

  beforeAll(async () => {
    ({ app, url } = await start());
    redis = app.get<Redis>(REDIS);
  });
  afterAll(async () => {
    await app.close();
  });

  it('copies a cluster at one tick: the same frame there, and the same frames after it (one seed stream)', async () => {
    const source = await create('public');
    await waitFor('a few ticks', async () => (await summary(source.id)).tick >= 5);
    const forked = await post(`/api/clusters/${source.id}/fork`);
    expect(forked.status).toBe(201);
    const fork = forked.body as ForkClusterResponse;
    expect(fork.forkOf.id).toBe(source.id);
    const at = fork.forkOf.tick;
    expect(at).toBeGreaterThanOrEqual(5);
    expect(fork.name).toMatch(/^fork test \(fork at \d\d:\d\d:\d\d\)$/);
    expect(fork.viewerLink).toContain(`?token=${fork.viewerToken}`);

    // Private, paused, at the source's tick and speed, saying what it copies.
    expect((await httpRequest(`${url}/api/clusters/${fork.id}`)).status).toBe(404);
    const s = await summary(fork.id, fork.viewerToken);
    expect(s).toMatchObject({
      visibility: 'private',
      paused: true,
      tick: at,
      speed: 1,
      forkOf: { id: source.id, tick: at },
    });
    expect((await httpRequest(`${url}/api/clusters`)).body).not.toEqual(
      expect.arrayContaining([expect.objectContaining({ id: fork.id })]),
    );

    // Its past: the source's frames up to the fork tick; its first frame is the source's then.
    const past = await history(fork.id, 0, at, fork.viewerToken);
    expect(past.length).toBeGreaterThanOrEqual(at);
    expect(past.at(-1)!.tick).toBe(at);
    expect(past).toEqual(await history(source.id, 0, at));

    // Run ahead 20 simulated seconds (20 ticks): the same frames as the source's, tick by tick.
    const ahead = await command(fork.id, fork.operatorToken, { do: 'run-ahead', seconds: 20 });
    expect((ahead.body as CommandOutcome).status).toBe('accepted');
    await waitFor('the fork to run ahead', async () => {
      const f = await summary(fork.id, fork.viewerToken);
      return f.tick >= at + 20 && f.aheadUntil === undefined;
    });
    await waitFor('the source to pass the same ticks', async () => {
      return (await summary(source.id)).tick >= at + 20;
    });
    const forkFrames = await history(fork.id, at, at + 20, fork.viewerToken);
    expect(forkFrames.map((f) => f.tick)).toEqual(Array.from({ length: 21 }, (_, i) => at + i));
    expect(forkFrames).toEqual(await history(source.id, at, at + 20));
    // Where run-ahead stops, the fork stays: paused, exactly 20 ticks on.
    expect(await summary(fork.id, fork.viewerToken)).toMatchObject({ tick: at + 20, paused: true });

    // A change on the fork changes the fork alone.
    const policy = await command(fork.id, fork.operatorToken, {
      do: 'set-policy',
      policy: { cpuAllocationRatio: 1 },
    });
    expect((policy.body as CommandOutcome).status).toBe('queued');
    await command(fork.id, fork.operatorToken, { do: 'fail-host', target: 'esx-01' });
    await command(fork.id, fork.operatorToken, { do: 'run-ahead', seconds: 5 });
    await waitFor('the fork to apply its changes', async () => {
      const f = await summary(fork.id, fork.viewerToken);
      return f.tick >= at + 25 && f.aheadUntil === undefined;
    });
    const changed = await history(fork.id, at + 21, at + 25, fork.viewerToken);
    expect(changed[0]!.hosts.find((h) => h.name === 'esx-01')!.state).toBe('failed');
    await waitFor(
      'the source at the same tick',
      async () => (await summary(source.id)).tick >= at + 25,
    );
    const original = await history(source.id, at + 21, at + 21);
    expect(original[0]!.hosts.find((h) => h.name === 'esx-01')!.state).not.toBe('failed');

    // A fork of a fork says whose fork it is.
    const again = await post(`/api/clusters/${fork.id}/fork?token=${fork.viewerToken}`);
    expect(again.status).toBe(201);
    expect((again.body as ForkClusterResponse).forkOf).toEqual({ id: fork.id, tick: at + 25 });
    expect((again.body as ForkClusterResponse).name).toMatch(/\(fork at .*\) \(fork at .*\)$/);
  });

  it('runs a cluster ahead fast, every tick in its history, and refuses what it should', async () => {
    const cluster = await create('private');
    await waitFor('a tick', async () => (await summary(cluster.id, cluster.viewerToken)).tick >= 1);
    await command(cluster.id, cluster.operatorToken, { do: 'pause' });
    const started = Date.now();
    const accepted = await command(cluster.id, cluster.operatorToken, {
      do: 'run-ahead',
      seconds: 600,
    });
    // From the tick it was accepted at (a tick job already under way at the pause may still have
    // committed a tick or two since).
    expect((accepted.body as CommandOutcome).status).toBe('accepted');
    const from = (accepted.body as CommandOutcome).tick!;
    expect(typeof from).toBe('number');
    // One at a time.
    const twice = await command(cluster.id, cluster.operatorToken, {
      do: 'run-ahead',
      seconds: 60,
    });
    expect(twice.body).toMatchObject({ status: 'refused', code: 'already-running-ahead' });
    await waitFor('600 ticks', async () => {
      const s = await summary(cluster.id, cluster.viewerToken);
      return s.tick >= from + 600 && s.aheadUntil === undefined;
    });
    // Ten minutes of simulated time in well under 30 seconds, even on a loaded machine (20x real
    // time; bench:fork measures the speed).
    expect(Date.now() - started).toBeLessThan(30_000);
    const frames = await history(cluster.id, from, from + 600, cluster.viewerToken);
    expect(frames.map((f) => f.tick)).toEqual(Array.from({ length: 601 }, (_, i) => from + i));
    expect(await summary(cluster.id, cluster.viewerToken)).toMatchObject({ paused: true });

    // Bad input, and a viewer.
    for (const seconds of [0, 3601, 1.5, 'ten'])
      expect(
        (await command(cluster.id, cluster.operatorToken, { do: 'run-ahead', seconds })).body,
      ).toMatchObject({ code: 'invalid-command' });
    const viewer = await command(cluster.id, cluster.viewerToken, { do: 'run-ahead', seconds: 5 });
    expect(viewer.status).toBe(403);
    expect(viewer.body).toMatchObject({ code: 'viewer-cannot-act' });

    // A running cluster runs ahead and then carries on at its speed from where it got to.
    await command(cluster.id, cluster.operatorToken, { do: 'resume' });
    const at = (await summary(cluster.id, cluster.viewerToken)).tick;
    await command(cluster.id, cluster.operatorToken, { do: 'run-ahead', seconds: 100 });
    await waitFor('the run-ahead', async () => {
      const s = await summary(cluster.id, cluster.viewerToken);
      return s.tick >= at + 100 && s.aheadUntil === undefined;
    });
    const after = (await summary(cluster.id, cluster.viewerToken)).tick;
    await sleep(1000);
    const later = (await summary(cluster.id, cluster.viewerToken)).tick;
    // About ten ticks in a second at 100 ms a tick: neither stalled nor replaying the hundred ticks
    // it ran ahead (bounds loose for a loaded machine).
    expect(later - after).toBeGreaterThanOrEqual(2);
    expect(later - after).toBeLessThanOrEqual(20);
  });

  it('keeps private clusters private, refuses bad ids, and a source deleted meanwhile is gone', async () => {
    const source = await create('private');
    expect((await post(`/api/clusters/${source.id}/fork`)).status).toBe(404);
    expect((await post(`/api/clusters/${source.id}/fork?token=nope`)).status).toBe(404);
    const other = await create('private');
    expect(
      (await post(`/api/clusters/${source.id}/fork?token=${other.operatorToken}`)).status,
    ).toBe(404);
    const byViewer = await post(`/api/clusters/${source.id}/fork`, undefined, {
      authorization: `Bearer ${source.viewerToken}`,
    });
    expect(byViewer.status).toBe(201);
    const fork = byViewer.body as ForkClusterResponse;
    // The fork's tokens are its own: the source's open nothing there, and the fork's nothing here.
    expect(
      (await httpRequest(`${url}/api/clusters/${fork.id}?token=${source.operatorToken}`)).status,
    ).toBe(404);
    expect(
      (await httpRequest(`${url}/api/clusters/${source.id}?token=${fork.operatorToken}`)).status,
    ).toBe(404);
    // Its owner deletes it like any cluster; the source is untouched.
    expect(
      (
        await httpRequest(`${url}/api/clusters/${fork.id}?token=${fork.operatorToken}`, {
          method: 'DELETE',
        })
      ).status,
    ).toBe(204);
    expect((await summary(source.id, source.viewerToken)).id).toBe(source.id);

    for (const id of ['nope', 'x'.repeat(300), '%7B%7D']) {
      const r = await post(`/api/clusters/${id}/fork`);
      expect(r.status).toBe(404);
      expect(r.body).toMatchObject({ code: 'cluster-not-found' });
    }
    // Deleted between the meta read and the copy: its state is gone first. Paused, and its ticks
    // settled, so that no tick in flight writes the state back.
    await command(source.id, source.operatorToken, { do: 'pause' });
    let settled = -1;
    await waitFor('the source to stop ticking', async () => {
      const tick = (await summary(source.id, source.viewerToken)).tick;
      if (tick === settled) return true;
      settled = tick;
      await sleep(500);
      return false;
    });
    await redis.del(clusterKeys(prefix, source.id).state);
    const gone = await post(`/api/clusters/${source.id}/fork?token=${source.viewerToken}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ code: 'cluster-not-found', params: { id: source.id } });
  });

  it('lets a team fork in an exercise unless the instructor forbids it; a fork is never on the scoreboard', async () => {
    const make = async (allowForks?: boolean) => {
      const r = await post('/api/exercises', { scenario: exerciseScenario(allowForks), teams: 1 });
      expect(r.status).toBe(201);
      return r.body as CreateExerciseResponse;
    };
    const allowed = await make();
    const team = allowed.teams[0]!;
    const forked = await post(`/api/clusters/${team.clusterId}/fork?token=${team.operatorToken}`);
    expect(forked.status).toBe(201);
    const fork = forked.body as ForkClusterResponse;
    // The team's own to run: its time is not the instructor's, and nothing of it is scored.
    const ahead = await command(fork.id, fork.operatorToken, { do: 'run-ahead', seconds: 5 });
    expect((ahead.body as CommandOutcome).status).toBe('accepted');
    await waitFor(
      'the fork to run',
      async () => (await summary(fork.id, fork.viewerToken)).tick >= 5,
    );
    const frames = await history(fork.id, 1, 5, fork.viewerToken);
    expect(frames.every((f) => f.exercise === undefined)).toBe(true);
    const board = scoreboardSchema.parse(
      (
        await httpRequest(`${url}/api/exercises/${allowed.id}`, {
          headers: { authorization: `Bearer ${allowed.instructorToken}` },
        })
      ).body,
    );
    expect(board.teams.map((t) => t.clusterId)).toEqual([team.clusterId]);
    // The team's own cluster cannot run ahead: the instructor keeps time.
    const teamAhead = await command(team.clusterId, team.operatorToken, {
      do: 'run-ahead',
      seconds: 5,
    });
    expect(teamAhead.body).toMatchObject({ status: 'refused', code: 'instructor-controls-time' });

    const forbidden = await make(false);
    const t = forbidden.teams[0]!;
    const refused: HttpResult = await post(
      `/api/clusters/${t.clusterId}/fork?token=${t.operatorToken}`,
    );
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      code: 'fork-forbidden',
      params: { exercise: forbidden.id },
    });
    expect((refused.body as { message: string }).message).toMatch(/allowForks: false/);
    // The instructor, who forbids it, may still fork (to try a plan before injecting it).
    const instructor = await post(
      `/api/clusters/${t.clusterId}/fork?token=${forbidden.instructorToken}`,
    );
    expect(instructor.status).toBe(201);
  });

  it("counts forks against the creator's clusters like any new cluster", async () => {
    const limited = await start({
      MAX_CLUSTERS_PER_ADDRESS: '2',
      MAX_CLUSTERS: '100',
      REDIS_PREFIX: `${prefix}-fork-limits`,
    });
    try {
      const r = await httpRequest(`${limited.url}/api/clusters`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ scenario }),
      });
      const source = r.body as CreateClusterResponse;
      const fork = (path: string) => httpRequest(`${limited.url}${path}`, { method: 'POST' });
      expect((await fork(`/api/clusters/${source.id}/fork`)).status).toBe(201);
      const full = await fork(`/api/clusters/${source.id}/fork`);
      expect(full.status).toBe(429);
      expect(full.body).toMatchObject({ code: 'clusters-full-address', params: { max: 2 } });
    } finally {
      await limited.app.close();
    }
  });
});
