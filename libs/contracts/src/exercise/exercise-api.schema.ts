import { z } from 'zod';
import { codedReasonSchema, reasonParamsSchema } from '../errors/refusal-codes';
import { briefingAnswerSchema } from '../scenario/briefing';
import { exerciseFrameSchema } from '../frame/frame.schema';
import { actionSchemas } from '../scenario/scenario.schema';
import { plainText } from '../text/text';

// Exercises over HTTP (docs/api.md, "Exercises"): an instructor creates one for N teams from a
// scenario with an `exercise:` section, controls every team's cluster at once and reads the
// scoreboard and the after-action report.

const teamName = z
  .string({ error: 'expected a team name (text)' })
  .trim()
  .pipe(plainText('a team name', 40));

export const createExerciseRequestSchema = z
  .strictObject({
    /** A bundled exercise (`GET /api/scenarios`, those with `exercise: true`), e.g. `exercises/cpu-contention`. */
    scenarioName: z.string().min(1).optional(),
    /** Or a scenario of one's own, with an `exercise:` section. */
    scenario: z.unknown().optional(),
    /** How many teams (named Team 1..N), or their names. */
    teams: z.union([
      z
        .number()
        .int()
        .min(1, { error: 'at least one team' })
        .max(20, { error: 'at most 20 teams' }),
      z
        .array(teamName)
        .min(1, { error: 'at least one team' })
        .max(20, { error: 'at most 20 teams' }),
    ]),
    /** The exercise's title; default: the scenario's name. */
    name: z.string().trim().pipe(plainText('name', 200)).optional(),
  })
  .superRefine((r, ctx) => {
    if ((r.scenarioName === undefined) === (r.scenario === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['scenarioName'],
        message: 'give either scenarioName (a bundled exercise) or scenario (your own)',
      });
    if (Array.isArray(r.teams) && new Set(r.teams).size !== r.teams.length)
      ctx.addIssue({ code: 'custom', path: ['teams'], message: 'team names must differ' });
  });
export type CreateExerciseRequest = z.output<typeof createExerciseRequestSchema>;

export const exerciseTeamLinksSchema = z.object({
  team: z.string(),
  clusterId: z.string(),
  operatorToken: z.string(),
  viewerToken: z.string(),
  operatorLink: z.string(),
  viewerLink: z.string(),
});

export const createExerciseResponseSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** Watches every team's cluster and controls the exercise; shown once. */
  instructorToken: z.string(),
  instructorLink: z.string(),
  teams: z.array(exerciseTeamLinksSchema),
});
export type CreateExerciseResponse = z.infer<typeof createExerciseResponseSchema>;

export const exerciseStates = ['ready', 'running', 'paused', 'ended'] as const;
export type ExerciseState = (typeof exerciseStates)[number];

/** What the instructor may do to every team's cluster at once. */
export const exerciseControlSchema = z.discriminatedUnion('do', [
  z.strictObject({ do: z.literal('start') }),
  z.strictObject({ do: z.literal('pause') }),
  z.strictObject({ do: z.literal('resume') }),
  z.strictObject({ do: z.literal('end') }),
  z.strictObject({ do: z.literal('set-speed'), speed: z.number().min(0.1).max(100) }),
  /** An event beyond the scenario's, into every team's cluster: a host failure, a workload spike... */
  z.strictObject({
    do: z.literal('inject'),
    event: z.discriminatedUnion('do', [
      actionSchemas['fail-host'],
      actionSchemas['recover-host'],
      actionSchemas['set-workload'],
      actionSchemas['set-maintenance'],
      actionSchemas['set-hyperthreading'],
    ]),
  }),
]);
export type ExerciseControl = z.output<typeof exerciseControlSchema>;

export const scoreboardTeamSchema = z.object({
  team: z.string(),
  clusterId: z.string(),
  tick: z.number().int(),
  paused: z.boolean(),
  watchers: z.number().int(),
  /** Who is watching the team's cluster, with their role (the instructor shows as a viewer). */
  members: z.array(z.object({ name: z.string(), role: z.enum(['operator', 'viewer']) })),
  /** The score at the team's latest tick; null before its first tick. */
  score: exerciseFrameSchema.nullable(),
});

export const scoreboardSchema = z.object({
  id: z.string(),
  name: z.string(),
  state: z.enum(exerciseStates),
  briefing: briefingAnswerSchema,
  durationSeconds: z.number(),
  createdAt: z.number(),
  teams: z.array(scoreboardTeamSchema),
});
export type Scoreboard = z.infer<typeof scoreboardSchema>;

/** One point of a team's timeline (sampled from its frame history). */
export const reportPointSchema = z.object({
  tick: z.number().int(),
  time: z.number(),
  points: z.number(),
  cpuReadyPct: z.number(),
  cpuUsagePct: z.number(),
  balloonMiB: z.number(),
  swapUsedMiB: z.number(),
  vmsRunning: z.number().int(),
  hostsUp: z.number().int(),
  criticalAlarms: z.number().int(),
});

export const reportAlarmSchema = z.object({
  id: z.string(),
  rule: z.string(),
  target: z.string(),
  firedAt: z.number(),
  ackedAt: z.number().nullable(),
  ackedBy: z.string().nullable(),
  ackNote: z.string().nullable(),
  resolvedAt: z.number().nullable(),
});

export const reportCommandSchema = z.object({
  time: z.number(),
  tick: z.number().int(),
  by: z.string(),
  do: z.string(),
  target: z.string(),
  outcome: z.enum(['accepted', 'refused']),
  reason: z.string().optional(),
  /** The refusal's code (refusalCodes), params and causes, beside `reason`. */
  reasonCode: z.string().optional(),
  reasonParams: reasonParamsSchema.optional(),
  reasonCauses: z.array(codedReasonSchema).optional(),
});

export const teamReportSchema = z.object({
  team: z.string(),
  clusterId: z.string(),
  score: exerciseFrameSchema.nullable(),
  timeline: z.array(reportPointSchema),
  alarms: z.array(reportAlarmSchema),
  commands: z.array(reportCommandSchema),
});

/** The after-action report: per team, the timeline, the objectives, every critical alarm and command. */
export const exerciseReportSchema = z.object({
  id: z.string(),
  name: z.string(),
  state: z.enum(exerciseStates),
  briefing: briefingAnswerSchema,
  durationSeconds: z.number(),
  generatedAt: z.number(),
  teams: z.array(teamReportSchema),
});
export type ExerciseReport = z.infer<typeof exerciseReportSchema>;
