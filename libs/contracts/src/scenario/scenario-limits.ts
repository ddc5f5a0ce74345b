import type { InputError } from '../errors/input-error';

// How big a scenario may be. Every bound here is checked from the numbers a
// file gives (counts summed, never expanded) before any work is done on it,
// so an oversized file costs a refusal, not memory. Two kinds:
// - bounds on one value (a host's sockets, a VM's memory): physical
//   hardware's own limits with room to spare, fixed in the schema
//   (`VALUE_LIMITS`), so that no figure computed from them can overflow;
// - bounds on a whole cluster (hosts, VMs, logical CPUs, events): what one
//   live cluster may hold, so that its frame, its stored state and a tick's
//   work stay bounded. The live API takes them from its environment
//   (SCENARIO_MAX_*); the headless runner allows far more.

/** One value's bounds (docs/scenarios.md, "Limits"). Real hardware stays well inside them. */
export const VALUE_LIMITS = {
  /** Entries of one `count` (the cluster limits below are what bind in practice). */
  count: 1_000_000,
  sockets: 16,
  coresPerSocket: 512,
  numaNodes: 64,
  /** Host memory and swap: 64 TiB. */
  hostMemoryGiB: 65_536,
  ghz: 10,
  networkGbps: 1_600,
  watts: 100_000,
  /** VMware's and KVM's largest guests: 768 vCPUs, 24 TiB. */
  vcpus: 768,
  vmMemoryGiB: 24_576,
  /** cpuAllocationRatio and ramAllocationRatio. */
  allocationRatio: 100,
  /** Simulated seconds for `at`, periods and step times: about 31 years. */
  seconds: 1e9,
  dirtyMiBps: 1_000_000,
  /** Alarm thresholds, objective thresholds. */
  threshold: 1e9,
  /** A scenario's description, an exercise's briefing. */
  textLength: 20_000,
  alarmOverrides: 100,
  /** A host's price or a kWh's, in US dollars. */
  priceUsd: 1e9,
} as const;

/** What one cluster may hold. */
export interface ClusterLimits {
  /** Hosts, after `count` expansion. */
  hosts: number;
  /** VMs: the scenario's (after `count`) plus those its events create; also what create-vm may reach live. */
  vms: number;
  /** Logical CPUs over every host (sockets x cores x threads). */
  logicalCpus: number;
  /** Timed events in the scenario. */
  events: number;
}

/** The live API's defaults (each configurable: SCENARIO_MAX_HOSTS, _VMS, _LOGICAL_CPUS, _EVENTS). */
export const LIVE_CLUSTER_LIMITS: ClusterLimits = {
  hosts: 500,
  vms: 10_000,
  logicalCpus: 65_536,
  events: 2_000,
};

/** The headless runner's: a whole data center on one core (the engine benchmark runs 200,000 VMs). */
export const ENGINE_CLUSTER_LIMITS: ClusterLimits = {
  hosts: 20_000,
  vms: 500_000,
  logicalCpus: 4_000_000,
  events: 100_000,
};

/** The most a configuration may raise the live limits to. */
export const CLUSTER_LIMITS_CEILING = ENGINE_CLUSTER_LIMITS;

/** Alarms a frame lists at most (the most severe first); `cluster.alarms` still counts them all. */
export const FRAME_ALARMS_MAX = 500;

/**
 * What the engine's output costs per part, measured on the wire form and the
 * MessagePack state with every figure distinct (no runs to compress) and
 * rounded up: the estimates below are upper bounds of a steady tick, which
 * the contract test holds against real frames and states.
 */
const COST = {
  frameBase: 1_024,
  framePerHost: 64,
  framePerNumaNode: 28,
  /** An alarm in the frame's list, with an acknowledgement note of average length. */
  framePerAlarm: 128,
  stateBase: 4_096,
  statePerHost: 500,
  statePerNumaNode: 40,
  statePerVm: 300,
  statePerEvent: 160,
} as const;

/** Bounds the estimates of an accepted live scenario stay under. */
export const SIZE_BOUNDS = {
  /** One tick's frame (host level, alarms, not per-VM metrics): sent to every watcher, kept 3,600 times. */
  frameBytes: 256 * 1024,
  /** The engine state: read and written every tick. */
  stateBytes: 4 * 1024 * 1024,
} as const;

/** The sizes the numbers of a scenario add up to. */
export interface ScenarioTotals {
  hosts: number;
  numaNodes: number;
  logicalCpus: number;
  vms: number;
  events: number;
}

/** Upper estimates of a tick's frame and of the stored state for clusters of these totals. */
export function estimateSizes(totals: ScenarioTotals): { frameBytes: number; stateBytes: number } {
  // Alarms in a frame: at most a few per host and VM, and never more than the frame lists.
  const alarms = Math.min(FRAME_ALARMS_MAX, 6 * totals.hosts + 4 * totals.vms + 2);
  return {
    frameBytes: Math.round(
      COST.frameBase +
        COST.framePerHost * totals.hosts +
        COST.framePerNumaNode * totals.numaNodes +
        COST.framePerAlarm * alarms,
    ),
    stateBytes: Math.round(
      COST.stateBase +
        COST.statePerHost * totals.hosts +
        COST.statePerNumaNode * totals.numaNodes +
        COST.statePerVm * totals.vms +
        COST.statePerEvent * totals.events,
    ),
  };
}

