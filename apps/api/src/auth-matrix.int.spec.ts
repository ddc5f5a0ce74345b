import type { INestApplication } from '@nestjs/common';
import type { CreateClusterResponse, CreateExerciseResponse } from '@overcommit/contracts';
import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { io, type Socket } from 'socket.io-client';
import { createApp } from './app';
import { newToken } from './common/tokens';
import { loadApiConfig } from './config/api-config';
import { httpRequest } from './testing/http';

// The authorization matrix: every principal against every HTTP route and every socket event, on a
// public cluster, a private cluster, an exercise team's cluster and the exercise itself. The
// expected answer of every cell is the data below; every cell is asserted (HTTP cells twice, the
// token once in Authorization and once in ?token=, where the route takes both). With
// AUTH_MATRIX_OUT=<file> the run writes the tables it asserted as Markdown (docs/reliability.md).
//
// Tokens never expire: the only way a token stops working is its cluster or exercise being
// deleted, so the "deleted" principal holds the token of a cluster (or exercise) deleted before
// the run.

jest.setTimeout(120_000);

const PRINCIPALS = [
  'anonymous',
  'viewer',
  'operator',
  'other-operator',
  'other-team',
  'instructor',
  'forged',
  'deleted',
  'scraper',
] as const;
type Principal = (typeof PRINCIPALS)[number];

const ABOUT: Record<Principal, string> = {
  anonymous: 'no token',
  viewer: "the viewer token of the cluster under test (for the exercise: team A's)",
  operator: "the operator token of the cluster under test (for the exercise: team A's)",
  'other-operator':
    "another cluster's operator token (the private's on the public, the public's elsewhere)",
  'other-team': "team B's operator token, on team A's cluster and on the exercise",
  instructor: "the exercise's instructor token",
  forged: 'a token of the right form and length that was never issued',
  deleted:
    'the operator token of a deleted cluster (for the exercise: the instructor token of a deleted exercise)',
  scraper: 'the METRICS_TOKEN (a foreign token anywhere but /metrics)',
};

type Target = 'public' | 'private' | 'team' | 'exercise' | 'global';
type Row = readonly [string, string, string, string, string, string, string, string, string];

/** A table of expected answers: a header of principals, then `| row | cell | ... |`, one per line. */
function table(text: string): Record<string, Row> {
  const [header, ...lines] = text
    .trim()
    .split('\n')
    .map((line) =>
      line
        .trim()
        .replace(/^\||\|$/g, '')
        .split('|')
        .map((cell) => cell.trim()),
    );
  if (header!.slice(1).join() !== PRINCIPALS.join())
    throw new Error(`bad header: ${header!.join()}`);
  return Object.fromEntries(
    lines.map((cells) => {
      if (cells.length !== PRINCIPALS.length + 1) throw new Error(`bad row: ${cells.join(' | ')}`);
      return [cells[0]!, cells.slice(1) as unknown as Row];
    }),
  );
}

