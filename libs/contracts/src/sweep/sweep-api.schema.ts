import { z } from 'zod';
import { visibilities } from '../live/live.schema';
import { sweepResultSchema } from './sweep.schema';

// The sweep as a background job of the API (docs/api.md, "Sweeps"): POST /api/sweeps, its status
// and result at GET /api/sweeps/:id, progress over socket.io (`watch-sweep`).

/** What to sweep: a bundled scenario, a scenario (JSON), or a live cluster's current state. */
const sweepSource = {
  /** The sweep request (sweepRequestSchema), validated by the planner with the scenario. */
  request: z.unknown(),
  /** Private (default): only the sweep's token (or, for a cluster's sweep, the cluster's links) opens it. */
  visibility: z.enum(visibilities).default('private'),
};
export const createSweepRequestSchema = z.union([
  z.strictObject({ scenarioName: z.string().min(1).max(200), ...sweepSource }),
  z.strictObject({ scenario: z.unknown(), ...sweepSource }),
  z.strictObject({
    clusterId: z.string().min(1).max(64),
    /** A link's token that opens the cluster (none for a public cluster). */
    token: z.string().max(200).optional(),
    ...sweepSource,
  }),
]);
export type CreateSweepRequest = z.output<typeof createSweepRequestSchema>;

export const sweepStatuses = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type SweepStatus = (typeof sweepStatuses)[number];

export const createSweepResponseSchema = z.object({
  id: z.string(),
  /** Opens the sweep (GET, watch-sweep) and cancels it (DELETE); shown once. */
  token: z.string(),
  /** The dashboard's page for the sweep, with its token. */
  link: z.string(),
  /** Runs in all: the grid's points, plus the 1:1 reference when the grid lacks it. */
  total: z.number().int(),
  vmSteps: z.number(),
});
export type CreateSweepResponse = z.infer<typeof createSweepResponseSchema>;

/** A sweep's progress: runs done of how many, and where it stands. */
export const sweepProgressSchema = z.object({
  sweepId: z.string(),
  status: z.enum(sweepStatuses),
  done: z.number().int(),
  total: z.number().int(),
});
export type SweepProgress = z.infer<typeof sweepProgressSchema>;

/** GET /api/sweeps/:id. */
export const sweepInfoSchema = sweepProgressSchema.extend({
  /** The scenario swept (its name). */
  scenario: z.string(),
  /** The live cluster it was taken from, when it was. */
  clusterId: z.string().nullable(),
  visibility: z.enum(visibilities),
  createdAt: z.number(),
  finishedAt: z.number().nullable(),
  /** The request as validated (ratios expanded). */
  request: z.unknown(),
  /** Why it failed, when it did. */
  error: z.string().nullable(),
  result: sweepResultSchema.nullable(),
  /** When the sweep and its result are forgotten (ms since the epoch). */
  expiresAt: z.number(),
});
export type SweepInfo = z.infer<typeof sweepInfoSchema>;

/** GET /api/clusters/:id/sweeps: a cluster's sweeps, newest first, without their figures. */
export const clusterSweepSchema = sweepProgressSchema.extend({
  createdAt: z.number(),
  /** The answer in words, once done. */
  answer: z.string().nullable(),
});
export type ClusterSweep = z.infer<typeof clusterSweepSchema>;

/** socket.io `watch-sweep`: progress of one sweep (its token, or a cluster link's for its sweeps). */
export const watchSweepRequestSchema = z.strictObject({
  sweepId: z.string().min(1).max(64),
  token: z.string().max(200).optional(),
});
export type WatchSweepRequest = z.infer<typeof watchSweepRequestSchema>;

/** socket.io events of sweeps: `watch-sweep` (client to server), `sweep-progress` (server to client). */
export const sweepSocketEvents = {
  watchSweep: 'watch-sweep',
  sweepProgress: 'sweep-progress',
} as const;
