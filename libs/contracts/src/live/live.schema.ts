import { z } from 'zod';
import { codedReasonSchema, reasonParamsSchema } from '../errors/refusal-codes';
import { actionSchema, commandIdSchema } from '../scenario/scenario.schema';
import { displayNameSchema } from '../text/text';

// The live system's contracts: clusters over HTTP, and socket.io events.

export const visibilities = ['public', 'private'] as const;
export type Visibility = (typeof visibilities)[number];

/** `POST /api/clusters`: a scenario (object), or the name of a bundled one. */
export const createClusterRequestSchema = z.union([
  z.strictObject({ scenario: z.unknown(), visibility: z.enum(visibilities).default('public') }),
  z.strictObject({
    scenarioName: z.string().min(1),
    visibility: z.enum(visibilities).default('public'),
  }),
]);
export type CreateClusterRequest = z.output<typeof createClusterRequestSchema>;

export const createClusterResponseSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** Lets its holder send commands; shown once. */
  operatorToken: z.string(),
  /** Lets its holder watch a private cluster. */
  viewerToken: z.string(),
  viewerLink: z.string(),
  operatorLink: z.string(),
});
export type CreateClusterResponse = z.infer<typeof createClusterResponseSchema>;

/** A what-if fork's source: the cluster it copies and the tick it was copied at. */
export const forkOfSchema = z.object({ id: z.string(), tick: z.number().int() });
export type ForkOf = z.infer<typeof forkOfSchema>;

/** `POST /api/clusters/:id/fork`: the new (private, paused) cluster's links, and what it copies. */
export const forkClusterResponseSchema = createClusterResponseSchema.extend({
  forkOf: forkOfSchema,
  /** The simulated time of the fork tick (the source's time then). */
  time: z.number(),
});
export type ForkClusterResponse = z.infer<typeof forkClusterResponseSchema>;

export const clusterSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  visibility: z.enum(visibilities),
  tick: z.number().int(),
  time: z.number(),
  speed: z.number(),
  paused: z.boolean(),
  tickMs: z.number().int(),
  hostsUp: z.number().int(),
  hostsTotal: z.number().int(),
  vmsRunning: z.number().int(),
  alarms: z.object({ warning: z.number().int(), critical: z.number().int() }),
  watchers: z.number().int(),
  lagMs: z.number(),
  /** When the cluster was created, wall-clock ms since the epoch. */
  createdAt: z.number(),
  /** For a what-if fork: the cluster and tick it was copied from. */
  forkOf: forkOfSchema.optional(),
  /** While it runs ahead: the simulated time (seconds) it is running to. */
  aheadUntil: z.number().optional(),
});
export type ClusterSummary = z.infer<typeof clusterSummarySchema>;

/** A cluster's speed: multiples of its scenario's tick rate. */
export const MIN_SPEED = 0.1;
export const MAX_SPEED = 100;
/** The most simulated seconds one run-ahead command may add (the history keeps 3,600 ticks). */
export const MAX_RUN_AHEAD_SECONDS = 3600;

/** Commands the live system handles itself, outside the engine. */
export const liveActionSchema = z.discriminatedUnion('do', [
  z.strictObject({ do: z.literal('pause') }),
  z.strictObject({ do: z.literal('resume') }),
  z.strictObject({
    do: z.literal('set-speed'),
    speed: z
      .number({ error: 'expected a speed (a number from 0.1 to 100)' })
      .min(MIN_SPEED, { error: `speed is at least ${MIN_SPEED} (ten times slower than life)` })
      .max(MAX_SPEED, { error: `speed is at most ${MAX_SPEED}` }),
  }),
  /** Advance the cluster `seconds` of simulated time as fast as the engine goes, then carry on as before. */
  z.strictObject({
    do: z.literal('run-ahead'),
    seconds: z
      .number({ error: `expected seconds (simulated, 1 to ${MAX_RUN_AHEAD_SECONDS})` })
      .int({ error: 'seconds is a whole number' })
      .min(1, { error: 'seconds is at least 1' })
      .max(MAX_RUN_AHEAD_SECONDS, {
        error: `seconds is at most ${MAX_RUN_AHEAD_SECONDS} (one hour of simulated time per command)`,
      }),
  }),
]);
export type LiveAction = z.output<typeof liveActionSchema>;

/** A command as a person sends it: an engine action or a live one, with an optional id for idempotence. */
export const clusterCommandRequestSchema = z.intersection(
  z.object({ id: commandIdSchema.optional() }),
  z.union([actionSchema, liveActionSchema]),
);
export type ClusterCommandRequest = z.output<typeof clusterCommandRequestSchema>;

