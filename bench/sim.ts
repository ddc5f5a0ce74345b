// npm run bench:sim — steps clusters of 1,000 and 10,000 hosts with 20 VMs
// each and prints milliseconds per tick (median, p99), VM-steps per second and
// heap bytes per VM. Goal (issue 3): 200,000 VMs in at most 100 ms per tick on
// one core, under 2 KiB of heap per VM.
import { scenarioSchema, type ScenarioInput } from '@overcommit/contracts';
import { createCluster, step } from '@overcommit/sim';
import { cpus, totalmem } from 'node:os';

const gc = (globalThis as { gc?: () => void }).gc;

function clusterScenario(hosts: number, cpu: number, memoryGiB: number): ScenarioInput {
  const profiles = ['constant', 'diurnal', 'bursty', 'step'] as const;
  return {
    version: 1,
    name: `bench ${hosts} hosts`,
    seed: 1,
    policy: { cpuAllocationRatio: 4, ramAllocationRatio: 1.5 },
    hosts: [
      {
        name: 'h',
        count: hosts,
        cpu: { sockets: 2, coresPerSocket: 16, threadsPerCore: 2 },
        memoryGiB: 384,
      },
    ],
    // 20 VMs per host, pinned so placement is O(1) per VM; a mix of workload profiles.
    vms: Array.from({ length: hosts }, (_, h) => ({
      name: `vm-${h}`,
      count: 20,
      vcpus: 4 + (h % 3) * 2,
      memoryGiB,
      host: `h-${String(h + 1).padStart(String(hosts).length < 2 ? 2 : String(hosts).length, '0')}`,
      workload: {
        profile: profiles[h % 4],
        cpu,
        amplitude: cpu / 2,
        periodSeconds: 600,
        memoryActive: 0.7,
      },
    })),
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function bench(mix: string, cpu: number, memoryGiB: number, hosts: number, ticks: number): void {
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const scenario = scenarioSchema.parse(clusterScenario(hosts, cpu, memoryGiB));
  const state = createCluster(scenario);
  step(state); // places the VMs
  for (let i = 0; i < 5; i++) step(state);
  gc?.();
  const heapPerVm = (process.memoryUsage().heapUsed - before) / state.vms.length;
  const times: number[] = [];
  for (let i = 0; i < ticks; i++) {
    const t0 = process.hrtime.bigint();
    step(state);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const median = percentile(times, 50);
  const vms = state.vms.length;
  console.log(
    `${mix.padEnd(10)} ${String(hosts).padStart(6)} hosts ${String(vms).padStart(7)} VMs  ms/tick median ${median.toFixed(1).padStart(6)}  p99 ${percentile(times, 99).toFixed(1).padStart(6)}  VM-steps/s ${Math.round(
      vms / (median / 1000),
    )
      .toLocaleString('en-US')
      .padStart(
        11,
      )}  heap/VM ${Math.round(heapPerVm)} B  (${ticks} ticks, ${state.alarms.length} active alarms)`,
  );
}

console.log(
  `bench:sim on ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}${gc ? '' : ' (no --expose-gc: heap figures include garbage)'}`,
);
// "typical": 25% mean demand (+-12%) and 16 GiB VMs (320 GiB on 384 GiB hosts): busy
// but healthy. "contended": 55% demand (+-27%) and 24 GiB VMs (480 GiB at ratio 1.25):
// every host short of CPU and memory, and nearly every VM alarming.
bench('typical', 0.25, 16, 1000, 60);
bench('typical', 0.25, 16, 10000, 20);
bench('contended', 0.55, 24, 1000, 60);
bench('contended', 0.55, 24, 10000, 20);
