import { type JudgedMetric, THRESHOLDS, type Threshold } from './thresholds';

// What each figure the dashboard shows means: the hover help on every metric name and the
// glossary page read this module (prose lives here, keyed by metric id, not in components).
// Sources: docs/model.md (the equations the engine implements) and the seed notes' images.

export type MetricId =
  | 'ready'
  | 'costop'
  | 'cpuUsage'
  | 'balloon'
  | 'compressed'
  | 'swapped'
  | 'swapIn'
  | 'memMissing'
  | 'active'
  | 'consumed'
  | 'numaLocal'
  | 'numaRemote'
  | 'performance'
  | 'vcpuRatio'
  | 'memOvercommit'
  | 'memState';

export interface MetricHelp {
  /** The name as the dashboard writes it. */
  name: string;
  unit: string;
  /** What the figure is, in a sentence or two. */
  definition: string;
  /** Good and bad ranges in words, when the figure has no threshold of its own. */
  ranges?: string;
  /** The threshold the dashboard colours it by (its ranges are written from it). */
  judged?: JudgedMetric;
  /** Where the figure or its thresholds come from. */
  source: string;
}

export const METRICS: Record<MetricId, MetricHelp> = {
  ready: {
    name: 'CPU ready',
    unit: '% per vCPU',
    definition:
      'The share of time a vCPU was ready to run but waited for a physical CPU. Per vCPU, run + ready + co-stop + idle = 100%; in a 20-second sample, 10% ready is 2,000 ms of waiting.',
    judged: 'ready',
    source: 'VMware: up to 5% per vCPU fine, above 5% worth a look, above 10% a problem.',
  },
  costop: {
    name: 'co-stop',
    unit: '%',
    definition:
      'The share of time some vCPUs of a multi-vCPU VM were held back so that its vCPUs stay in step: the scheduler could not find enough free cores at once for a wide VM.',
    judged: 'costop',
    source: 'VMware: keep co-stop at or below 3%.',
  },
  cpuUsage: {
    name: 'CPU usage',
    unit: '%',
    definition:
      'How much CPU is delivered, against what the cores can deliver. With hyper-threading, two busy threads on one core give about 1.25 times one thread’s work, not twice ("one cook, two stoves"), so 100% means every core busy plus that quarter.',
    judged: 'hostCpu',
    source: 'Netdata’s thresholds: warn at 85%, critical at 95%.',
  },
  balloon: {
    name: 'balloon',
    unit: 'MiB',
    definition:
      'Memory the guest’s balloon driver handed back to the host (at most 65% of the VM’s memory). Harmless while it takes idle pages; once it reaches the working set, the guest swaps inside.',
    ranges:
      'Any balloon means the host is short of memory (below 100% of minFree). Look at the working set missing: that is when it hurts.',
    source: 'VMware memory management; docs/model.md section 5.',
  },
  compressed: {
    name: 'compressed',
    unit: 'MiB',
    definition:
      'Guest pages the host compressed (2:1) into a cache of about 10% of the VM’s memory, in the hard and low memory states, before swapping.',
    ranges:
      'Zero is good. Compressed active pages slow the guest about ten times less than swapped ones.',
    source: 'VMware memory compression; docs/model.md section 5.',
  },
  swapped: {
    name: 'swapped',
    unit: 'MiB',
    definition:
      'Guest memory the host wrote to its swap file. A swapped page costs about a thousand RAM accesses when the guest touches it; pages come back only by swap-in.',
    ranges: 'Zero is good. Any active page swapped is a problem; a full swap pauses a VM.',
    source: 'docs/model.md sections 5 and 7.',
  },
  swapIn: {
    name: 'swap-in',
    unit: 'MiB/s',
    definition:
      'How fast the host reads guest pages back from swap, because the guests touch them. The disk caps it at 200 MiB/s.',
    judged: 'swapIn',
    source: 'The host-swap-in alarm rule (model choice).',
  },
  memMissing: {
    name: 'working set missing',
    unit: '% of working set',
    definition:
      'The share of the guest’s working set (its active memory) not in plain RAM: ballooned below it, compressed or swapped. Each 1% costs about memoryBound × 100% of speed: 1% is a guest at about 77% speed, 5% one at about 40%.',
    judged: 'memMissing',
    source: 'The vm-memory-starved alarm rule; docs/model.md section 13.',
  },
  active: {
    name: 'active memory',
    unit: 'MiB',
    definition:
      'The memory the guest really touches: its working set. Memory is given as much as used, not all at once, which is why overcommit works until active memory outgrows the host.',
    ranges: 'Compare it with the host’s memory: the sum of active memory must fit.',
    source: 'docs/model.md section 5.',
  },
  consumed: {
    name: 'consumed memory',
    unit: 'MiB',
    definition:
      'Host RAM backing the guests: the pages they touched plus the hypervisor’s overhead per VM.',
    ranges: 'Near the host’s memory, reclamation begins: ballooning, then compression, then swap.',
    source: 'docs/model.md section 5.',
  },
  numaLocal: {
    name: 'NUMA local',
    unit: '% of memory accesses',
    definition:
      'The share of the VM’s memory accesses served by its own socket’s memory. A remote access takes about twice as long (Intel MLC: 242 against 118 ns).',
    judged: 'numaLocal',
    source: 'The numa-remote alarm rule reads 100 minus this; docs/model.md section 6.',
  },
  numaRemote: {
    name: 'NUMA remote',
    unit: '% of memory accesses',
    definition:
      'The share of memory accesses that go to another socket’s memory: a wide VM spread over nodes, memory spilled off a full node, or a policy that ignores NUMA.',
    judged: 'numaRemote',
    source: 'The numa-remote alarm rule; docs/model.md section 6.',
  },
  performance: {
    name: 'performance',
    unit: '% of the speed it would have alone',
    definition:
      'How fast the guest runs against what it wants: CPU it got (after ready, co-stop and throttling), slowed by remote NUMA accesses and by memory not in RAM.',
    judged: 'performance',
    source:
      'docs/model.md section 7; the thresholds are the dashboard’s, set by the memory rule’s (1% missing is about 77%, 5% about 40%).',
  },
  vcpuRatio: {
    name: 'vCPU : pCPU',
    unit: 'vCPUs per logical CPU',
    definition:
      'vCPUs handed out per logical CPU, against the policy’s CPU allocation ratio (admission refuses past it). The gambler’s bet: more vCPUs than CPUs raise density, and ready time is the price.',
    ranges:
      'Up to the policy’s ratio, admission allows it; whether guests suffer depends on how busy they are together: watch ready.',
    source: 'OpenStack Nova / Placement (cpu_allocation_ratio; default 4.0 here).',
  },
  memOvercommit: {
    name: 'memory overcommit',
    unit: 'configured ÷ usable memory',
    definition:
      'Memory configured for VMs per unit of usable host memory, against the policy’s RAM allocation ratio. At 1.5, the seed’s "150% line", a 100 GiB host admits 150 GiB of VMs.',
    ranges:
      'Up to the ratio, admission allows it; it stays safe while the guests’ active memory fits the host.',
    source: 'OpenStack Nova (ram_allocation_ratio 1.5 historically, the seed’s limit 150%).',
  },
  memState: {
    name: 'memory state',
    unit: 'high, clear, soft, hard, low',
    definition:
      'The host’s ESXi memory state, from free memory against minFree: soft turns on ballooning, hard compression and swapping, low may pause a VM when swap is full.',
    ranges: 'high and clear are good; soft is a warning; hard and low are critical.',
    source: 'VMware: High 400%, Clear 100%, Soft 64%, Hard 32%, Low 16% of minFree.',
  },
};

const n = (v: number) => String(+v.toFixed(2));

/** Good and bad ranges in words, written from the threshold table (one truth for the numbers). */
export function rangesText(help: MetricHelp): string {
  if (!help.judged) return help.ranges ?? '';
  return thresholdRanges(THRESHOLDS[help.judged]);
}

export function thresholdRanges(t: Threshold): string {
  const u = t.unit.startsWith('%') ? '%' : ` ${t.unit}`;
  return t.worse === 'higher'
    ? `good below ${n(t.warning)}${u} · worth a look from ${n(t.warning)}${u} · a problem from ${n(t.critical)}${u}`
    : `good above ${n(t.warning)}${u} · worth a look at ${n(t.warning)}${u} and below · a problem at ${n(t.critical)}${u} and below`;
}
