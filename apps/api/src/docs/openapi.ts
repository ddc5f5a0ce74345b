import type { INestApplication } from '@nestjs/common';
import { SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import {
  clusterConfigSchema,
  clusterSummarySchema,
  commandOutcomeSchema,
  commandSchema,
  createClusterResponseSchema,
  createExerciseRequestSchema,
  createExerciseResponseSchema,
  exerciseControlSchema,
  exerciseReportSchema,
  scoreboardSchema,
  frameSchema,
  healthSchema,
  liveActionSchema,
  forkClusterResponseSchema,
  migrationTargetsSchema,
  scenarioSchema,
} from '@overcommit/contracts';
import { z } from 'zod';
import { apiVersion } from '../common/version';

/** JSON Schema of a contract, as OpenAPI 3.1 takes it. */
const schema = (s: z.ZodType) =>
  z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;

const json = (s: z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema: schema(s) } },
});
const errors = {
  type: 'object',
  properties: {
    statusCode: { type: 'integer' },
    message: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { path: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};
const bad = {
  description: 'Bad input: every error with its path',
  content: { 'application/json': { schema: errors } },
};
const id = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const token = {
  name: 'token',
  in: 'query',
  required: false,
  schema: { type: 'string' },
  description: 'or Authorization: Bearer <token>',
};

/** The HTTP API described from the same zod contracts that validate it. */
export function openApiDocument(): OpenAPIObject {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Overcommit API',
      version: apiVersion,
      description:
        'Simulated virtualized clusters, live. The socket.io protocol is described in docs/api.md.',
    },
    paths: {
      '/api/health': {
        get: {
          summary: 'Is the API up, and can it reach Redis?',
          responses: { 200: json(healthSchema, 'Up'), 503: json(healthSchema, 'Redis down') },
        },
      },
      '/api/health/live': {
        get: {
          summary: 'Liveness: the process serves HTTP (terminus JSON)',
          responses: { 200: { description: 'Alive' } },
        },
      },
      '/api/health/ready': {
        get: {
          summary: 'Readiness: Redis, the tick queue and, in a worker, the worker (terminus JSON)',
          responses: {
            200: { description: 'Ready' },
            503: { description: 'A check failed, or the process is shutting down' },
          },
        },
      },
      '/api/exercises': {
        post: {
          summary:
            'Create an exercise: one private, paused cluster per team from the same scenario',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: schema(createExerciseRequestSchema) } },
          },
          responses: {
            201: json(createExerciseResponseSchema, 'Created; the tokens are shown once'),
            400: bad,
          },
        },
      },
      '/api/exercises/{id}': {
        get: {
          summary: "The scoreboard: every team's score at its latest tick (instructor token)",
          parameters: [id, token],
          responses: {
            200: json(scoreboardSchema, 'Scoreboard'),
            404: { description: 'No such exercise (or not its instructor token)' },
          },
        },
        delete: {
          summary: 'Delete the exercise, its clusters and its report (instructor token)',
          parameters: [id, token],
          responses: { 204: { description: 'Removed' } },
        },
      },
      '/api/exercises/{id}/control': {
        post: {
          summary: 'Start, pause, resume, end, set the speed of or inject an event into every team',
          parameters: [id, token],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: schema(exerciseControlSchema) } },
          },
          responses: {
            200: { description: "Each team's outcome" },
            400: bad,
            403: { description: 'Not now (already started, or ended)' },
          },
        },
      },
      '/api/exercises/{id}/report': {
        get: {
          summary: 'The after-action report (instructor token)',
          parameters: [id, token],
          responses: { 200: json(exerciseReportSchema, 'Report') },
        },
      },
      '/api/exercises/{id}/report.md': {
        get: {
          summary: 'The after-action report as a Markdown file (instructor token)',
          parameters: [id, token],
          responses: { 200: { description: 'text/markdown' } },
        },
      },
      '/api/scenarios': {
        get: {
          summary: 'The bundled scenarios',
          responses: {
            200: {
              description:
                'name, title, description, hosts, vms, exercise (exercises are named exercises/<file>)',
            },
          },
        },
      },
      '/api/clusters': {
        get: {
          summary: 'Public clusters, live',
          responses: { 200: json(z.array(clusterSummarySchema), 'Clusters') },
        },
        post: {
          summary: 'Create and start a cluster',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  oneOf: [
                    {
                      type: 'object',
                      properties: {
                        scenario: schema(scenarioSchema),
                        visibility: { enum: ['public', 'private'] },
                      },
                      required: ['scenario'],
                    },
                    {
                      type: 'object',
                      properties: {
                        scenarioName: { type: 'string' },
                        visibility: { enum: ['public', 'private'] },
                      },
                      required: ['scenarioName'],
                    },
                  ],
                },
              },
              'text/yaml': { schema: { type: 'string', description: 'A scenario file' } },
            },
          },
          responses: {
            201: json(createClusterResponseSchema, 'Created; the operator token is shown once'),
            400: bad,
            429: {
              description:
                'The server keeps MAX_CLUSTERS clusters, or this address MAX_CLUSTERS_PER_ADDRESS (or too many requests)',
            },
          },
        },
      },
      '/api/clusters/{id}': {
        get: {
          summary: 'A cluster and its latest frame',
          parameters: [id, token],
          responses: {
            200: json(
              z.object({
                cluster: clusterSummarySchema,
                frame: frameSchema.nullable(),
                config: clusterConfigSchema,
              }),
              "The cluster: its figures, latest frame, policy and hosts' topology",
            ),
            404: { description: 'No such cluster (or private without its token)' },
          },
        },
        delete: {
          summary: 'Stop and remove a cluster (operator token)',
          parameters: [id, token],
          responses: {
            204: { description: 'Removed' },
            403: { description: 'A viewer token: it may watch, not delete' },
            404: { description: 'No such cluster (or private without its token)' },
          },
        },
      },
      '/api/clusters/{id}/fork': {
        post: {
          summary: 'Fork a cluster: a private, paused what-if copy at its current tick',
          description:
            'Any token that opens the cluster may fork it. The fork has the same engine state (the same seed stream), policy, alarms and the newest 300 frames of history, its own operator and viewer tokens, and counts against MAX_CLUSTERS and MAX_CLUSTERS_PER_ADDRESS. A team in an exercise with allowForks: false is refused (403 fork-forbidden).',
          parameters: [id, token],
          responses: {
            201: json(forkClusterResponseSchema, "The fork's links and what it copies"),
            403: { description: 'The exercise forbids its teams to fork (fork-forbidden)' },
            404: { description: 'No such cluster (or private without its token)' },
            429: { description: 'MAX_CLUSTERS or MAX_CLUSTERS_PER_ADDRESS reached' },
          },
        },
      },
      '/api/clusters/{id}/summary': {
        get: {
          summary: "A cluster's figures alone (what a dashboard polls)",
          parameters: [id, token],
          responses: {
            200: json(clusterSummarySchema, 'Name, tick, speed, paused, alarms, watchers'),
            404: { description: 'No such cluster (or private without its token)' },
          },
        },
      },
      '/api/clusters/{id}/vms/{vm}/targets': {
        get: {
          summary: 'Where a VM could live-migrate to now',
          description:
            "Every host, in cluster order: whether a migrate-vm to it would be accepted (or the engine's reason), the NUMA nodes the VM would get, and the free vCPUs and memory under the allocation ratios.",
          parameters: [
            id,
            { name: 'vm', in: 'path', required: true, schema: { type: 'string' } },
            token,
          ],
          responses: {
            200: json(migrationTargetsSchema, 'The targets'),
            404: {
              description:
                'No such cluster (or private without its token), or no such VM (the message names it)',
            },
          },
        },
      },
      '/api/clusters/{id}/commands': {
        post: {
          summary: 'Send a command; answered at once, applied at the next tick',
          parameters: [
            id,
            token,
            { name: 'x-user-name', in: 'header', required: false, schema: { type: 'string' } },
          ],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { oneOf: [schema(commandSchema), schema(liveActionSchema)] },
              },
            },
          },
          responses: {
            200: json(
              commandOutcomeSchema,
              'queued, or accepted/refused for pause, resume and set-speed',
            ),
            400: bad,
            403: json(commandOutcomeSchema, 'A viewer cannot act'),
          },
        },
      },
      '/api/clusters/{id}/commands/{commandId}': {
        get: {
          summary: "A command's outcome",
          parameters: [
            id,
            { name: 'commandId', in: 'path', required: true, schema: { type: 'string' } },
            token,
          ],
          responses: {
            200: json(commandOutcomeSchema, 'The outcome'),
            404: { description: 'Unknown command, no such cluster (or private without its token)' },
          },
        },
      },
      '/api/clusters/{id}/history': {
        get: {
          summary: 'Frames from the history (host level)',
          parameters: [
            id,
            token,
            ...['from', 'to', 'every'].map((name) => ({
              name,
              in: 'query',
              required: false,
              schema: { type: 'integer' },
            })),
            {
              name: 'format',
              in: 'query',
              required: false,
              description:
                '`json` (default): frames as objects. `wire`: each frame as its compact wire string (decodeFrame in libs/contracts; docs/api.md), about a tenth of the bytes',
              schema: { type: 'string', enum: ['json', 'wire'] },
            },
          ],
          responses: {
            200: json(
              z.object({
                frames: z.union([z.array(frameSchema), z.array(z.string())]),
                oldestTick: z.number().nullable(),
              }),
              'Frames',
            ),
            400: bad,
          },
        },
      },
    },
  } as OpenAPIObject;
}

/** Swagger UI at /api/docs, the document at /api/docs-json. */
export function serveOpenApi(app: INestApplication): void {
  SwaggerModule.setup('api/docs', app, openApiDocument(), { jsonDocumentUrl: 'api/docs-json' });
}
