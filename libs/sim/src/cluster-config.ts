import type { ClusterConfig } from '@overcommit/contracts';
import { effectiveRules } from './alarms';
import type { SimState } from './state';

/**
 * The policy in force, every host's topology, as the state holds them now, and the alarm rules'
 * thresholds after the scenario's overrides.
 */
export function clusterConfig(state: SimState): ClusterConfig {
  const rules = effectiveRules(state.alarmOverrides);
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
    alarmRules: Object.fromEntries(
      Object.values(rules).map(({ id, ...thresholds }) => [id, thresholds]),
    ),
  };
}
