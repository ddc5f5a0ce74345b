import type { INestApplication } from '@nestjs/common';
import {
  type CreateClusterResponse,
  decodeFrame,
  type FrameEventPayload,
  type JoinReply,
} from '@overcommit/contracts';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../app';
import { loadApiConfig } from '../config/api-config';
import { httpRequest } from '../testing/http';
import { RawSocketIoClient } from '../testing/raw-client';
import { BACKLOG_LIMIT_BYTES } from './backlog';
import { Metrics } from '../observability/metrics';
import { LiveGateway } from './live.gateway';

// A client that stops reading (a stalled laptop, a saturated link) must not
// slow the others nor make the server hold its frames without bound: the
// server skips frames for it, and it fills the hole from the history.
//
// The API listens on a Unix socket here: its kernel buffers are a few hundred
// KiB, where loopback TCP's grow to megabytes, so a stalled reader reaches the
// server's own buffers within seconds.

const scenario = {
  version: 1,
  name: 'slow client',
  seed: 5,
  clock: { tickMs: 100, stepSeconds: 1 },
  hosts: [{ name: 'esx', count: 300, cpu: { sockets: 2, coresPerSocket: 8 }, memoryGiB: 256 }],
  vms: [
    {
      name: 'vm',
      count: 600,
      vcpus: 4,
      memoryGiB: 16,
      workload: { profile: 'bursty', cpu: 0.5, amplitude: 0.4, memoryActive: 0.6 },
    },
  ],
};

jest.setTimeout(90_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a slow client', () => {
  let app: INestApplication;
  const path = join(tmpdir(), `oc-slow-${randomBytes(4).toString('hex')}.sock`);
  const clients: RawSocketIoClient[] = [];

  beforeAll(async () => {
    app = await createApp(loadApiConfig(process.env), false);
    await app.listen(path);
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await app.close();
    rmSync(path, { force: true });
  });

  async function watcher(name: string, clusterId: string): Promise<RawSocketIoClient> {
    // Plain frames (no permessage-deflate): four times the bytes of compressed ones, so the
    // stalled client's backlog reaches the bound in seconds. The bound is checked the same way
    // before either kind of write.
    const client = new RawSocketIoClient(
      `ws+unix://${path}:`,
      { name },
      { perMessageDeflate: false },
    );
    clients.push(client);
    await client.connected;
    const reply = (await client.emitWithAck('join', { clusterId, name })) as JoinReply;
    if (!reply.ok) throw new Error(reply.error);
    return client;
  }

  it('skips frames for a client that stops reading, keeps the others on time, and lets it catch up from the history', async () => {
    const created = await httpRequest('http://localhost/api/clusters', {
      method: 'POST',
      socketPath: path,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scenario }),
    });
    expect(created.status).toBe(201);
    const { id } = created.body as CreateClusterResponse;

    const fast = await watcher('Fast', id);
    const slow = await watcher('Slow', id);
    const fastTicks: number[] = [];
    const slowTicks: number[] = [];
    let frameBytes = 0;
    fast.on('frame', (p) => {
      const payload = p as FrameEventPayload;
      fastTicks.push(payload.tick);
      frameBytes = Math.max(frameBytes, payload.frame.length);
    });
    slow.on('frame', (p) => slowTicks.push((p as FrameEventPayload).tick));
    while (slowTicks.length < 2) await sleep(50);

    // The slow client stops reading its socket, as a stalled machine would.
    const stream = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    stream.pause();
    const pausedAt = slowTicks.at(-1)!;
    const fastBefore = fastTicks.length;
    const server = app.get(LiveGateway).server;
    const skipped = app.get(Metrics).deliveriesSkipped;
    const skippedBefore = (await skipped.get()).values.reduce((sum, v) => sum + v.value, 0);
    let peakBacklog = 0;
    // Stalled until the server has skipped frames for it: 6 s at least, 40 s at most.
    for (let i = 0; i < 200; i++) {
      await sleep(200);
      const skippedNow = (await skipped.get()).values.reduce((sum, v) => sum + v.value, 0);
      if (i >= 30 && skippedNow > skippedBefore) break;
      for (const socket of server.of('/').sockets.values()) {
        if (socket.handshake.auth['name'] !== 'Slow') continue;
        const conn = socket.conn as unknown as {
          transport: { socket: { bufferedAmount: number } };
        };
        peakBacklog = Math.max(peakBacklog, conn.transport.socket.bufferedAmount);
      }
    }
    // Meanwhile the fast client got every tick, in order, without a hole.
    const during = fastTicks.slice(fastBefore);
    expect(during.length).toBeGreaterThan(15);
    expect(during).toEqual(Array.from({ length: during.length }, (_, i) => during[0]! + i));
    // The server held the stalled client's frames up to the bound, not more
    // (plus the frame that crossed it).
    expect(frameBytes).toBeGreaterThan(5_000);
    expect(peakBacklog).toBeGreaterThan(0);
    expect(peakBacklog).toBeLessThanOrEqual(BACKLOG_LIMIT_BYTES + 2 * frameBytes);

    stream.resume();
    const latest = fastTicks.at(-1)!;
    while ((slowTicks.at(-1) ?? 0) < latest) await sleep(50);
    const after = slowTicks.filter((t) => t > pausedAt);
    // It did not get every frame: the server skipped some while it was stalled.
    expect(after.length).toBeLessThan(latest - pausedAt);

    // It fills the holes from the history, as after a disconnect.
    const reply = (await slow.emitWithAck('join', {
      clusterId: id,
      name: 'Slow',
      sinceTick: pausedAt,
    })) as JoinReply;
    if (!reply.ok) throw new Error(reply.error);
    expect(reply.gap).toBe(false);
    const filled = reply.frames.map((f) => decodeFrame(f).tick);
    expect(filled.length).toBeGreaterThanOrEqual(latest - pausedAt);
    expect(filled).toEqual(Array.from({ length: filled.length }, (_, i) => pausedAt + 1 + i));
  });
});
