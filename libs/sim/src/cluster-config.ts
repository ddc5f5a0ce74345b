import type { ClusterConfig } from '@overcommit/contracts';
import type { SimState } from './state';

/** The policy in force and every host's topology, as the state holds them now. */
export function clusterConfig(state: SimState): ClusterConfig {
  return {
    policy: { ...state.policy },
    hosts: state.hosts.map((h) => ({
      name: h.name,
      sockets: h.sockets,
      coresPerSocket: h.coresPerSocket,
      threadsPerCore: h.threadsPerCore,
      ghz: h.ghz,
      memMiB: h.memMiB,
      numaNodes: h.numaNodes,
      hyperThreading: h.hyperThreading,
      virtualization: h.virtualization,
      hypervisor: h.hypervisor,
      nestedVirtualization: h.nestedVirtualization,
      swapMiB: h.swapMiB,
      networkGbps: h.networkGbps,
    })),
    ...(state.exercise
      ? {
          exercise: {
            briefing: state.exercise.spec.briefing,
            durationSeconds: state.exercise.spec.durationSeconds,
          },
        }
      : {}),
  };
}
