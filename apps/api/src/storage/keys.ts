/**
 * Every Redis key and channel name of the API, built in one place from REDIS_PREFIX. A cluster's
 * keys are hash-tagged by its id, so one cluster's keys live in one Redis Cluster slot.
 */
export function clusterKeys(prefix: string, id: string) {
  const base = `${prefix}:{${id}}`;
  return {
    /** The engine state (state-codec.ts), replaced at every tick. */
    state: `${base}:state`,
    /** Name, visibility, clock, token hashes, last tick and its summary. */
    meta: `${base}:meta`,
    /** Commands waiting for the next tick (stream; a tick's commit drops those it consumed). */
    commands: `${base}:commands`,
    /** Frames, entry id `<tick>-1` (capped stream: the history). */
    frames: `${base}:frames`,
    /** Command id -> outcome (JSON); the newest OUTCOMES_KEPT (cluster-state.repository.ts). */
    outcomes: `${base}:outcomes`,
    /** The outcomes' command ids by the time they were recorded (sorted set): which to forget first. */
    outcomeOrder: `${base}:outcome-order`,
    /** `<instance>|<socket id>` -> watcher (JSON); entries of dead instances are ignored and pruned. */
    presence: `${base}:presence`,
    /** `<instance>|<socket id>` -> 1 for sockets that asked for per-VM metrics (watch-vms). */
    vmWatchers: `${base}:vm-watchers`,
    /** Live frames (pub/sub channel). */
    channel: `${base}:live`,
    /** Per-VM metrics, only while someone watches them (pub/sub channel). */
    vmChannel: `${base}:vms`,
  };
}
export type ClusterKeys = ReturnType<typeof clusterKeys>;

/** API instances' heartbeats: a sorted set of instance id by last-seen wall-clock ms. */
export const instancesKey = (prefix: string) => `${prefix}:instances`;

/** A presence (or watch-vms) field: which instance holds which socket. */
export const watcherField = (instance: string, socketId: string) => `${instance}|${socketId}`;

/** The instance in a presence (or watch-vms) field. */
export const instanceOfField = (field: string) => field.split('|')[0]!;

/** The set of all cluster ids. */
export const clusterIndexKey = (prefix: string) => `${prefix}:clusters`;

/** The clusters created from one client address (a hash of it), while they exist. */
export const creatorKey = (prefix: string, creator: string) => `${prefix}:creator:${creator}`;

/** An exercise's record (hash) and its kept after-action report (JSON). */
export function exerciseKeys(prefix: string, id: string) {
  const record = `${prefix}:exercise:${id}`;
  return { record, report: `${record}:report` };
}

/** A counter: how many cluster schedules were ever placed (the Weyl sequence's n in ticks.scheduler.ts). */
export const schedulesPlacedKey = (prefix: string) => `${prefix}:ticks:placed`;

/** BullMQ's keys (the tick queue) start with this. */
export const bullPrefix = (prefix: string) => `${prefix}:bull`;

/** The socket.io Redis adapter's channels start with this. */
export const socketIoKey = (prefix: string) => `${prefix}:socket.io`;
