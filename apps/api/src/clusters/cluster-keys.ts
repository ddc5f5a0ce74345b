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
    /** Socket id -> watcher (JSON). */
    presence: `${base}:presence`,
    /** Socket id -> 1 for sockets that asked for per-VM metrics (watch-vms). */
    vmWatchers: `${base}:vm-watchers`,
    /** Live frames (pub/sub channel). */
    channel: `${base}:live`,
    /** Per-VM metrics, only while someone watches them (pub/sub channel). */
    vmChannel: `${base}:vms`,
  };
}
export type ClusterKeys = ReturnType<typeof clusterKeys>;

/** The set of all cluster ids. */
export const clusterIndexKey = (prefix: string) => `${prefix}:clusters`;
