import { HASH_SLOTS, hashSlot } from '../redis/hash-slot';

/**
 * Every Redis key and channel name of the API, built in one place from REDIS_PREFIX.
 *
 * On a Redis Cluster the keys of one command, MULTI, pipeline or Lua script must live in one hash
 * slot, so:
 * - a cluster's keys and channels are hash-tagged by its id (`oc:{<id>}:...`): a tick's reads,
 *   its commit script and its SPUBLISH all go to the one shard that owns the cluster;
 * - the few global keys are small and each is read or written by single-key commands, except
 *   the cluster index and the creators' sets, which the reservation script checks together:
 *   those share a slot (a creator's set is tagged with the index's name, which kept its name);
 * - each tick queue's BullMQ keys carry a hash tag of their own (tickQueuePrefixes).
 *
 * The global keys, and why each is global:
 * - `oc:clusters`: the set of every cluster id (listing, MAX_CLUSTERS): one SCARD and SMEMBERS;
 * - `oc:creator:{oc:clusters}:<hash>`: the ids one client address created (MAX_CLUSTERS_PER_ADDRESS);
 * - `oc:instances`: the API instances' heartbeats (whose sockets still count as watchers);
 * - `oc:ticks:placed`: a counter that places each new cluster's ticks in the interval;
 * - `oc:ticks:queues`: how many tick queues the deployment's schedules are spread over;
 * - `oc:exercise:<id>` and `oc:exercise:<id>:report`: one exercise's record and report, read and
 *   written one key at a time (each in its own slot; no command touches both).
 * None grows with the traffic: the sets grow with the clusters kept (MAX_CLUSTERS bounds them),
 * the heartbeats with the API instances.
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

/**
 * The clusters created from one client address (a hash of it), while they exist. Hash-tagged with
 * the index's name, so the reservation script can count both in one slot on a Redis Cluster.
 */
export const creatorKey = (prefix: string, creator: string) =>
  `${prefix}:creator:{${clusterIndexKey(prefix)}}:${creator}`;

/** An exercise's record (hash) and its kept after-action report (JSON). */
export function exerciseKeys(prefix: string, id: string) {
  const record = `${prefix}:exercise:${id}`;
  return { record, report: `${record}:report` };
}

/** A counter: how many cluster schedules were ever placed (the Weyl sequence's n in ticks.scheduler.ts). */
export const schedulesPlacedKey = (prefix: string) => `${prefix}:ticks:placed`;

/** How many tick queues the deployment's schedules are spread over (it refuses to start with another count). */
export const tickQueueCountKey = (prefix: string) => `${prefix}:ticks:queues`;

/**
 * The BullMQ key prefix of each tick queue. One queue on one Redis: `<prefix>:bull`, as always.
 * Otherwise queue i's prefix carries a hash tag of its own, which BullMQ needs on a Redis Cluster
 * (its scripts touch several keys of a queue): `<prefix>:bull:{<prefix>:ticks:<i>}`, with `~<n>`
 * appended inside the braces for the first n that puts the tag's slot near the middle of the i-th
 * of `count` equal parts of the slot range. A cluster whose masters split the slots evenly (as
 * `redis-cli --cluster create` and managed services do) then gets the queues spread evenly over
 * its masters when `count` is a multiple of the masters, and each queue in the part of the slot
 * range where the clusters it ticks keep their data (tickQueueOf).
 */
export function tickQueuePrefixes(prefix: string, count: number, cluster: boolean): string[] {
  if (count === 1 && !cluster) return [`${prefix}:bull`];
  const width = HASH_SLOTS / count;
  return Array.from({ length: count }, (_, i) => {
    const centre = (i + 0.5) * width;
    let tag = `${prefix}:ticks:${i}`;
    for (let n = 1; Math.abs(hashSlot(`{${tag}}`) - centre) > width / 4; n++)
      tag = `${prefix}:ticks:${i}~${n}`;
    return `${prefix}:bull:{${tag}}`;
  });
}

/**
 * Which of `count` tick queues carries a cluster's tick jobs: the part of the slot range its keys
 * hash to, so on a Redis Cluster its queue is usually on the master that keeps its data (a
 * shard's failover then stops its own clusters' ticks and no others), and the clusters spread
 * over the queues as evenly as their ids over the slots.
 */
export function tickQueueOf(clusterId: string, count: number): number {
  return Math.floor((hashSlot(clusterId) * count) / HASH_SLOTS);
}

/** The socket.io Redis adapter's channels start with this. */
export const socketIoKey = (prefix: string) => `${prefix}:socket.io`;
