import type { INestApplication } from '@nestjs/common';
import {
  type CreateExerciseResponse,
  decodeFrame,
  exerciseReportSchema,
  type Frame,
  scoreboardSchema,
} from '@overcommit/contracts';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { io } from 'socket.io-client';
import { createApp } from '../app';
import { loadApiConfig } from '../config/api-config';
import { httpRequest } from '../testing/http';

// An exercise for three teams against a real Redis, with a worker ticking:
// each team has its own cluster from the same scenario, isolated from the
// others; the instructor watches and controls them all, injects an event,
// reads the live scoreboard and, when the time is up, the report.
const scenario = {
  version: 1,
  name: 'Exercise test',
  clock: { tickMs: 100, stepSeconds: 1 },
  hosts: [{ name: 'esx', count: 2, cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 64 }],
  vms: [{ name: 'vm', count: 4, vcpus: 1, memoryGiB: 4, workload: { cpu: 0.1, amplitude: 0 } }],
  exercise: {
    durationSeconds: 40,
    briefing: 'Keep the VMs running.',
    objectives: [
      { id: 'hosts', text: 'Both hosts up', metric: 'cluster.hostsUp', above: 1, weight: 50 },
      // fail-host too: the instructor's injected failure must not count against the teams.
      {
        id: 'keep',
        text: 'Never power off a VM or fail a host',
        forbid: ['power-off-vm', 'fail-host'],
        weight: 50,
      },
    ],
    responseTargets: { ackSeconds: 30, resolveSeconds: 60 },
  },
};

jest.setTimeout(60_000);

