/**
 * The model's constants, each with its source (docs/model.md gives the
 * equations they enter). Figures marked "model choice" are ours: DOMAIN.md
 * gives the behaviour, not a number.
 */
export const MODEL = {
  /** Extra throughput of a core's second busy hyper-thread (Intel, Nova: "up to 30%"; VMware: "slightly more than half" per thread). */
  htGain: 0.25,
  /** Remote / local memory latency (Intel MLC: 242 / 118 ns on a 2-node system). */
  numaLatencyRatio: 2.0,
  /** CPU overhead of hardware-assisted virtualization on a type-1 hypervisor ("a few percent"). */
  overheadHardwareAssisted: 0.03,
  /** Binary translation: a base cost plus a cost per unit of kernel share (kernel-heavy work pays; model choice). */
  overheadBinaryTranslationBase: 0.05,
  overheadBinaryTranslationKernel: 1.0,
  /** A type-2 hypervisor runs on a host OS and pays its CPU (model choice). */
  overheadType2: 0.1,
  /** Memory the type-2 host OS keeps for itself, MiB (model choice). */
  type2HostOsMiB: 2048,
  /** A nested guest pays each layer again (model choice). */
  overheadNestedLayer: 0.25,
  /** Queueing: even below saturation a vCPU waits a little; ready share = demand x this x utilisation^8 (model choice). */
  readyQueueing: 0.06,
  /** Co-stop: share of an SMP VM's wait that its siblings spend co-stopped, scaled by width (model choice). */
  costopShare: 0.5,
  /** ESXi minFree: 899 MB for the first 28 GB plus 1% of the rest (DOMAIN.md, Memory). */
  minFreeBaseMiB: 899,
  minFreeBaseLimitMiB: 28 * 1024,
  minFreeRestShare: 0.01,
  /** Memory state thresholds as multiples of minFree (DOMAIN.md, Memory). */
  memHigh: 4.0,
  memClear: 1.0,
  memSoft: 0.64,
  memHard: 0.32,
  memLow: 0.16,
  /** The balloon driver gives back at most 65% of configured memory (DOMAIN.md). */
  balloonMaxShare: 0.65,
  /** The compression cache holds about 10% of a VM's memory; compressed pages take half their size (model choice: 2:1). */
  compressionMaxShare: 0.1,
  compressionRatio: 0.5,
  /** Page sharing saves up to this share of consumed memory once the host leaves the high state (model choice). */
  sharingShare: 0.05,
  /** Reclamation rates, MiB per simulated second: each VM's balloon driver inflates on its own; compression and swap per host (model choice). */
  /** A VM's balloon can inflate to all of its configured memory in this many seconds. */
  balloonInflateSeconds: 60,
  sharingRateMiBps: 256,
  compressionRateMiBps: 256,
  swapOutRateMiBps: 200,
  /** Returning memory once pressure is gone, MiB/s per host (model choice). */
  releaseRateMiBps: 256,
  /** Share of a VM's swapped active pages touched per second: drives swap-in (model choice). */
  swapTouchPerSecond: 0.01,
  /** Swap-in is capped by the disk: MiB/s per host (model choice). */
  swapInRateMiBps: 200,
  /** A guest touches memory gradually after boot ("given as much as used"): it can touch all of its configured memory in this many seconds (model choice). */
  guestTouchSeconds: 300,
  /** A swapped page costs roughly 1000x a RAM access; a guest's hot pages are rarely the swapped ones, so the slowdown per unit of swapped active memory is 1000 x 0.1 (model choice). */
  swapSlowdown: 100,
  compressionSlowdown: 10,
  /** Share of a guest's idle memory it has touched, and so the host backs (model choice). */
  idleTouchedShare: 0.3,
  /** Per-VM memory overhead: a base, per vCPU, and a share of configured memory (VMware overhead tables, approximated). */
  vmOverheadBaseMiB: 25,
  vmOverheadPerVcpuMiB: 8,
  vmOverheadShare: 0.006,
  /** Live migration (pre-copy; QEMU, Xen): max downtime, max rounds, auto-converge throttle. */
  migrationMaxDowntimeMs: 300,
  migrationMaxRounds: 30,
  autoConvergeInitial: 0.2,
  autoConvergeStep: 0.1,
  autoConvergeMax: 0.99,
  /** HA detection delay, simulated seconds (Proxmox watchdog 60 s). */
  haDetectionSeconds: 60,
  /** SPECpower, HP ML110 G4 (one socket): watts at 0%, 50% and 100% load, scaled per socket. */
  powerPerSocket: [86, 102, 117] as const,
  /** Bursty workloads: length of one burst window, seconds (model choice). */
  burstWindowSeconds: 30,
  /** Workload noise: uniform +- this around the profile (model choice). */
  demandNoise: 0.02,
  /** How many applied command ids a cluster remembers for idempotence. */
  rememberedCommandIds: 5000,
  /** Resolved alarms kept in the history. */
  alarmHistory: 500,
} as const;

export const MIB_PER_GIB = 1024;
