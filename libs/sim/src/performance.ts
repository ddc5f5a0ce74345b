// docs/model.md, section 7 (Performance): how fast a guest runs against what it
// asked for, from its CPU share and what remote and missing memory cost it.

/** Performance (0..100): the CPU part over the NUMA and memory slowdowns; 0 unless running. */
export function performancePct(
  running: boolean,
  cpuPerformance: number,
  numaSlowdown: number,
  memorySlowdown: number,
): number {
  return running ? (cpuPerformance / (numaSlowdown * memorySlowdown)) * 100 : 0;
}
