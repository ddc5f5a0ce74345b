import type { CreateClusterResponse, CreateExerciseResponse } from '@overcommit/contracts';
import { io } from 'socket.io-client';
import { ApiProcess } from '../testing/api-process';
import { httpRequest } from '../testing/http';

// Tokens never reach the log: the built API as its own process, at LOG_LEVEL=debug, gets every
// kind of token in every place a client puts one (query, Authorization, a socket join's body,
// the metrics bearer), on answers that succeed and answers that fail (400, 401, 403, 404), and
// what it printed is searched for each token.
jest.setTimeout(60_000);

const scenario = {
  version: 1,
  name: 'token logging',
  clock: { tickMs: 100, stepSeconds: 1 },
  hosts: [{ name: 'esx', count: 2, cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 64 }],
  vms: [{ name: 'vm', count: 2, vcpus: 1, memoryGiB: 4 }],
};
const exerciseScenario = {
  ...scenario,
  name: 'token logging exercise',
  exercise: {
    durationSeconds: 60,
    briefing: 'Keep the VMs running.',
    objectives: [{ id: 'up', text: 'Hosts up', metric: 'cluster.hostsUp', above: 1, weight: 100 }],
  },
};
const METRICS_TOKEN = 'metrics-secret-0123456789abcdef';

describe('tokens in the API process log', () => {
  let api: ApiProcess;

  beforeAll(async () => {
    api = await ApiProcess.start({ ...process.env, LOG_LEVEL: 'debug', METRICS_TOKEN });
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('are never written, wherever a request carries them and whatever the answer', async () => {
    const json = { 'content-type': 'application/json' };
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      httpRequest(`${api.url}${path}`, {
        method: 'POST',
        headers: { ...json, ...headers },
        body: JSON.stringify(body),
      });
    const cluster = (await post('/api/clusters', { scenario, visibility: 'private' }))
      .body as CreateClusterResponse;
    const exercise = (await post('/api/exercises', { scenario: exerciseScenario, teams: 2 }))
      .body as CreateExerciseResponse;
    expect(cluster.operatorToken).toBeDefined();
    expect(exercise).toHaveProperty('instructorToken');
    const forged = 'forged-token-of-the-right-size-x';
    const tokens = {
      operator: cluster.operatorToken,
      viewer: cluster.viewerToken,
      instructor: exercise.instructorToken,
      teamOperator: exercise.teams[0]!.operatorToken,
      teamViewer: exercise.teams[1]!.viewerToken,
      forged,
      metrics: METRICS_TOKEN,
    };
    const c = `/api/clusters/${cluster.id}`;
    const e = `/api/exercises/${exercise.id}`;
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const statuses: number[] = [];
    const get = async (path: string, headers: Record<string, string> = {}) => {
      statuses.push((await httpRequest(`${api.url}${path}`, { headers })).status);
    };

    await get(`${c}?token=${tokens.viewer}`); // 200
    await get(`${c}/summary`, bearer(tokens.operator)); // 200
    await get(`${c}?token=${forged}`); // 404
    await get(`${c}/history?every=2&token=${tokens.viewer}&format=wire`); // 200
    await get(`${c}/history?token=${tokens.viewer}&token=${tokens.operator}`); // 400
    await get(`${c}?%74oken=${tokens.operator}`); // 200 (the query parser decodes the name)
    await get(`${c}/vms/nope/targets?token=${tokens.viewer}`); // 404
    await get(`${e}?token=${tokens.instructor}`); // 200
    await get(`${e}/report`, bearer(tokens.instructor)); // 200
    await get(`${e}?token=${tokens.teamOperator}`); // 404
    await get(`/api/clusters/${exercise.teams[0]!.clusterId}?token=${tokens.teamViewer}`); // 404
    await get('/metrics', bearer(forged)); // 401
    await get('/metrics', bearer(METRICS_TOKEN)); // 200
    statuses.push(
      (await post(`${c}/commands?token=${tokens.viewer}`, { do: 'pause' }, { 'x-user-name': 'v' }))
        .status, // 403
      (
        await post(
          `${c}/commands`,
          { do: 'pause', token: tokens.operator },
          bearer(tokens.operator),
        )
      ).status, // 400: a token in the body is not a command field
      (await post(`${c}/commands`, { do: 'set-speed', speed: 2 }, bearer(tokens.operator))).status, // 201
      (await post(`${e}/control?token=${tokens.instructor}`, { do: 'set-speed', speed: 1 })).status, // 200
      (await httpRequest(`${api.url}${c}?token=${tokens.viewer}`, { method: 'DELETE' })).status, // 403
    );
    expect(statuses).toEqual([
      200, 200, 404, 200, 400, 200, 404, 200, 200, 404, 404, 401, 200, 403, 400, 201, 200, 403,
    ]);

    // A socket's join carries its token in the body; a failing join and a failing command log nothing of it.
    const socket = io(api.url, { auth: { name: 'logger test' }, transports: ['websocket'] });
    try {
      const joined = (await socket.emitWithAck('join', {
        clusterId: cluster.id,
        name: 'logger test',
        token: tokens.viewer,
      })) as { ok: boolean };
      expect(joined.ok).toBe(true);
      const refused = (await socket.emitWithAck('join', {
        clusterId: exercise.teams[0]!.clusterId,
        name: 'logger test',
        token: tokens.teamViewer,
      })) as { ok: boolean };
      expect(refused.ok).toBe(false);
      await socket.emitWithAck('command', { clusterId: cluster.id, do: 'pause', token: forged });
      await socket.emitWithAck('no-such-event', { token: tokens.operator });
    } finally {
      socket.disconnect();
    }

    // Deleting (the owner's token) comes last.
    expect(
      (
        await httpRequest(`${api.url}${e}`, {
          method: 'DELETE',
          headers: bearer(tokens.instructor),
        })
      ).status,
    ).toBe(204);
    expect(
      (await httpRequest(`${api.url}${c}?token=${tokens.operator}`, { method: 'DELETE' })).status,
    ).toBe(204);
    await new Promise((resolve) => setTimeout(resolve, 300));

    const log = api.log;
    // The requests were logged (the log is not empty for another reason), their tokens as ***.
    expect(log).toContain(`"url":"${c}?token=***"`);
    expect(log).toContain(`"url":"${c}?%74oken=***"`);
    expect(log).toContain(`"url":"${c}/history?token=***&token=***"`);
    expect(log).toContain(`"url":"${e}?token=***"`);
    expect(log).toContain('"statusCode":403');
    for (const [who, token] of Object.entries(tokens))
      expect({ who, logged: log.includes(token) }).toEqual({ who, logged: false });
  });
});