// Columns: anonymous, viewer, operator, other-operator, other-team, instructor, forged, deleted, scraper.
// `201 refused`: the command was received and refused in its outcome (an operator's time command in
// an exercise: the instructor controls time); 403: a viewer's command or delete; 404: the cluster or
// exercise is not there for this token (a private cluster without its link looks absent).
const HTTP_EXPECTED: Record<Target, Record<string, Row>> = {
  global: table(`
    |                                      | anonymous | viewer | operator | other-operator | other-team | instructor | forged | deleted | scraper |
    | GET /api/health                      | 200       | 200    | 200      | 200            | 200        | 200        | 200    | 200     | 200     |
    | GET /api/health/live                 | 200       | 200    | 200      | 200            | 200        | 200        | 200    | 200     | 200     |
    | GET /api/health/ready                | 200       | 200    | 200      | 200            | 200        | 200        | 200    | 200     | 200     |
    | GET /api/scenarios                   | 200       | 200    | 200      | 200            | 200        | 200        | 200    | 200     | 200     |
    | GET /api/docs-json                   | 200       | 200    | 200      | 200            | 200        | 200        | 200    | 200     | 200     |
    | GET /api/clusters (public ones only) | 200       | 200    | 200      | 200            | 200        | 200        | 200    | 200     | 200     |
    | POST /api/clusters                   | 201       | 201    | 201      | 201            | 201        | 201        | 201    | 201     | 201     |
    | POST /api/exercises                  | 201       | 201    | 201      | 201            | 201        | 201        | 201    | 201     | 201     |
    | GET /metrics (METRICS_TOKEN set)     | 401       | 401    | 401      | 401            | 401        | 401        | 401    | 401     | 200     |
    | GET /metrics (METRICS_TOKEN unset)   | 200       | 200    | 200      | 200            | 200        | 200        | 200    | 200     | 200     |
  `),
  public: table(`
    |                                                 | anonymous | viewer | operator     | other-operator | other-team | instructor | forged | deleted | scraper |
    | GET /api/clusters/:id                           | 200       | 200    | 200          | 200            | 200        | 200        | 200    | 200     | 200     |
    | GET /api/clusters/:id/summary                   | 200       | 200    | 200          | 200            | 200        | 200        | 200    | 200     | 200     |
    | GET /api/clusters/:id/history                   | 200       | 200    | 200          | 200            | 200        | 200        | 200    | 200     | 200     |
    | GET /api/clusters/:id/vms/:vm/targets           | 200       | 200    | 200          | 200            | 200        | 200        | 200    | 200     | 200     |
    | GET /api/clusters/:id/commands/:commandId       | 200       | 200    | 200          | 200            | 200        | 200        | 200    | 200     | 200     |
    | POST /api/clusters/:id/commands pause           | 403       | 403    | 201 accepted | 403            | 403        | 403        | 403    | 403     | 403     |
    | POST /api/clusters/:id/commands resume          | 403       | 403    | 201 accepted | 403            | 403        | 403        | 403    | 403     | 403     |
    | POST /api/clusters/:id/commands set-speed       | 403       | 403    | 201 accepted | 403            | 403        | 403        | 403    | 403     | 403     |
    | POST /api/clusters/:id/commands set-maintenance | 403       | 403    | 201 queued   | 403            | 403        | 403        | 403    | 403     | 403     |
    | POST /api/clusters/:id/commands ack-alarm       | 403       | 403    | 201 queued   | 403            | 403        | 403        | 403    | 403     | 403     |
    | DELETE /api/clusters/:id                        | 403       | 403    | 204          | 403            | 403        | 403        | 403    | 403     | 403     |
  `),
  private: table(`
    |                                                 | anonymous | viewer | operator     | other-operator | other-team | instructor | forged | deleted | scraper |
    | GET /api/clusters/:id                           | 404       | 200    | 200          | 404            | 404        | 404        | 404    | 404     | 404     |
    | GET /api/clusters/:id/summary                   | 404       | 200    | 200          | 404            | 404        | 404        | 404    | 404     | 404     |
    | GET /api/clusters/:id/history                   | 404       | 200    | 200          | 404            | 404        | 404        | 404    | 404     | 404     |
    | GET /api/clusters/:id/vms/:vm/targets           | 404       | 200    | 200          | 404            | 404        | 404        | 404    | 404     | 404     |
    | GET /api/clusters/:id/commands/:commandId       | 404       | 200    | 200          | 404            | 404        | 404        | 404    | 404     | 404     |
    | POST /api/clusters/:id/commands pause           | 404       | 403    | 201 accepted | 404            | 404        | 404        | 404    | 404     | 404     |
    | POST /api/clusters/:id/commands resume          | 404       | 403    | 201 accepted | 404            | 404        | 404        | 404    | 404     | 404     |
    | POST /api/clusters/:id/commands set-speed       | 404       | 403    | 201 accepted | 404            | 404        | 404        | 404    | 404     | 404     |
    | POST /api/clusters/:id/commands set-maintenance | 404       | 403    | 201 queued   | 404            | 404        | 404        | 404    | 404     | 404     |
    | POST /api/clusters/:id/commands ack-alarm       | 404       | 403    | 201 queued   | 404            | 404        | 404        | 404    | 404     | 404     |
    | DELETE /api/clusters/:id                        | 404       | 403    | 204          | 404            | 404        | 404        | 404    | 404     | 404     |
  `),
  team: table(`
    |                                                 | anonymous | viewer | operator    | other-operator | other-team | instructor | forged | deleted | scraper |
    | GET /api/clusters/:id                           | 404       | 200    | 200         | 404            | 404        | 200        | 404    | 404     | 404     |
    | GET /api/clusters/:id/summary                   | 404       | 200    | 200         | 404            | 404        | 200        | 404    | 404     | 404     |
    | GET /api/clusters/:id/history                   | 404       | 200    | 200         | 404            | 404        | 200        | 404    | 404     | 404     |
    | GET /api/clusters/:id/vms/:vm/targets           | 404       | 200    | 200         | 404            | 404        | 200        | 404    | 404     | 404     |
    | GET /api/clusters/:id/commands/:commandId       | 404       | 200    | 200         | 404            | 404        | 200        | 404    | 404     | 404     |
    | POST /api/clusters/:id/commands pause           | 404       | 403    | 201 refused | 404            | 404        | 403        | 404    | 404     | 404     |
    | POST /api/clusters/:id/commands resume          | 404       | 403    | 201 refused | 404            | 404        | 403        | 404    | 404     | 404     |
    | POST /api/clusters/:id/commands set-speed       | 404       | 403    | 201 refused | 404            | 404        | 403        | 404    | 404     | 404     |
    | POST /api/clusters/:id/commands set-maintenance | 404       | 403    | 201 queued  | 404            | 404        | 403        | 404    | 404     | 404     |
    | POST /api/clusters/:id/commands ack-alarm       | 404       | 403    | 201 queued  | 404            | 404        | 403        | 404    | 404     | 404     |
    | DELETE /api/clusters/:id                        | 404       | 403    | 403         | 404            | 404        | 403        | 404    | 404     | 404     |
  `),
  exercise: table(`
    |                                           | anonymous | viewer | operator | other-operator | other-team | instructor | forged | deleted | scraper |
    | GET /api/exercises/:id                    | 404       | 404    | 404      | 404            | 404        | 200        | 404    | 404     | 404     |
    | POST /api/exercises/:id/control set-speed | 404       | 404    | 404      | 404            | 404        | 200        | 404    | 404     | 404     |
    | GET /api/exercises/:id/report             | 404       | 404    | 404      | 404            | 404        | 200        | 404    | 404     | 404     |
    | GET /api/exercises/:id/report.md          | 404       | 404    | 404      | 404            | 404        | 200        | 404    | 404     | 404     |
    | DELETE /api/exercises/:id                 | 404       | 404    | 404      | 404            | 404        | 204        | 404    | 404     | 404     |
  `),
};