describe('exercises over HTTP against a real Redis', () => {
  let app: INestApplication;
  let url: string;
  let exercise: CreateExerciseResponse;
  const team = (name: string) => exercise.teams.find((t) => t.team === name)!;
  const asInstructor = () => ({ authorization: `Bearer ${exercise.instructorToken}` });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    httpRequest(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const frameOf = async (clusterId: string, token: string): Promise<Frame> => {
    const r = await httpRequest(`${url}/api/clusters/${clusterId}?token=${token}`);
    expect(r.status).toBe(200);
    return (r.body as { frame: Frame }).frame;
  };
  const until = async <T>(what: string, probe: () => Promise<T | undefined>) => {
    const end = Date.now() + 20_000;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  beforeAll(async () => {
    app = await createApp(loadApiConfig(process.env), false);
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    if (exercise)
      await httpRequest(`${url}/api/exercises/${exercise.id}`, {
        method: 'DELETE',
        headers: asInstructor(),
      });
    await app.close();
  });

  it('refuses a scenario without an exercise section, and bad team lists, saying where', async () => {
    const { exercise: _none, ...plain } = scenario;
    const noExercise = await post('/api/exercises', { scenario: plain, teams: 2 });
    expect(noExercise.status).toBe(400);
    const { errors } = noExercise.body as { errors: Array<{ path: string; message: string }> };
    expect(errors).toHaveLength(1);
    expect(errors[0]!.path).toBe('scenario.exercise');
    expect(errors[0]!.message).toMatch(/exercise: section/);
    const badTeams = await post('/api/exercises', { scenario, teams: ['Red', 'Red'] });
    expect(badTeams.status).toBe(400);
    expect(badTeams.body).toMatchObject({
      errors: [{ path: 'teams', message: 'team names must differ' }],
    });
    const unknown = await post('/api/exercises', { scenarioName: 'exercises/nope', teams: 1 });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toMatch(
      /scenarioName.*unknown; the bundled exercises are/,
    );
  });

  it('creates one paused private cluster per team from the same scenario, and an instructor link', async () => {
    const created = await post('/api/exercises', { scenario, teams: ['Red', 'Blue', 'Green'] });
    expect(created.status).toBe(201);
    exercise = created.body as CreateExerciseResponse;
    expect(exercise.teams.map((t) => t.team)).toEqual(['Red', 'Blue', 'Green']);
    expect(new Set(exercise.teams.map((t) => t.clusterId)).size).toBe(3);
    expect(exercise.instructorLink).toMatch(new RegExp(`/exercises/${exercise.id}\\?token=`));
    const board = scoreboardSchema.parse(
      (await httpRequest(`${url}/api/exercises/${exercise.id}`, { headers: asInstructor() })).body,
    );
    expect(board).toMatchObject({
      state: 'ready',
      briefing: 'Keep the VMs running.',
      durationSeconds: 40,
    });
    expect(board.teams.map((t) => [t.team, t.tick, t.paused])).toEqual([
      ['Red', 0, true],
      ['Blue', 0, true],
      ['Green', 0, true],
    ]);
    // Private: not in the public list.
    const list = (await httpRequest(`${url}/api/clusters`)).body as Array<{ id: string }>;
    expect(list.some((c) => exercise.teams.some((t) => t.clusterId === c.id))).toBe(false);
  });

  it('keeps teams apart: another team’s token opens nothing and commands nothing', async () => {
    const red = team('Red');
    const blue = team('Blue');
    expect(
      (await httpRequest(`${url}/api/clusters/${blue.clusterId}?token=${red.operatorToken}`))
        .status,
    ).toBe(404);
    const command = await post(
      `/api/clusters/${blue.clusterId}/commands`,
      { do: 'power-off-vm', target: 'vm-01' },
      { authorization: `Bearer ${red.operatorToken}` },
    );
    expect(command.status).toBe(404);
    const socket = io(url, { auth: { name: 'red-1' }, transports: ['websocket'], forceNew: true });
    try {
      const reply = (await socket.emitWithAck('join', {
        clusterId: blue.clusterId,
        token: red.operatorToken,
        name: 'red-1',
      })) as { ok: boolean; error?: string };
      expect(reply).toEqual({
        ok: false,
        error: `no cluster ${blue.clusterId}`,
        code: 'cluster-not-found',
        params: { id: blue.clusterId },
      });
      // Joined to its own cluster, the participant shows in its team on the scoreboard.
      const own = (await socket.emitWithAck('join', {
        clusterId: red.clusterId,
        token: red.operatorToken,
        name: 'red-1',
      })) as { ok: boolean };
      expect(own.ok).toBe(true);
      const board = await until('red-1 in the Red team', async () => {
        const b = scoreboardSchema.parse(
          (await httpRequest(`${url}/api/exercises/${exercise.id}`, { headers: asInstructor() }))
            .body,
        );
        return b.teams[0]!.members.length > 0 ? b : undefined;
      });
      expect(board.teams.map((t) => [t.team, t.members])).toEqual([
        ['Red', [{ name: 'red-1', role: 'operator' }]],
        ['Blue', []],
        ['Green', []],
      ]);
    } finally {
      socket.disconnect();
    }
    // Someone else's instructor token, or a team's, does not open the scoreboard.
    expect(
      (await httpRequest(`${url}/api/exercises/${exercise.id}?token=${red.operatorToken}`)).status,
    ).toBe(404);
    // The instructor watches a team's cluster but acts only through the exercise.
    expect(
      (await httpRequest(`${url}/api/clusters/${blue.clusterId}?token=${exercise.instructorToken}`))
        .status,
    ).toBe(200);
    const direct = await post(
      `/api/clusters/${blue.clusterId}/commands`,
      { do: 'fail-host', target: 'esx-01' },
      asInstructor(),
    );
    expect(direct.status).toBe(403);
  });

  it('starts every team together, injects an event into all, scores them live, and ends with a report', async () => {
    const control = (body: unknown) =>
      post(`/api/exercises/${exercise.id}/control`, body, asInstructor());
    expect((await control({ do: 'resume' })).status).toBe(409);
    expect((await control({ do: 'start' })).body).toMatchObject({ ok: true, state: 'running' });
    const again = await control({ do: 'start' });
    expect(again.status).toBe(409);
    expect(JSON.stringify(again.body)).toMatch(
      /start refused: the exercise is running \(start works when it is ready\)/,
    );
    const red = team('Red');
    const blue = team('Blue');
    await until('every team ticking', async () => {
      const frames = await Promise.all(
        exercise.teams.map((t) => frameOf(t.clusterId, t.viewerToken)),
      );
      return frames.every((f) => f && f.tick >= 5) ? true : undefined;
    });
    // Teams do not control time in an exercise, nor delete their cluster.
    const teamPause = await post(
      `/api/clusters/${red.clusterId}/commands`,
      { do: 'pause' },
      { authorization: `Bearer ${red.operatorToken}` },
    );
    expect(teamPause.body).toMatchObject({
      status: 'refused',
      reason: 'in an exercise the instructor controls time for every team (pause refused)',
    });
    const teamDelete = await httpRequest(
      `${url}/api/clusters/${red.clusterId}?token=${red.operatorToken}`,
      {
        method: 'DELETE',
      },
    );
    expect(teamDelete.status).toBe(403);
    // Pause and resume, all teams at once; an event for a host that does not exist is refused.
    expect((await control({ do: 'pause' })).body).toMatchObject({ state: 'paused' });
    expect((await control({ do: 'pause' })).status).toBe(409);
    const unknown = await control({ do: 'inject', event: { do: 'fail-host', target: 'esx-09' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({
      errors: [{ path: 'event.target', message: 'no host esx-09 (hosts: esx-01, esx-02)' }],
    });
    expect((await control({ do: 'resume' })).body).toMatchObject({ state: 'running' });
    // The instructor fails esx-02 in every team's cluster at once.
    const injected = await control({ do: 'inject', event: { do: 'fail-host', target: 'esx-02' } });
    expect(injected.body).toMatchObject({
      ok: true,
      teams: exercise.teams.map((t) => ({ team: t.team, status: 'queued' })),
    });
    const alarmId = await until('the host-down alarm in Red', async () => {
      const f = await frameOf(red.clusterId, red.viewerToken);
      return f.alarms.find((a) => a.rule === 'host-down' && a.severity === 'critical')?.id;
    });
    for (const t of exercise.teams) {
      const f = await until(`esx-02 failed in ${t.team}`, async () => {
        const frame = await frameOf(t.clusterId, t.viewerToken);
        return frame.hosts.find((h) => h.name === 'esx-02')?.state === 'failed' ? frame : undefined;
      });
      expect(f.exercise!.objectives[0]!.holding).toBe(false);
    }
    // Red acknowledges with a note and recovers the host; Blue powers a VM off (forbidden).
    const redAuth = { authorization: `Bearer ${red.operatorToken}`, 'x-user-name': 'ana' };
    expect(
      (
        await post(
          `/api/clusters/${red.clusterId}/commands`,
          { do: 'ack-alarm', target: alarmId, note: 'on it' },
          redAuth,
        )
      ).body,
    ).toMatchObject({ status: 'queued' });
    await until('the acknowledgement', async () => {
      const f = await frameOf(red.clusterId, red.viewerToken);
      return f.alarms.find((a) => a.id === alarmId)?.ackedBy === 'ana' ? true : undefined;
    });
    await post(
      `/api/clusters/${red.clusterId}/commands`,
      { do: 'recover-host', target: 'esx-02' },
      redAuth,
    );
    await post(
      `/api/clusters/${blue.clusterId}/commands`,
      { do: 'power-off-vm', target: 'vm-01' },
      { authorization: `Bearer ${blue.operatorToken}`, 'x-user-name': 'bo' },
    );

    // The scoreboard while it runs.
    const live = scoreboardSchema.parse(
      (await httpRequest(`${url}/api/exercises/${exercise.id}`, { headers: asInstructor() })).body,
    );
    expect(live.state).toBe('running');
    expect(live.teams.every((t) => t.score !== null && t.score.maxPoints === 100)).toBe(true);

    // 40 simulated seconds at 100 ms a tick: every cluster stops by itself when the time is up.
    const ended = await until('the end of the exercise', async () => {
      const board = scoreboardSchema.parse(
        (await httpRequest(`${url}/api/exercises/${exercise.id}`, { headers: asInstructor() }))
          .body,
      );
      return board.state === 'ended' && board.teams.every((t) => t.paused) ? board : undefined;
    });
    const points = Object.fromEntries(ended.teams.map((t) => [t.team, t.score!.points]));
    // Red recovered the host and kept every VM; Blue lost its forbid objective; Green did nothing.
    expect(points['Red']).toBeGreaterThan(points['Green']!);
    expect(points['Green']).toBeGreaterThan(points['Blue']!);
    const redScore = ended.teams.find((t) => t.team === 'Red')!.score!;
    expect(redScore.response).toMatchObject({
      critical: 1,
      acknowledged: 1,
      resolved: 1,
      ackMet: true,
    });
    const blueScore = ended.teams.find((t) => t.team === 'Blue')!.score!;
    expect(blueScore.objectives[1]).toMatchObject({ id: 'keep', violations: 1, holding: false });
    // The injected failure counted against nobody.
    expect(redScore.objectives[1]).toMatchObject({ id: 'keep', violations: 0, heldPct: 100 });
    // Ended is final: nothing more to control.
    const late = await control({ do: 'resume' });
    expect(late.status).toBe(409);
    expect(JSON.stringify(late.body)).toMatch(/the exercise has ended: resume refused/);

    const report = exerciseReportSchema.parse(
      (await httpRequest(`${url}/api/exercises/${exercise.id}/report`, { headers: asInstructor() }))
        .body,
    );
    expect(report.state).toBe('ended');
    const redReport = report.teams.find((t) => t.team === 'Red')!;
    expect(redReport.alarms).toEqual([
      expect.objectContaining({
        id: alarmId,
        rule: 'host-down',
        target: 'esx-02',
        ackedBy: 'ana',
        ackNote: 'on it',
      }),
    ]);
    expect(redReport.alarms[0]!.resolvedAt).not.toBeNull();
    expect(redReport.commands.map((c) => [c.by, c.do, c.outcome])).toEqual([
      ['@instructor', 'fail-host', 'accepted'],
      ['ana', 'ack-alarm', 'accepted'],
      ['ana', 'recover-host', 'accepted'],
    ]);
    expect(redReport.timeline.length).toBeGreaterThanOrEqual(40);
    expect(redReport.timeline.at(-1)!.points).toBe(redScore.points);
    const blueReport = report.teams.find((t) => t.team === 'Blue')!;
    expect(blueReport.commands.map((c) => [c.by, c.do, c.outcome])).toEqual([
      ['@instructor', 'fail-host', 'accepted'],
      ['bo', 'power-off-vm', 'accepted'],
    ]);
    const markdown = await httpRequest(`${url}/api/exercises/${exercise.id}/report.md`, {
      headers: asInstructor(),
    });
    expect(markdown.headers['content-type']).toMatch(/^text\/markdown/);
    expect(markdown.headers['content-disposition']).toBe(
      `attachment; filename="exercise-${exercise.id}.md"`,
    );
    const text = String(markdown.body);
    for (const line of [
      '# After-action report: Exercise test',
      '## Red',
      '## Blue',
      '## Green',
      `| ana | ack-alarm | ${alarmId} | accepted |`,
      'on it',
    ])
      expect(text).toContain(line);
    // The history frames say the same as the report.
    const last = decodeFrame(
      (
        (
          await httpRequest(
            `${url}/api/clusters/${red.clusterId}/history?format=wire&token=${red.viewerToken}`,
          )
        ).body as { frames: string[] }
      ).frames.at(-1)!,
    );
    expect(last.exercise?.finished).toBe(true);
  });

  it('deletes the exercise with its clusters', async () => {
    const gone = await httpRequest(`${url}/api/exercises/${exercise.id}`, {
      method: 'DELETE',
      headers: asInstructor(),
    });
    expect(gone.status).toBe(204);
    for (const t of exercise.teams)
      expect(
        (await httpRequest(`${url}/api/clusters/${t.clusterId}?token=${t.operatorToken}`)).status,
      ).toBe(404);
    expect(
      (await httpRequest(`${url}/api/exercises/${exercise.id}`, { headers: asInstructor() }))
        .status,
    ).toBe(404);
    exercise = undefined as unknown as CreateExerciseResponse;
  });
});
