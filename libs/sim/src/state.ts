// docs/model.md, section 15 (Determinism): the whole of a cluster as plain,
// serializable data; the engine's functions read and change it, nothing else.
import type { ExerciseRt } from './exercise-scoring';
import type {
  AlarmOverride,
  AlarmRuleId,
  AlarmState,
  HostState,
  MemState,
  Policy,
  ScenarioEvent,
  Severity,
  VmState,
  Workload,
} from '@overcommit/contracts';

/**
 * The whole state of one simulated cluster: plain JSON data (no Maps, no
 * undefined, no class instances), so the live system can store it between
 * ticks and a round trip through JSON changes nothing. Hosts and VMs refer to
 * each other by index into `hosts`.
 */
export interface SimState {
  version: 1;
  name: string;
  seed: number;
  tick: number;
  /** Simulated seconds since the cluster started. */
  time: number;
  stepSeconds: number;
  tickMs: number;
  policy: Policy;
  alarmOverrides: AlarmOverride[];
  hosts: HostRt[];
  vms: VmRt[];
  /** The scenario's events, in time order, and how many have been applied. */
  events: ScenarioEvent[];
  nextEvent: number;
  alarms: AlarmRt[];
  alarmHistory: AlarmRt[];
  alarmSeq: number;
  /** Recently applied command ids (idempotence), oldest first. */
  commandIds: string[];
  energyKWh: number;
  /** The most VMs create-vm may bring the cluster to (absent in older states: the engine's limit). */
  maxVms?: number;
  /** The exercise being scored (scenario section `exercise:`); absent otherwise, and in older states. */
  exercise?: ExerciseRt | null;
}

export interface HostRt {
  name: string;
  sockets: number;
  coresPerSocket: number;
  threadsPerCore: number;
  ghz: number;
  memMiB: number;
  numaNodes: number;
  swapMiB: number;
  virtualization: 'hardware-assisted' | 'binary-translation';
  hypervisor: 'type-1' | 'type-2';
  nestedVirtualization: boolean;
  networkGbps: number;
  /** Watts at 0%, 50% and 100% CPU. */
  power: [number, number, number];
  state: HostState;
  hyperThreading: boolean;
  /** What admission has handed out: vCPUs and configured memory, per host and per NUMA node. */
  vcpusAlloc: number;
  memAllocMiB: number;
  nodeVcpusAlloc: number[];
  nodeMemAllocMiB: number[];
  // Last tick's figures (also what alarms read).
  memState: MemState;
  sharedMiB: number;
  cpuUsagePct: number;
  cpuDemandPct: number;
  cpuReadyPct: number;
  memActiveMiB: number;
  memConsumedMiB: number;
  memFreeMiB: number;
  swapInMiBps: number;
  powerWatts: number;
  nodeCpuPct: number[];
  nodeMemMiB: number[];
  nodeRemotePct: number[];
  alarmCount: number;
}

export interface MigrationRt {
  from: number;
  to: number;
  autoConverge: boolean;
  by: string;
  startedAt: number;
  /** Current round (0 = the full copy). */
  round: number;
  /** MiB still to send in this round. */
  roundLeftMiB: number;
  /** Size of this round, MiB. */
  roundSizeMiB: number;
  transferredMiB: number;
  throttle: number;
}

export interface VmRt {
  name: string;
  /** hashName(name): the VM's own random stream. */
  key: number;
  vcpus: number;
  memMiB: number;
  nestedHypervisor: boolean;
  workload: Workload;
  /** Simulated second the current workload was set (step profiles count from it). */
  workloadSince: number;
  pinned: string | null;
  state: VmState;
  host: number;
  /** NUMA nodes of `host` the VM's vCPUs and memory live on. */
  nodes: number[];
  /** Guest memory touched so far (grows toward its working set; a booting guest starts low). */
  touchedMiB: number;
  balloonMiB: number;
  compressedMiB: number;
  swappedMiB: number;
  migration: MigrationRt | null;
  /** NUMA nodes the VM will have on the migration's destination. */
  migrationNodes: number[];
  /** Why the VM is down or paused, for the frame and alarms. */
  downSince: number | null;
  haPending: boolean;
  haFailed: boolean;
  lastMigrationAbortAt: number | null;
  // Last tick's figures.
  cpuDemandPct: number;
  cpuUsagePct: number;
  cpuRunPct: number;
  cpuReadyPct: number;
  costopPct: number;
  activeMiB: number;
  consumedMiB: number;
  numaLocalPct: number;
  performancePct: number;
  /**
   * MiB/s of its swapped pages the guest reads back: its share of the host's swap-in
   * (docs/model.md, section 5). Absent in states stored before it existed (read as 0).
   */
  swapInMiBps?: number;
  alarmCount: number;
}

export interface AlarmRt {
  id: string;
  rule: AlarmRuleId;
  target: string;
  severity: Severity;
  state: AlarmState;
  since: number;
  firedAt: number | null;
  value: number;
  threshold: number;
  ackedBy: string | null;
  ackNote: string | null;
  ackedAt: number | null;
  resolvedAt: number | null;
  /** The last tick that gave this alarm a reading (bookkeeping; not in frames). */
  readTick: number;
}