export const commandStatuses = ['queued', 'accepted', 'refused'] as const;
export const commandOutcomeSchema = z.object({
  id: z.string(),
  status: z.enum(commandStatuses),
  reason: z.string().optional(),
  /**
   * A refusal's code: the server's own (an errorCode: rate-limited, try-again, viewer-cannot-act...)
   * or the engine's (a refusalCode: host-already-failed, destination-refused...), with its params.
   */
  code: z.string().optional(),
  params: reasonParamsSchema.optional(),
  /** The reasons an engine refusal is made of (destination-refused, no-host-fits). */
  causes: z.array(codedReasonSchema).optional(),
  tick: z.number().int().optional(),
});
export type CommandOutcome = z.infer<typeof commandOutcomeSchema>;

// --- socket.io -----------------------------------------------------------------

export const joinRequestSchema = z.strictObject({
  clusterId: z.string().min(1).max(64),
  sinceTick: z.number().int().min(0).optional(),
  token: z.string().max(200).optional(),
  name: displayNameSchema,
});
export type JoinRequest = z.infer<typeof joinRequestSchema>;

export const roles = ['operator', 'viewer'] as const;
export type Role = (typeof roles)[number];

export const joinReplySchema = z.union([
  z.object({
    ok: z.literal(true),
    role: z.enum(roles),
    /** The latest frame, in its wire form (decodeFrame). */
    snapshot: z.string().nullable(),
    /** Frames after sinceTick still in the history, oldest first, in their wire form. */
    frames: z.array(z.string()),
    /** True when sinceTick is older than the history: the client must start from the snapshot. */
    gap: z.boolean(),
  }),
  z.object({
    ok: z.literal(false),
    /** In English, for people reading logs; `code` (errorCodes) and `params` for the dashboard. */
    error: z.string(),
    code: z.string().optional(),
    params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  }),
]);
export type JoinReply = z.infer<typeof joinReplySchema>;

/**
 * Every `frame` event carries clusterId and tick as plain fields; the frame
 * itself is one string in the wire form (decodeFrame), relayed as the worker
 * built it, so socket.io encodes it once per broadcast.
 */
export const frameEventPayloadSchema = z.object({
  clusterId: z.string(),
  tick: z.number().int(),
  /** Wall-clock ms when the worker published the tick (for latency figures). */
  sentAt: z.number(),
  /** How late the tick ran against its schedule, in ms: the system's lag, shown to everyone. */
  lagMs: z.number(),
  frame: z.string(),
});
export type FrameEventPayload = z.infer<typeof frameEventPayloadSchema>;

/**
 * What a cluster's Redis channel carries to every API instance that has watchers of it, each
 * relayed to that instance's sockets: once per tick from the worker, the `frame` event's payload
 * exactly as sockets receive it (never rebuilt) and the tick's command outcomes (`command-outcome`
 * events); and from an API instance, who watches now (`presence`), after joins and leaves.
 */
export type LiveMessage =
  { event: FrameEventPayload; outcomes: CommandOutcome[] } | { presence: Presence };

export const socketCommandSchema = z.intersection(
  z.object({ clusterId: z.string().min(1) }),
  clusterCommandRequestSchema,
);
export type SocketCommand = z.output<typeof socketCommandSchema>;

/** `watch-vms`: ask for (or stop) per-VM metrics of a joined cluster. */
export const watchVmsSchema = z.strictObject({
  clusterId: z.string().min(1).max(64),
  on: z.boolean(),
});

/** `vms`: per-VM metrics of one tick, only to sockets that asked. */
export const vmsEventPayloadSchema = z.object({
  clusterId: z.string(),
  tick: z.number().int(),
  /** The VMs in their wire form (decodeVms). */
  vms: z.string(),
});
export type VmsEventPayload = z.infer<typeof vmsEventPayloadSchema>;

/** Watchers named in a presence event, at most; `total` counts them all. */
export const PRESENCE_LIST_MAX = 100;

/** `presence`: who watches a cluster, across every API instance. */
export const presenceSchema = z.object({
  clusterId: z.string(),
  /** How many watch, across every API instance. */
  total: z.number().int(),
  /** Operators first, then by arrival; at most PRESENCE_LIST_MAX. */
  watchers: z.array(z.object({ name: z.string(), role: z.enum(roles), since: z.number() })),
});
export type Presence = z.infer<typeof presenceSchema>;

export const socketEvents = {
  join: 'join',
  leave: 'leave',
  command: 'command',
  frame: 'frame',
  commandOutcome: 'command-outcome',
  presence: 'presence',
  watchVms: 'watch-vms',
  vms: 'vms',
  error: 'oc-error',
  /** The server is shutting down: the client reconnects (through the front door, to another instance). */
  serverShutdown: 'server-shutdown',
} as const;
