/** The CPU shape of one physical host, as a scenario file gives it. */
export interface CpuShape {
  sockets: number;
  coresPerSocket: number;
  threadsPerCore: number;
}

/** Physical cores: what actually executes instructions. */
export function physicalCores(cpu: CpuShape): number {
  return cpu.sockets * cpu.coresPerSocket;
}

/**
 * Logical CPUs = sockets x cores per socket x threads per core: what vCPUs are
 * handed out against (DOMAIN.md, CPU; the seed's 2 x 6 x 2 = 24). With
 * hyper-threading off a core shows one thread whatever the hardware has.
 */
export function logicalCpus(cpu: CpuShape, hyperThreading = true): number {
  return physicalCores(cpu) * (hyperThreading ? cpu.threadsPerCore : 1);
}