/** Where a cluster limit comes from, for messages ("SCENARIO_MAX_HOSTS"); absent: a fixed limit. */
export type LimitNames = Partial<Record<keyof ClusterLimits, string>>;

interface Counted {
  count: number;
}
interface HostShape extends Counted {
  cpu: { sockets: number; coresPerSocket: number; threadsPerCore: number };
  numaNodes?: number | undefined;
}
interface ScenarioShape {
  hosts: readonly HostShape[];
  vms: readonly Counted[];
  events: readonly { do: string }[];
}

/** The totals of a scenario, from its counts (nothing is expanded). */
export function scenarioTotals(scenario: ScenarioShape): ScenarioTotals {
  let hosts = 0;
  let numaNodes = 0;
  let logicalCpus = 0;
  for (const h of scenario.hosts) {
    hosts += h.count;
    numaNodes += h.count * (h.numaNodes ?? h.cpu.sockets);
    logicalCpus += h.count * h.cpu.sockets * h.cpu.coresPerSocket * h.cpu.threadsPerCore;
  }
  let vms = 0;
  for (const v of scenario.vms) vms += v.count;
  vms += scenario.events.filter((e) => e.do === 'create-vm').length;
  return { hosts, numaNodes, logicalCpus, vms, events: scenario.events.length };
}

const plural = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/**
 * A scenario's totals against a cluster's limits and its estimated sizes against SIZE_BOUNDS;
 * each error names the limit, the value and where the value comes from.
 */
export function checkClusterLimits(
  scenario: ScenarioShape,
  limits: ClusterLimits,
  names: LimitNames = {},
  /** The live system's size bounds; null where nothing is stored or sent (the headless runner). */
  sizeBounds: typeof SIZE_BOUNDS | null = SIZE_BOUNDS,
): InputError[] {
  const errors: InputError[] = [];
  const totals = scenarioTotals(scenario);
  const limitText = (key: keyof ClusterLimits, what: string) =>
    `a cluster may have at most ${plural(limits[key], what)}${names[key] ? ` (${names[key]})` : ''}`;
  /** The first entry at which the running total passes the limit: where to look. */
  const firstOver = (list: 'hosts' | 'vms', sizes: readonly number[], limit: number): string => {
    let sum = 0;
    for (let i = 0; i < sizes.length; i++) {
      sum += sizes[i]!;
      if (sum > limit) return `${list}[${i}].count`;
    }
    return list;
  };
  if (totals.hosts > limits.hosts)
    errors.push({
      path: firstOver(
        'hosts',
        scenario.hosts.map((h) => h.count),
        limits.hosts,
      ),
      message: `${plural(totals.hosts, 'host')} in all; ${limitText('hosts', 'host')}`,
    });
  if (totals.vms > limits.vms)
    errors.push({
      path: firstOver(
        'vms',
        scenario.vms.map((v) => v.count),
        limits.vms,
      ),
      message: `${plural(totals.vms, 'VM')} in all (with those events create); ${limitText('vms', 'VM')}`,
    });
  if (totals.logicalCpus > limits.logicalCpus)
    errors.push({
      path: 'hosts',
      message: `${plural(totals.logicalCpus, 'logical CPU')} in all (sockets x cores x threads x count); ${limitText('logicalCpus', 'logical CPU')}`,
    });
  if (totals.events > limits.events)
    errors.push({
      path: 'events',
      message: `${plural(totals.events, 'event')}; ${limitText('events', 'event')}`,
    });
  if (errors.length > 0 || sizeBounds === null) return errors;
  const sizes = estimateSizes(totals);
  const kib = (bytes: number) => `${Math.ceil(bytes / 1024).toLocaleString('en-US')} KiB`;
  if (sizes.frameBytes > sizeBounds.frameBytes)
    errors.push({
      path: 'hosts',
      message: `a tick's frame would be up to ${kib(sizes.frameBytes)} (${plural(totals.hosts, 'host')}, ${plural(totals.numaNodes, 'NUMA node')}), over the ${kib(sizeBounds.frameBytes)} every watcher is sent each tick; use fewer hosts or NUMA nodes`,
    });
  if (sizes.stateBytes > sizeBounds.stateBytes)
    errors.push({
      path: 'vms',
      message: `the cluster's state would be up to ${kib(sizes.stateBytes)} (${plural(totals.vms, 'VM')}, ${plural(totals.hosts, 'host')}, ${plural(totals.events, 'event')}), over the ${kib(sizeBounds.stateBytes)} a tick reads and writes; use fewer VMs or events`,
    });
  return errors;
}
