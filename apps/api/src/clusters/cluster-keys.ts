/**
 * Every Redis key of the clusters module, built in one place: prefixed by
 * REDIS_PREFIX and hash-tagged by cluster id, so one cluster's keys live in
 * one Redis Cluster slot.
 */
export function clusterKeys(prefix: string, id: string) {
  const base = `${prefix}:{${id}}`;
  return {
    /** The engine state (JSON), replaced at every tick. */
    state: `${base}:state`,
    /** Name, visibility, clock, token hashes, last tick and its summary. */
    meta: `${base}:meta`,
    /** Commands waiting for the next tick (stream). */
    commands: `${base}:commands`,
    /** Frames, entry id `<tick>-1` (capped stream: the history). */
    frames: `${base}:frames`,
    /** Command id -> outcome (JSON). */
    outcomes: `${base}:outcomes`,
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

/** The set of all cluster ids. */
export const clusterIndexKey = (prefix: string) => `${prefix}:clusters`;

/** The clusters created from one client address (a hash of it), while they exist. */
export const creatorKey = (prefix: string, creator: string) => `${prefix}:creator:${creator}`;
