import type { INestApplication } from '@nestjs/common';
import type { CommandOutcome, CreateClusterResponse, JoinReply } from '@overcommit/contracts';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { io, type Socket } from 'socket.io-client';
import { createApp } from '../app';
import { loadApiConfig } from '../config/api-config';
import { httpRequest } from '../testing/http';

// Bad input over HTTP and socket.io: each gets its clear error, nothing
// crashes, and nothing already stored is lost.
const scenario = {
  version: 1,
  name: 'bad input',
  clock: { tickMs: 100 },
  hosts: [{ name: 'esx', cpu: { sockets: 1, coresPerSocket: 4 }, memoryGiB: 32 }],
  vms: [{ name: 'vm', vcpus: 1, memoryGiB: 2 }],
};

describe('bad input over HTTP and socket.io', () => {
  let app: INestApplication;
  let url: string;
  let created: CreateClusterResponse;
  let socket: Socket;
  const json = { 'content-type': 'application/json' };

  beforeAll(async () => {
    app = await createApp(loadApiConfig(process.env), false);
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
    created = (
      await httpRequest(`${url}/api/clusters`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ scenario }),
      })
    ).body as CreateClusterResponse;
    socket = io(url, { auth: { name: 'Eve' }, transports: ['websocket'], forceNew: true });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  });
  afterAll(async () => {
    socket.disconnect();
    await app.close();
  });

  it('answers malformed JSON with 400, and the cluster is untouched', async () => {
    const response = await httpRequest(`${url}/api/clusters`, {
      method: 'POST',
      headers: json,
      body: '{"scenario": ',
    });
    expect(response.status).toBe(400);
    const still = await httpRequest(`${url}/api/clusters/${created.id}`);
    expect(still.status).toBe(200);
  });

  it('refuses a JSON body over 64 KiB with 413', async () => {
    const body = JSON.stringify({ scenario: { ...scenario, description: 'x'.repeat(70 * 1024) } });
    const response = await httpRequest(`${url}/api/clusters`, {
      method: 'POST',
      headers: json,
      body,
    });
    expect(response.status).toBe(413);
  });

  it('says what is wrong with a command of the wrong shape, and where', async () => {
    const response = await httpRequest(`${url}/api/clusters/${created.id}/commands`, {
      method: 'POST',
      headers: { ...json, authorization: `Bearer ${created.operatorToken}` },
      body: JSON.stringify({ do: 'migrate-vm', target: 42 }),
    });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).toContain('target');
  });

  it('answers 404 for an unknown cluster over HTTP and on join', async () => {
    expect((await httpRequest(`${url}/api/clusters/nope`)).status).toBe(404);
    const reply = (await socket.emitWithAck('join', {
      clusterId: 'nope',
      name: 'Eve',
    })) as JoinReply;
    expect(reply).toEqual({
      ok: false,
      error: 'no cluster nope',
      code: 'cluster-not-found',
      params: { id: 'nope' },
    });
  });

  it('refuses a join with wrong types, naming the field', async () => {
    const reply = (await socket.emitWithAck('join', {
      clusterId: created.id,
      name: 'Eve',
      sinceTick: 'yesterday',
    })) as JoinReply;
    expect(reply.ok).toBe(false);
    if (!reply.ok) expect(reply.error).toContain('sinceTick');
  });

  it('refuses a command before joining, and a malformed one, with the reason', async () => {
    const before = (await socket.emitWithAck('command', {
      clusterId: created.id,
      do: 'pause',
    })) as CommandOutcome;
    expect(before).toMatchObject({ status: 'refused', reason: `join cluster ${created.id} first` });
    const malformed = (await socket.emitWithAck('command', {
      clusterId: created.id,
      do: 'teleport-vm',
    })) as CommandOutcome;
    expect(malformed.status).toBe('refused');
    expect(malformed.reason).toContain('not a valid command');
  });

  it('answers an unknown event with what it expects, and survives it', async () => {
    socket.emit('no-such-event', { anything: true });
    const answer = (await socket.emitWithAck('no-such-event', { anything: true })) as {
      ok: boolean;
      error: string;
    };
    expect(answer).toEqual({
      ok: false,
      error:
        'unknown event "no-such-event": expected one of join, watch-vms, leave, command, watch-sweep',
      code: 'event-unknown',
      params: { event: 'no-such-event' },
    });
    const reply = (await socket.emitWithAck('join', {
      clusterId: created.id,
      name: 'Eve',
    })) as JoinReply;
    expect(reply.ok).toBe(true);
  });

  it('applies a replayed command id once and answers the replay with the first outcome', async () => {
    const operator = io(url, { auth: { name: 'Op' }, transports: ['websocket'], forceNew: true });
    try {
      await operator.emitWithAck('join', {
        clusterId: created.id,
        name: 'Op',
        token: created.operatorToken,
      });
      const send = () =>
        operator.emitWithAck('command', {
          clusterId: created.id,
          id: 'once',
          do: 'power-off-vm',
          target: 'vm',
        }) as Promise<CommandOutcome>;
      expect(await send()).toMatchObject({ id: 'once', status: 'queued' });
      let outcome: CommandOutcome | undefined;
      for (let i = 0; i < 50 && outcome?.status !== 'accepted'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        outcome = (await httpRequest(`${url}/api/clusters/${created.id}/commands/once`))
          .body as CommandOutcome;
      }
      expect(outcome).toMatchObject({ status: 'accepted' });
      expect(await send()).toMatchObject({ id: 'once', status: 'accepted' });
    } finally {
      operator.disconnect();
    }
  });

  it('refuses a socket without a display name before it joins anything', async () => {
    const anonymous = io(url, { transports: ['websocket'], forceNew: true });
    const error = await new Promise<Error>((resolve) => anonymous.once('connect_error', resolve));
    anonymous.disconnect();
    expect(error.message).toContain('a display name is required');
  });
});