// Each principal's socket, in order: join with its token, then the rest on the same connection.
// `refused (viewer)`: a viewer link cannot act; `refused (not joined)`: the join was refused, so
// nothing else is allowed; `refused (exercise)`: in an exercise the instructor controls time.
type SocketTarget = 'public' | 'private' | 'team';
const SOCKET_EXPECTED: Record<SocketTarget, Record<string, Row>> = {
  public: table(`
    |                         | anonymous            | viewer               | operator             | other-operator       | other-team           | instructor           | forged               | deleted              | scraper              |
    | join                    | ok (viewer)          | ok (viewer)          | ok (operator)        | ok (viewer)          | ok (viewer)          | ok (viewer)          | ok (viewer)          | ok (viewer)          | ok (viewer)          |
    | watch-vms on            | ok                   | ok                   | ok                   | ok                   | ok                   | ok                   | ok                   | ok                   | ok                   |
    | command pause           | refused (viewer)     | refused (viewer)     | accepted             | refused (viewer)     | refused (viewer)     | refused (viewer)     | refused (viewer)     | refused (viewer)     | refused (viewer)     |
    | command resume          | refused (viewer)     | refused (viewer)     | accepted             | refused (viewer)     | refused (viewer)     | refused (viewer)     | refused (viewer)     | refused (viewer)     | refused (viewer)     |
    | command set-speed       | refused (viewer)     | refused (viewer)     | accepted             | refused (viewer)     | refused (viewer)     | refused (viewer)     | refused (viewer)     | refused (viewer)     | refused (viewer)     |
    | command set-maintenance | refused (viewer)     | refused (viewer)     | queued               | refused (viewer)     | refused (viewer)     | refused (viewer)     | refused (viewer)     | refused (viewer)     | refused (viewer)     |
    | command ack-alarm       | refused (viewer)     | refused (viewer)     | queued               | refused (viewer)     | refused (viewer)     | refused (viewer)     | refused (viewer)     | refused (viewer)     | refused (viewer)     |
    | command migrate-vm      | refused (viewer)     | refused (viewer)     | queued               | refused (viewer)     | refused (viewer)     | refused (viewer)     | refused (viewer)     | refused (viewer)     | refused (viewer)     |
    | watch-vms off           | ok                   | ok                   | ok                   | ok                   | ok                   | ok                   | ok                   | ok                   | ok                   |
    | leave                   | ok                   | ok                   | ok                   | ok                   | ok                   | ok                   | ok                   | ok                   | ok                   |
    | command after leave     | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) |
  `),
  private: table(`
    |                         | anonymous            | viewer               | operator             | other-operator       | other-team           | instructor           | forged               | deleted              | scraper              |
    | join                    | refused (no cluster) | ok (viewer)          | ok (operator)        | refused (no cluster) | refused (no cluster) | refused (no cluster) | refused (no cluster) | refused (no cluster) | refused (no cluster) |
    | watch-vms on            | refused (not joined) | ok                   | ok                   | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) |
    | command pause           | refused (not joined) | refused (viewer)     | accepted             | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) |
    | command resume          | refused (not joined) | refused (viewer)     | accepted             | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) |
    | command set-speed       | refused (not joined) | refused (viewer)     | accepted             | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) |
    | command set-maintenance | refused (not joined) | refused (viewer)     | queued               | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) |
    | command ack-alarm       | refused (not joined) | refused (viewer)     | queued               | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) |
    | command migrate-vm      | refused (not joined) | refused (viewer)     | queued               | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) |
    | watch-vms off           | refused (not joined) | ok                   | ok                   | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) |
    | leave                   | refused (not joined) | ok                   | ok                   | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) |
    | command after leave     | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) |
  `),
  team: table(`
    |                         | anonymous            | viewer               | operator             | other-operator       | other-team           | instructor           | forged               | deleted              | scraper              |
    | join                    | refused (no cluster) | ok (viewer)          | ok (operator)        | refused (no cluster) | refused (no cluster) | ok (viewer)          | refused (no cluster) | refused (no cluster) | refused (no cluster) |
    | watch-vms on            | refused (not joined) | ok                   | ok                   | refused (not joined) | refused (not joined) | ok                   | refused (not joined) | refused (not joined) | refused (not joined) |
    | command pause           | refused (not joined) | refused (viewer)     | refused (exercise)   | refused (not joined) | refused (not joined) | refused (viewer)     | refused (not joined) | refused (not joined) | refused (not joined) |
    | command resume          | refused (not joined) | refused (viewer)     | refused (exercise)   | refused (not joined) | refused (not joined) | refused (viewer)     | refused (not joined) | refused (not joined) | refused (not joined) |
    | command set-speed       | refused (not joined) | refused (viewer)     | refused (exercise)   | refused (not joined) | refused (not joined) | refused (viewer)     | refused (not joined) | refused (not joined) | refused (not joined) |
    | command set-maintenance | refused (not joined) | refused (viewer)     | queued               | refused (not joined) | refused (not joined) | refused (viewer)     | refused (not joined) | refused (not joined) | refused (not joined) |
    | command ack-alarm       | refused (not joined) | refused (viewer)     | queued               | refused (not joined) | refused (not joined) | refused (viewer)     | refused (not joined) | refused (not joined) | refused (not joined) |
    | command migrate-vm      | refused (not joined) | refused (viewer)     | queued               | refused (not joined) | refused (not joined) | refused (viewer)     | refused (not joined) | refused (not joined) | refused (not joined) |
    | watch-vms off           | refused (not joined) | ok                   | ok                   | refused (not joined) | refused (not joined) | ok                   | refused (not joined) | refused (not joined) | refused (not joined) |
    | leave                   | refused (not joined) | ok                   | ok                   | refused (not joined) | refused (not joined) | ok                   | refused (not joined) | refused (not joined) | refused (not joined) |
    | command after leave     | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) | refused (not joined) |
  `),
};

