// The glossary page's words beyond the metrics (those are in metrics.ts): the domain's terms as the
// seed notes teach them (/work/shared/DOMAIN.md; docs/model.md has the equations).

export interface Term {
  id: string;
  term: string;
  definition: string;
}

export const TERMS: readonly Term[] = [
  {
    id: 'host',
    term: 'host and guest',
    definition:
      'A host is a physical server (the owner). A guest, or VM, is a virtual machine on it: a visitor who believes it owns the house, whose OS is a butler who does not know it is virtual.',
  },
  {
    id: 'hypervisor',
    term: 'hypervisor (type 1, type 2)',
    definition:
      'The layer that takes over the hardware and pools it. Type 1 (bare metal: ESXi, KVM, Hyper-V, Xen) runs on the hardware; type 2 (VMware Workstation, VirtualBox) runs on a host OS and pays that OS’s CPU and memory as overhead.',
  },
  {
    id: 'virtualization',
    term: 'binary translation and hardware assist',
    definition:
      'Binary translation rewrites a guest’s privileged instructions in software: it works on any CPU, slowly for kernel-heavy work. Hardware-assisted virtualization (Intel VT-x, AMD-V) runs them in a second instruction mode, near native.',
  },
  {
    id: 'hyper-threading',
    term: 'hyper-threading: one cook, two stoves',
    definition:
      'A core with two hardware threads is one cook with two stoves: two busy threads deliver about 1.15-1.3 times one thread’s work, not twice. Two cores beat one core with two threads. Logical CPUs = sockets × cores × threads.',
  },
  {
    id: 'overcommit',
    term: 'overcommit (超分): the gambler’s bet',
    definition:
      'Handing out more vCPUs or memory than physically exists. It raises density and lowers cost; its price is contention: ready time for CPU, ballooning and swapping for memory.',
  },
  {
    id: 'allocation-ratio',
    term: 'allocation ratio and the 150% line',
    definition:
      'Admission (OpenStack Nova / Placement): usable capacity = (total − reserved) × allocation ratio. A RAM ratio of 1.5 is the seed’s "limit 150%": a 100 GiB host admits 150 GiB of VMs, and the next one is refused, with the reason.',
  },
  {
    id: 'reclamation',
    term: 'memory reclamation',
    definition:
      'As free memory falls, the host turns on, in order: page sharing, ballooning (the guest gives back idle pages), compression (a cache of about 10%), and swapping to disk. Each costs the guests more than the last.',
  },
  {
    id: 'numa',
    term: 'NUMA',
    definition:
      'Non-uniform memory access: each socket has its own memory (a NUMA node). A VM that fits one node stays there; a wide VM spans nodes, and a share of its accesses go remote, about twice as slow.',
  },
  {
    id: 'live-migration',
    term: 'live migration (pre-copy)',
    definition:
      'Copy all memory while the VM runs, then again what it dirtied meanwhile, round after round; when the rest fits in the downtime limit, pause, send, resume on the destination. If the guest dirties faster than the link sends, it never converges: abort, or auto-converge (throttle the guest).',
  },
  {
    id: 'ha',
    term: 'HA (high availability)',
    definition:
      'When a host fails, its VMs go down; HA restarts them elsewhere after detection (60 s here), through normal admission. Those that fit nowhere stay down, loudly.',
  },
  {
    id: 'hysteresis',
    term: 'alarm hysteresis and hold',
    definition:
      'An alarm fires only after its condition has held for its hold time, and clears only below a lower threshold than the one that raised it, so it does not flap. A critical alarm can show a value under its trigger: it is waiting to fall below its clear threshold.',
  },
];

/** The glossary page's headings and links. */
export const GLOSSARY_TEXT = {
  title: 'Glossary',
  lede: 'The figures the dashboard shows and the words of virtualization it uses, with good and bad ranges where a figure has them.',
  metrics: 'Figures',
  terms: 'Words',
  ranges: 'Ranges',
  unit: 'Unit',
  source: 'Source',
  back: '← back',
  more: 'More in the glossary',
} as const;
