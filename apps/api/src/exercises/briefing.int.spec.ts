import type { INestApplication } from '@nestjs/common';
import {
  type ClusterConfig,
  type CreateExerciseResponse,
  exerciseReportSchema,
  scoreboardSchema,
} from '@overcommit/contracts';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../app';
import { loadApiConfig } from '../config/api-config';
import { REDIS, type RedisClient } from '../redis/redis.module';
import { ExerciseRepository } from '../storage/exercise.repository';
import { exerciseKeys } from '../storage/keys';
import { httpRequest } from '../testing/http';

// A briefing written in several languages, against a real Redis: the scenario's form is kept
// through the exercise's record, the scoreboard, each team's cluster configuration and the report
// (the Markdown gives every language); records stored before briefings had languages still read.
const briefing = {
  en: '**Keep** the VMs running.',
  'zh-Hans': '**保持**虚拟机运行。',
  'zh-Hant': '**保持**虛擬機執行。',
};
const scenario = {
  version: 1,
  name: 'Briefing test',
  clock: { tickMs: 100, stepSeconds: 1 },
  hosts: [{ name: 'esx', count: 2, cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 64 }],
  vms: [{ name: 'vm', count: 2, vcpus: 1, memoryGiB: 4, workload: { cpu: 0.1, amplitude: 0 } }],
  exercise: {
    durationSeconds: 30,
    briefing,
    objectives: [{ id: 'hosts', text: 'Hosts up', metric: 'cluster.hostsUp', above: 1, weight: 1 }],
  },
};

jest.setTimeout(60_000);

describe('exercise briefings in several languages, against a real Redis', () => {
  let app: INestApplication;
  let url: string;
  const created: CreateExerciseResponse[] = [];
  const asInstructor = (e: CreateExerciseResponse) => ({
    authorization: `Bearer ${e.instructorToken}`,
  });
  const create = async (body: unknown) => {
    const r = await httpRequest(`${url}/api/exercises`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (r.status === 201) created.push(r.body as CreateExerciseResponse);
    return r;
  };

  beforeAll(async () => {
    app = await createApp(loadApiConfig(process.env), false);
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const e of created)
      await httpRequest(`${url}/api/exercises/${e.id}`, {
        method: 'DELETE',
        headers: asInstructor(e),
      });
    await app.close();
  });

  it('keeps every language through the record, the scoreboard, the teams and the report', async () => {
    const r = await create({ scenario, teams: 1 });
    expect(r.status).toBe(201);
    const exercise = r.body as CreateExerciseResponse;
    const board = scoreboardSchema.parse(
      (
        await httpRequest(`${url}/api/exercises/${exercise.id}`, {
          headers: asInstructor(exercise),
        })
      ).body,
    );
    expect(board.briefing).toEqual(briefing);
    const team = exercise.teams[0]!;
    const cluster = await httpRequest(
      `${url}/api/clusters/${team.clusterId}?token=${team.viewerToken}`,
    );
    expect((cluster.body as { config: ClusterConfig }).config.exercise?.briefing).toEqual(briefing);
    const report = exerciseReportSchema.parse(
      (
        await httpRequest(`${url}/api/exercises/${exercise.id}/report`, {
          headers: asInstructor(exercise),
        })
      ).body,
    );
    expect(report.briefing).toEqual(briefing);
    const markdown = String(
      (
        await httpRequest(`${url}/api/exercises/${exercise.id}/report.md`, {
          headers: asInstructor(exercise),
        })
      ).body,
    );
    expect(markdown).toContain('## Briefing\n\n**Keep** the VMs running.\n');
    expect(markdown).toContain('## Briefing (简体中文)\n\n**保持**虚拟机运行。\n');
    expect(markdown).toContain('## Briefing (繁體中文)\n\n**保持**虛擬機執行。\n');
  });

  it('keeps a one-language briefing a text, and reads records stored before languages', async () => {
    const r = await create({
      scenario: { ...scenario, exercise: { ...scenario.exercise, briefing: 'Plain.' } },
      teams: 1,
    });
    expect(r.status).toBe(201);
    const exercise = r.body as CreateExerciseResponse;
    const board = scoreboardSchema.parse(
      (
        await httpRequest(`${url}/api/exercises/${exercise.id}`, {
          headers: asInstructor(exercise),
        })
      ).body,
    );
    expect(board.briefing).toBe('Plain.');
    const records = app.get(ExerciseRepository);
    const redis = app.get<RedisClient>(REDIS);
    const { record } = exerciseKeys(loadApiConfig(process.env).REDIS_PREFIX, exercise.id);
    // The record as an older API wrote it: the text, no languages.
    expect(await redis.hget(record, 'briefings')).toBeNull();
    expect((await records.find(exercise.id))?.briefing).toBe('Plain.');
    // A record with languages keeps the English text where older readers look.
    await redis.hset(record, 'briefings', JSON.stringify(briefing));
    expect((await records.find(exercise.id))?.briefing).toEqual(briefing);
    // Languages that no longer read (hand-edited) fall back to the text.
    await redis.hset(record, 'briefings', '{"fr":"x"}');
    expect((await records.find(exercise.id))?.briefing).toBe('Plain.');
  });

  it('stores the English text beside the languages', async () => {
    const r = await create({ scenario, teams: 1 });
    const exercise = r.body as CreateExerciseResponse;
    const redis = app.get<RedisClient>(REDIS);
    const { record } = exerciseKeys(loadApiConfig(process.env).REDIS_PREFIX, exercise.id);
    expect(await redis.hget(record, 'briefing')).toBe(briefing.en);
    expect(JSON.parse((await redis.hget(record, 'briefings')) ?? 'null')).toEqual(briefing);
  });

  it('refuses a briefing in a language it does not know, saying where', async () => {
    const r = await create({
      scenario: { ...scenario, exercise: { ...scenario.exercise, briefing: { en: 'x', fr: 'y' } } },
      teams: 1,
    });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({
      errors: [
        {
          path: 'scenario.exercise.briefing.fr',
          message: 'unknown key; expected one of: en, zh-Hans, zh-Hant',
        },
      ],
    });
  });
});