const COMMANDS: Record<string, Record<string, unknown>> = {
  pause: { do: 'pause' },
  resume: { do: 'resume' },
  'set-speed': { do: 'set-speed', speed: 1 },
  'set-maintenance': { do: 'set-maintenance', target: 'esx-02', on: false },
  'ack-alarm': { do: 'ack-alarm', target: 'no-such-alarm' },
  'migrate-vm': { do: 'migrate-vm', target: 'vm-01', to: 'esx-01' },
};

const scenario = {
  version: 1,
  name: 'auth matrix',
  clock: { tickMs: 500, stepSeconds: 1 },
  hosts: [{ name: 'esx', count: 2, cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 64 }],
  vms: [{ name: 'vm', count: 2, vcpus: 1, memoryGiB: 4, host: 'esx-01' }],
};
const exerciseScenario = {
  ...scenario,
  name: 'auth matrix exercise',
  exercise: {
    durationSeconds: 600,
    briefing: 'Keep the hosts up.',
    objectives: [{ id: 'up', text: 'Hosts up', metric: 'cluster.hostsUp', above: 1, weight: 100 }],
  },
};
const METRICS_TOKEN = 'auth-matrix-metrics-token-0123456789';
const SETUP_COMMAND = 'matrix-setup-command';

describe('authorization matrix', () => {
  let app: INestApplication;
  let bare: INestApplication;
  let url: string;
  let bareUrl: string;
  let pub: CreateClusterResponse;
  let priv: CreateClusterResponse;
  let exercise: CreateExerciseResponse;
  let goneCluster: CreateClusterResponse;
  let goneExercise: CreateExerciseResponse;
  const createdClusters: CreateClusterResponse[] = [];
  const createdExercises: CreateExerciseResponse[] = [];
  const forged = newToken();
  /** What each cell answered, by table and row, in principal order. */
  const actual = new Map<string, Map<string, string[]>>();
  const mismatches: string[] = [];
  let cellsAsserted = 0;

  const listen = async (env: Record<string, string>) => {
    const config = loadApiConfig({
      ...process.env,
      // The matrix makes about a thousand requests and three hundred socket events from one address.
      RATE_LIMIT_HTTP: '1000000',
      RATE_LIMIT_SOCKET: '1000000',
      RATE_LIMIT_SOCKET_ADDRESS: '1000000',
      ...env,
    });
    const started = await createApp(config, false);
    await started.listen(0, '127.0.0.1');
    const port = ((started.getHttpServer() as Server).address() as AddressInfo).port;
    return { started, at: `http://127.0.0.1:${port}` };
  };
  const post = async <T>(path: string, body: unknown, headers: Record<string, string> = {}) => {
    const r = await httpRequest(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return r as { status: number; body: T };
  };
  const newCluster = async (visibility: 'public' | 'private') => {
    const r = await post<CreateClusterResponse>('/api/clusters', { scenario, visibility });
    expect(r.status).toBe(201);
    createdClusters.push(r.body);
    return r.body;
  };
  const newExercise = async () => {
    const r = await post<CreateExerciseResponse>('/api/exercises', {
      scenario: exerciseScenario,
      teams: ['A', 'B'],
    });
    expect(r.status).toBe(201);
    createdExercises.push(r.body);
    return r.body;
  };
  const teamA = () => exercise.teams[0]!;
  const teamB = () => exercise.teams[1]!;

  /** The token a principal presents to a target (undefined: none). */
  const tokenOf = (principal: Principal, target: Target): string | undefined => {
    const own = { public: pub, private: priv, team: teamA(), exercise: teamA(), global: pub }[
      target
    ];
    switch (principal) {
      case 'anonymous':
        return undefined;
      case 'viewer':
        return own.viewerToken;
      case 'operator':
        return own.operatorToken;
      case 'other-operator':
        return target === 'public' ? priv.operatorToken : pub.operatorToken;
      case 'other-team':
        return teamB().operatorToken;
      case 'instructor':
        return exercise.instructorToken;
      case 'forged':
        return forged;
      case 'deleted':
        return target === 'exercise' ? goneExercise.instructorToken : goneCluster.operatorToken;
      case 'scraper':
        return METRICS_TOKEN;
    }
  };
  const clusterOf = (target: SocketTarget) =>
    ({ public: pub.id, private: priv.id, team: teamA().clusterId })[target];

  const record = (table: string, row: string, principal: Principal, cell: string, want: string) => {
    const rows = actual.get(table) ?? new Map<string, string[]>();
    actual.set(table, rows);
    const cells = rows.get(row) ?? Array<string>(PRINCIPALS.length).fill('');
    rows.set(row, cells);
    cells[PRINCIPALS.indexOf(principal)] = cell;
    cellsAsserted += 1;
    if (cell !== want)
      mismatches.push(`${table} | ${row} | ${principal}: ${cell}, expected ${want}`);
  };

  beforeAll(async () => {
    ({ started: app, at: url } = await listen({ METRICS_TOKEN }));
    ({ started: bare, at: bareUrl } = await listen({ ROLE: 'worker' }));
    pub = await newCluster('public');
    priv = await newCluster('private');
    exercise = await newExercise();
    goneCluster = await newCluster('private');
    goneExercise = await newExercise();
    // A command outcome to read on each cluster under test.
    for (const [id, token] of [
      [pub.id, pub.operatorToken],
      [priv.id, priv.operatorToken],
      [teamA().clusterId, teamA().operatorToken],
    ] as const) {
      const r = await post<{ status: string }>(
        `/api/clusters/${id}/commands`,
        { id: SETUP_COMMAND, do: 'set-maintenance', target: 'esx-02', on: false },
        { authorization: `Bearer ${token}` },
      );
      expect(r.body.status).toBe('queued');
    }
    // The "deleted" principal's tokens: their cluster and exercise are gone before the run.
    const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
    expect(
      (
        await httpRequest(`${url}/api/clusters/${goneCluster.id}`, {
          method: 'DELETE',
          headers: bearer(goneCluster.operatorToken),
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await httpRequest(`${url}/api/exercises/${goneExercise.id}`, {
          method: 'DELETE',
          headers: bearer(goneExercise.instructorToken),
        })
      ).status,
    ).toBe(204);
  });

  afterAll(async () => {
    for (const c of createdClusters)
      await httpRequest(`${url}/api/clusters/${c.id}?token=${c.operatorToken}`, {
        method: 'DELETE',
      });
    for (const e of createdExercises)
      await httpRequest(`${url}/api/exercises/${e.id}?token=${e.instructorToken}`, {
        method: 'DELETE',
      });
    await bare?.close();
    await app?.close();
  });

  /** One HTTP cell: the answer, as the table writes it. */
  const httpCell = async (
    target: Target,
    route: string,
    token: string | undefined,
    via: 'header' | 'query',
  ): Promise<string> => {
    const [method, pathPattern, variant] = route.split(' ') as [string, string, string?];
    const id = {
      public: pub.id,
      private: priv.id,
      team: teamA().clusterId,
      exercise: exercise.id,
      global: '',
    }[target];
    let base = url;
    let path = pathPattern
      .replace(':id', id)
      .replace(':vm', 'vm-01')
      .replace(':commandId', SETUP_COMMAND);
    if (path === '/api/clusters/:id/history'.replace(':id', id)) path += '?every=1';
    let body: unknown;
    if (route.startsWith('POST /api/clusters/:id/commands')) body = COMMANDS[variant!];
    else if (route.startsWith('POST /api/exercises/:id/control'))
      body = { do: 'set-speed', speed: 1 };
    else if (route === 'POST /api/clusters') body = { scenario, visibility: 'public' };
    else if (route === 'POST /api/exercises') body = { scenario: exerciseScenario, teams: 2 };
    if (route === 'GET /metrics (METRICS_TOKEN unset)') base = bareUrl;
    const headers: Record<string, string> = body ? { 'content-type': 'application/json' } : {};
    if (token !== undefined && via === 'header') headers['authorization'] = `Bearer ${token}`;
    if (token !== undefined && via === 'query')
      path += `${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
    const r = await httpRequest(`${base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // Every answer, allowed or refused, keeps the page's URL (and its token) out of any Referer.
    if (r.headers['referrer-policy'] !== 'no-referrer')
      mismatches.push(
        `${target} | ${route} | Referrer-Policy: ${String(r.headers['referrer-policy'])}`,
      );
    if (r.status === 201 && route === 'POST /api/clusters')
      createdClusters.push(r.body as CreateClusterResponse);
    if (r.status === 201 && route === 'POST /api/exercises')
      createdExercises.push(r.body as CreateExerciseResponse);
    if (route.startsWith('GET /api/clusters (')) {
      // The list never shows a private cluster, whoever asks.
      const ids = (r.body as Array<{ id: string }>).map((c) => c.id);
      const hidden = [priv.id, teamA().clusterId, teamB().clusterId];
      if (!ids.includes(pub.id) || hidden.some((h) => ids.includes(h)))
        return `${r.status} (wrong list)`;
    }
    if (r.status === 201 && route.startsWith('POST /api/clusters/:id/commands'))
      return `201 ${(r.body as { status: string }).status}`;
    return String(r.status);
  };

  /** Runs a table's cells: refused ones first, then allowed ones (a delete must come last). */
  const runHttpTable = async (target: Target, routes: string[]) => {
    for (const route of routes) {
      const row = HTTP_EXPECTED[target][route]!;
      const order = [...PRINCIPALS].sort(
        (a, b) =>
          Number(/^2/.test(row[PRINCIPALS.indexOf(a)]!)) -
          Number(/^2/.test(row[PRINCIPALS.indexOf(b)]!)),
      );
      for (const principal of order) {
        const want = row[PRINCIPALS.indexOf(principal)]!;
        const token = tokenOf(principal, target);
        const first = await httpCell(target, route, token, 'header');
        record(target, route, principal, first, want);
        // The same token in ?token= gets the same status (not for /metrics, which reads only the
        // header, nor for the same delete twice; a command's outcome may differ the second time).
        const twice =
          token !== undefined &&
          !route.includes('/metrics') &&
          !(route.startsWith('DELETE') && /^2/.test(want));
        if (twice) {
          const second = await httpCell(target, route, token, 'query');
          cellsAsserted += 1;
          if (second.split(' ')[0] !== want.split(' ')[0])
            mismatches.push(
              `${target} | ${route} | ${principal} via ?token=: ${second}, expected ${want}`,
            );
        }
      }
    }
  };

  const classifySocket = (step: string, reply: unknown): string => {
    const r = reply as {
      ok?: boolean;
      role?: string;
      error?: string;
      status?: string;
      reason?: string;
    };
    if (step.startsWith('command')) {
      if (r.status === 'accepted' || r.status === 'queued') return r.status;
      if (/viewer link/.test(r.reason ?? '')) return 'refused (viewer)';
      if (/join cluster/.test(r.reason ?? '')) return 'refused (not joined)';
      if (/instructor controls time/.test(r.reason ?? '')) return 'refused (exercise)';
      return `refused (${r.reason ?? JSON.stringify(r)})`;
    }
    if (step === 'join') {
      if (r.ok) return `ok (${r.role})`;
      return /^no cluster/.test(r.error ?? '') ? 'refused (no cluster)' : `refused (${r.error})`;
    }
    if (r.ok) return 'ok';
    return r.error === undefined || /join cluster|not joined to cluster/.test(r.error)
      ? 'refused (not joined)'
      : `refused (${r.error})`;
  };

  const runSocket = async (target: SocketTarget, principal: Principal) => {
    const clusterId = clusterOf(target);
    const socket: Socket = io(url, {
      auth: { name: `matrix ${principal}` },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    });
    try {
      const token = tokenOf(principal, target);
      for (const step of Object.keys(SOCKET_EXPECTED[target])) {
        let event: string;
        let payload: Record<string, unknown>;
        if (step === 'join') {
          event = 'join';
          payload = { clusterId, name: `matrix ${principal}`, ...(token ? { token } : {}) };
        } else if (step.startsWith('watch-vms')) {
          event = 'watch-vms';
          payload = { clusterId, on: step.endsWith('on') };
        } else if (step === 'leave') {
          event = 'leave';
          payload = { clusterId };
        } else {
          event = 'command';
          const kind = step === 'command after leave' ? 'set-maintenance' : step.split(' ')[1]!;
          payload = { clusterId, ...COMMANDS[kind] };
        }
        const reply: unknown = await socket.timeout(5_000).emitWithAck(event, payload);
        const want = SOCKET_EXPECTED[target][step]![PRINCIPALS.indexOf(principal)]!;
        record(`socket ${target}`, step, principal, classifySocket(step, reply), want);
      }
    } finally {
      socket.disconnect();
    }
  };

  it('answers every cell as the tables say', async () => {
    const routes = (target: Target) => Object.keys(HTTP_EXPECTED[target]);
    const deletes = (target: Target) => routes(target).filter((r) => r.startsWith('DELETE'));
    const others = (target: Target) => routes(target).filter((r) => !r.startsWith('DELETE'));
    await runHttpTable('global', routes('global'));
    for (const target of ['public', 'private', 'team'] as const)
      await runHttpTable(target, others(target));
    for (const target of ['public', 'private', 'team'] as const)
      for (const principal of PRINCIPALS) await runSocket(target, principal);
    await runHttpTable('exercise', others('exercise'));
    // Deletes last: an allowed one ends the cluster (and the exercise, its teams' clusters).
    for (const target of ['public', 'private', 'team', 'exercise'] as const)
      await runHttpTable(target, deletes(target));

    if (process.env['AUTH_MATRIX_OUT'])
      writeFileSync(process.env['AUTH_MATRIX_OUT'], markdown(cellsAsserted));
    expect(mismatches).toEqual([]);
    // Every expected cell was run.
    const expectedCells =
      Object.values(HTTP_EXPECTED).reduce((n, t) => n + Object.keys(t).length, 0) +
      Object.values(SOCKET_EXPECTED).reduce((n, t) => n + Object.keys(t).length, 0);
    const ran = [...actual.values()].reduce((n, rows) => n + rows.size, 0);
    expect(ran).toBe(expectedCells);
    for (const rows of actual.values())
      for (const cells of rows.values()) expect(cells.every((c) => c !== '')).toBe(true);
  });

  const TITLES: Record<string, string> = {
    global: "HTTP, routes without a cluster or exercise (the token is the public cluster one's)",
    public: 'HTTP, a public cluster',
    private: 'HTTP, a private cluster',
    team: "HTTP, team A's cluster in an exercise (private)",
    exercise: 'HTTP, the exercise',
    'socket public':
      'socket.io, a public cluster (one connection per principal, events in this order)',
    'socket private': 'socket.io, a private cluster',
    'socket team': "socket.io, team A's cluster in an exercise",
  };

  /** The docs' section (docs/reliability.md): what the tables mean, then the tables as asserted. */
  function markdown(checks: number): string {
    const cellsOf = (socket: boolean) =>
      [...actual]
        .filter(([table]) => table.startsWith('socket') === socket)
        .reduce((n, [, rows]) => n + rows.size * PRINCIPALS.length, 0);
    const http = cellsOf(false);
    const socket = cellsOf(true);
    const lines: string[] = [
      '<!-- Generated by apps/api/src/auth-matrix.int.spec.ts: do not edit by hand; regenerate with',
      '     cd apps/api && AUTH_MATRIX_OUT=../../docs/reliability-auth.md npx jest -c jest.int.config.cjs src/auth-matrix.int.spec.ts -->',
      '',
      '### Authorization matrix',
      '',
      'Who may do what, as `apps/api/src/auth-matrix.int.spec.ts` asserts it against a real Redis:',
      `${http + socket} cells (${http} HTTP, ${socket} socket.io), every one checked, and every HTTP`,
      `cell again with its token in \`?token=\` instead of \`Authorization: Bearer\` (${checks} checks).`,
      'The tables below are what the run answered (a run that answers otherwise fails).',
      '',
      'A cluster has two tokens, handed out when it is created: the operator token (watch and act,',
      'delete) and the viewer token (watch). A public cluster is open to anyone as a viewer; a private',
      'one exists only for its two tokens: any other token, or none, gets a 404 as if it were absent',
      '(the API does not say that a private cluster exists), while a viewer who tries to act or delete',
      'gets a 403. An exercise has an instructor token, the only one that opens the exercise routes',
      "(any other: 404), and each team's private cluster has its own two tokens; the instructor",
      "watches every team's cluster as a viewer and acts through the exercise's control route. In an",
      'exercise, a team operator cannot pause, resume or change the speed (the command is received',
      'and refused in its outcome: `201 refused`) nor delete its cluster (403). Tokens never expire;',
      'deleting the cluster or exercise is what revokes them, so `deleted` holds the token of one',
      'deleted before the run. `/metrics` is outside `/api` and wants `METRICS_TOKEN` when it is set.',
      '',
      'Tokens are 192-bit random values stored as SHA-256 digests, compared in constant time',
      '(`secretsEqual`/`tokenMatches` in `apps/api/src/common/tokens.ts`: SHA-256 of both sides,',
      'then `timingSafeEqual`, also for `METRICS_TOKEN`). They are never logged (query parameters',
      'named like a token are written as `***`, `Authorization` and bodies are not written;',
      '`apps/api/src/observability/token-logging.int.spec.ts` searches the log of the running API for',
      'them). Every API answer and every dashboard page sends `Referrer-Policy: no-referrer`, links',
      'that open a new tab carry `rel="noreferrer noopener"`, and the dashboard loads nothing from',
      "another site (`apps/web/src/referrer.spec.ts`), so a link's token never reaches a third party.",
      '',
      'Principals (columns):',
      '',
      ...PRINCIPALS.map((p) => `- \`${p}\`: ${ABOUT[p]}`),
      '',
    ];
    for (const table of Object.keys(TITLES)) {
      const rows = actual.get(table);
      if (!rows) continue;
      lines.push(`#### ${TITLES[table] ?? table}`, '');
      const grid = [
        [table.startsWith('socket') ? 'event' : 'route', ...PRINCIPALS],
        ...[...rows].map(([row, values]) => [`\`${row}\``, ...values]),
      ];
      // Columns padded as Prettier pads them, so the file needs no reformatting.
      const widths = grid[0]!.map((_, i) => Math.max(3, ...grid.map((cells) => cells[i]!.length)));
      const line = (cells: string[]) =>
        `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
      lines.push(line(grid[0]!), line(widths.map((w) => '-'.repeat(w))));
      for (const cells of grid.slice(1)) lines.push(line(cells));
      lines.push('');
    }
    return `${lines.join('\n').trimEnd()}\n`;
  }
});
