import type { AlarmRuleId } from '@overcommit/contracts';

// Each alarm rule explained for the person who sees it fire: what it measures, what usually causes
// it, what an operator does about it, and the one-click actions that fit. Prose lives here, keyed by
// rule id (docs/model.md section 13 has the rules' numbers and sources; the images are the seed
// notes': "one cook, two stoves", the gambler's bet, the 150% memory line).

/** What a button under an explanation does. */
export type AlarmActionId =
  /** Live-migrate the alarm's VM (opens the migration dialog for it). */
  | 'migrate-vm'
  /** Pick a VM on the alarm's host and live-migrate it elsewhere. */
  | 'migrate-off-host'
  /** The actions on the alarm's VM (power on, migrate with auto-converge...). */
  | 'vm-actions'
  /** The host's page (topology, its VMs, recover, maintenance). */
  | 'open-host'
  /** The overcommit policy (allocation ratios). */
  | 'open-policy';

export interface AlarmHelp {
  measures: string;
  cause: string;
  action: string;
  /** The seed notes' image for it, when one fits. */
  image?: string;
  actions: readonly AlarmActionId[];
  /** How it clears, in words, for rules whose value is a flag or a level rather than a figure. */
  clears?: string;
}

export const ALARM_HELP: Record<AlarmRuleId, AlarmHelp> = {
  'vm-cpu-ready': {
    measures:
      'The share of each interval this VM’s vCPUs were ready to run but waited for a physical CPU (per vCPU; in a 20 s sample, 10% is 2,000 ms of waiting).',
    cause:
      'More runnable vCPUs on the host than its cores deliver: a high vCPU:pCPU ratio with busy guests at the same time.',
    image:
      'One cook, two stoves: hyper-threading gives a core two threads, but two busy threads do about 1.25 times one thread’s work, not twice. Counting threads as CPUs overestimates the kitchen.',
    action:
      'Move load off the host: live-migrate this VM, or a busy neighbour, to a host with idle cores. Lower the CPU allocation ratio so admission stops stacking vCPUs; give the VM fewer vCPUs if it does not use them.',
    actions: ['migrate-vm', 'open-host', 'open-policy'],
  },
  'vm-costop': {
    measures:
      'The share of time some of this VM’s vCPUs were held back so that all of them stay in step (co-scheduling of a multi-vCPU VM).',
    cause:
      'A wide VM on a busy host: the scheduler cannot find enough free cores at once for all its vCPUs.',
    action:
      'Right-size the VM (fewer vCPUs often run faster), or migrate it to a host with more idle cores.',
    actions: ['migrate-vm', 'open-host'],
  },
  'host-cpu-usage': {
    measures:
      'The host’s CPU delivered against what its cores can deliver (with hyper-threading, every core busy plus the quarter the second threads add).',
    cause:
      'Busy guests, too many vCPUs admitted on this host, or a failed host’s VMs restarted here.',
    image:
      'One cook, two stoves: past the number of cores, each extra busy thread adds only a quarter of a core.',
    action:
      'Migrate a busy VM off this host to one with headroom; stop new placements here (maintenance); lower the CPU allocation ratio.',
    actions: ['migrate-off-host', 'open-host', 'open-policy'],
  },
  'vcpu-overcommit': {
    measures:
      'vCPUs handed out across the hosts that are up, as a share of the policy’s limit (logical CPUs × CPU allocation ratio).',
    cause:
      'VMs created or restarted until the limit is near; a failed host takes its capacity out of the sum.',
    image:
      'The gambler’s bet (超分): handing out more than exists raises density and lowers cost, and contention is the price. At the limit, admission refuses new VMs and migrations.',
    action:
      'Power off or delete idle VMs, recover failed hosts, or raise the ratio in the policy, knowing that ready time follows.',
    actions: ['open-policy'],
  },
  'mem-overcommit': {
    measures:
      'Memory configured for VMs across the hosts that are up, as a share of the limit: (memory − reserved) × RAM allocation ratio.',
    cause: 'VMs created until the limit is near; a failed host takes its memory out of the sum.',
    image:
      'The 150% line: at ratio 1.5 a 100 GiB host admits 150 GiB of VMs. Memory is given as much as used, not all at once, so the bet holds while the guests’ active memory fits.',
    action:
      'Power off or delete VMs nobody needs, recover failed hosts, or change the ratio in the policy; watch the hosts’ memory state and the VMs’ working sets.',
    actions: ['open-policy'],
  },
  'host-mem-state': {
    measures:
      'The host’s memory state from its free memory against minFree: 1 soft (ballooning), 2 hard (compression, swapping), 3 low (swapping; a VM may pause when swap is full).',
    cause: 'The guests’ active memory outgrew the host: the bet on memory overcommit lost.',
    image:
      'The 150% line is a promise on configured memory; the host can keep it only while the guests touch less than it has.',
    action:
      'Migrate a memory-heavy VM off this host; power off what is not needed; lower the RAM allocation ratio. Watch "working set missing" in Who suffers: the host can read clear again while its guests still starve.',
    actions: ['migrate-off-host', 'open-host', 'open-policy'],
    clears: 'clears when the host is back to the high or clear state',
  },
  'host-swap-in': {
    measures:
      'How fast the host reads guest pages back from its swap file. A swapped page costs about a thousand RAM accesses.',
    cause:
      'The host swapped guest pages out earlier (hard or low state) and the guests now touch them.',
    action:
      'Free memory on the host (migrate a VM off) so swap-in can finish and no more pages go out.',
    actions: ['migrate-off-host', 'open-host'],
  },
  'vm-swap-full': {
    measures: 'The VM is paused: the host’s swap is full and it is still short of memory.',
    cause: 'Memory overcommitted far past what the guests use, with too little swap to absorb it.',
    action: 'Free memory on the host (migrate or power off other VMs), then power this VM on.',
    actions: ['vm-actions', 'open-host'],
    clears: 'clears when the VM runs again',
  },
  'numa-remote': {
    measures:
      'The share of this VM’s memory accesses that go to another socket’s memory, about twice as slow as local (Intel MLC: 242 against 118 ns).',
    cause:
      'A wide VM spread over NUMA nodes, memory spilled off a full node, or a policy that ignores NUMA.',
    action:
      'Migrate the VM to a host where it fits one node, give it fewer vCPUs or less memory so it fits a node, or set the NUMA policy to prefer-local.',
    actions: ['migrate-vm', 'open-host', 'open-policy'],
  },
  migration: {
    measures:
      'Pre-copy rounds of a live migration under way; it reads 30 for five minutes after one aborted.',
    cause:
      'The guest dirties memory nearly as fast as the link sends it, so each round has as much to send as the last.',
    action:
      'Migrate again with auto-converge (it throttles the guest until the copy converges), at a quieter time, or to a host on a faster link.',
    actions: ['vm-actions'],
  },
  'host-down': {
    measures:
      'The host has failed: its VMs went down; HA restarts them elsewhere after 60 s, through normal admission.',
    cause: 'A hardware failure, or a fault injected by the scenario or an operator.',
    action:
      'Recover the host from its page; check that HA restarted its VMs and that the others have room under the policy’s limits.',
    actions: ['open-host', 'open-policy'],
    clears: 'clears when the host is recovered',
  },
  'ha-restart-failed': {
    measures: 'HA could not restart this VM after its host failed: no host admitted it.',
    cause:
      'The remaining hosts are at their allocation limits (the refusal in the activity names each host and the limit that failed).',
    action:
      'Make room (power off or delete VMs, recover the failed host) or raise a ratio, then power the VM on.',
    actions: ['vm-actions', 'open-policy'],
    clears: 'clears when the VM runs again',
  },
  'vm-memory-starved': {
    measures:
      'The share of this VM’s working set not in plain RAM: ballooned below it (the guest swaps inside), compressed, or swapped by the host. 1% is a guest at about 77% of its speed, 5% one at about 40%.',
    cause:
      'The host reclaimed memory from guests that use it. Ballooning is harmless while it takes idle pages and hurts once it reaches the working set; the host may read clear again while its guests crawl.',
    image:
      'The 150% line again: overcommit is safe while the working sets fit; this is the bet losing, seen from the guest.',
    action:
      'Migrate this VM, or a neighbour, to a host with free memory; power off what is not needed; lower the RAM allocation ratio.',
    actions: ['migrate-vm', 'open-host', 'open-policy'],
  },
};

/** The buttons' words. */
export const ALARM_ACTION_LABEL: Record<AlarmActionId, (target: string) => string> = {
  'migrate-vm': (vm) => `Migrate ${vm}…`,
  'migrate-off-host': (host) => `Migrate a VM off ${host}…`,
  'vm-actions': (vm) => `Actions for ${vm}…`,
  'open-host': (host) => `Open ${host}`,
  'open-policy': () => 'Open the policy…',
};

/** Headings of an explanation's parts. */
export const ALARM_HELP_HEADINGS = {
  state: 'Now',
  measures: 'What it measures',
  cause: 'Usual cause',
  image: 'The picture',
  action: 'What to do',
} as const;
