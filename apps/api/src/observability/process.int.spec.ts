import type { CreateClusterResponse } from '@overcommit/contracts';
import { io } from 'socket.io-client';
import { ApiProcess } from '../testing/api-process';
import { httpRequest } from '../testing/http';

// The built API and worker as OS processes: structured logs (one JSON line
// per event, request and cluster ids, never a token) and graceful shutdown on
// SIGTERM (a worker finishes and exits 0 while another carries on ticking; an
// API instance tells its sockets to reconnect before it closes).
const scenario = {
  version: 1,
  name: 'process test',
  clock: { tickMs: 100, stepSeconds: 1 },
  hosts: [{ name: 'esx', cpu: { sockets: 1, coresPerSocket: 4 }, memoryGiB: 16 }],
  vms: [{ name: 'vm', count: 2, vcpus: 1, memoryGiB: 2 }],
};

jest.setTimeout(60_000);

const env = (role: string) => ({ ...process.env, ROLE: role, NODE_ENV: 'production' });

async function create(url: string, visibility = 'private'): Promise<CreateClusterResponse> {
  const response = await httpRequest(`${url}/api/clusters`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ scenario, visibility }),
  });
  expect(response.status).toBe(201);
  return response.body as CreateClusterResponse;
}

async function tickOf(url: string, c: CreateClusterResponse): Promise<number> {
  const r = await httpRequest(`${url}/api/clusters/${c.id}/summary?token=${c.viewerToken}`);
  return (r.body as { tick: number }).tick;
}

describe('the API and worker processes', () => {
  const procs: ApiProcess[] = [];
  afterEach(async () => {
    for (const p of procs.splice(0)) await p.kill();
  });

  it('logs one JSON line per event with the request id and cluster id, and never a token', async () => {
    const api = await ApiProcess.start(env('all'));
    procs.push(api);
    const cluster = await create(api.url);
    const read = await httpRequest(
      `${api.url}/api/clusters/${cluster.id}?token=${cluster.operatorToken}`,
      {
        headers: { 'x-request-id': 'req-test-0001' },
      },
    );
    expect(read.status).toBe(200);
    expect(read.headers['x-request-id']).toBe('req-test-0001');
    await httpRequest(`${api.url}/api/clusters/${cluster.id}/summary`, {
      headers: { authorization: `Bearer ${cluster.viewerToken}` },
    });
    await httpRequest(`${api.url}/api/clusters/${cluster.id}?token=${cluster.operatorToken}`, {
      method: 'DELETE',
    });
    await api.stop();
    const lines = api.log.split('\n').filter((l) => l.trim() !== '');
    const entries = lines.map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
    });
    for (const e of entries) {
      expect(typeof e['level']).toBe('number');
      expect(typeof e['msg']).toBe('string');
    }
    const request = entries.find(
      (e) => (e['req'] as { id?: string } | undefined)?.id === 'req-test-0001',
    );
    expect(request).toMatchObject({
      clusterId: cluster.id,
      req: { method: 'GET', url: `/api/clusters/${cluster.id}?token=***` },
      res: { statusCode: 200 },
    });
    expect(api.log).not.toContain(cluster.operatorToken);
    expect(api.log).not.toContain(cluster.viewerToken);
    expect(entries.some((e) => String(e['msg']).includes('Overcommit API'))).toBe(true);
  });

  it('on SIGTERM a worker finishes its ticks and exits 0, and the other worker carries on', async () => {
    const api = await ApiProcess.start(env('api'));
    const workers = [await ApiProcess.start(env('worker')), await ApiProcess.start(env('worker'))];
    procs.push(api, ...workers);
    const cluster = await create(api.url, 'public');
    const before = await tickOf(api.url, cluster);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await workers[0]!.stop('SIGTERM', 12_000);
    expect(workers[0]!.exitCode).toBe(0);
    const at = await tickOf(api.url, cluster);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const after = await tickOf(api.url, cluster);
    expect(at).toBeGreaterThan(before);
    // 100 ms ticks: the remaining worker keeps the cluster going.
    expect(after - at).toBeGreaterThanOrEqual(8);
    // Every tick once: the history holds consecutive ticks across the hand-over.
    const history = await httpRequest(
      `${api.url}/api/clusters/${cluster.id}/history?from=${before}&to=${after}`,
    );
    const ticks = (history.body as { frames: Array<{ tick: number }> }).frames.map((f) => f.tick);
    expect(ticks.length).toBeGreaterThan(0);
    ticks.forEach((t, i) => i > 0 && expect(t).toBe(ticks[i - 1]! + 1));
    await httpRequest(`${api.url}/api/clusters/${cluster.id}?token=${cluster.operatorToken}`, {
      method: 'DELETE',
    });
  });

  it('on SIGTERM an API instance tells its sockets to reconnect, then exits 0', async () => {
    const api = await ApiProcess.start(env('all'));
    procs.push(api);
    const socket = io(api.url, {
      auth: { name: 'shutdown test' },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      const told = new Promise<{ reason?: string }>((resolve) =>
        socket.once('server-shutdown', resolve),
      );
      const reason = new Promise<string>((resolve) => socket.once('disconnect', resolve));
      await api.stop('SIGTERM', 12_000);
      expect((await told).reason).toMatch(/shutting down/);
      // A transport close, which socket.io clients answer by reconnecting (a server-side
      // "io server disconnect" would leave them disconnected).
      expect(await reason).toBe('transport close');
      expect(api.exitCode).toBe(0);
    } finally {
      socket.disconnect();
    }
  });
});
