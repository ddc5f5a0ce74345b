import { Injectable } from '@nestjs/common';
import type { Frame } from '@overcommit/contracts';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Where a command's outcome was decided: by the engine at its tick, or by the gateway before queueing. */
export type CommandOutcomeLabel = 'accepted' | 'refused' | 'rejected' | 'rate-limited';

const MIB = 1024 * 1024;

/**
 * The process's Prometheus metrics, on a registry of its own (a test runs several applications in
 * one process): Node's process metrics, the tick worker's lag and duration, this instance's socket
 * clients and commands by outcome, and, refreshed from Redis on each scrape by the API role, every
 * simulated cluster's own figures as gauges labelled by cluster and host.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  readonly tickLag = new Histogram({
    name: 'overcommit_tick_lag_seconds',
    help: 'How late each tick ran against its due time on the cluster schedule',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly tickDuration = new Histogram({
    name: 'overcommit_tick_duration_seconds',
    help: 'Time a worker took to run one tick job (load, commands, step, commit, publish)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  readonly ticks = new Counter({
    name: 'overcommit_ticks_total',
    help: 'Ticks stepped by this worker',
    registers: [this.registry],
  });
  readonly socketClients = new Gauge({
    name: 'overcommit_socket_clients',
    help: 'socket.io clients connected to this API instance',
    registers: [this.registry],
  });
  readonly liveSubscriptions = new Gauge({
    name: 'overcommit_live_subscriptions',
    help: 'Redis channels this API instance subscribes to: one per watched cluster (and its per-VM feed while shown), held while one of its sockets watches',
    registers: [this.registry],
  });
  readonly deliveriesSkipped = new Counter({
    name: 'overcommit_live_deliveries_skipped_total',
    help: 'Frames (event frame) and per-VM tables (event vms) not sent to a socket because too much to it was still unsent; the client fills the gap from the history',
    labelNames: ['event'],
    registers: [this.registry],
  });
  readonly commands = new Counter({
    name: 'overcommit_commands_total',
    help: 'Commands by outcome: accepted or refused by the engine (worker), rejected (invalid, not allowed) or rate-limited before queueing (API)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });

  readonly clusterMetricsUp = new Gauge({
    name: 'overcommit_cluster_metrics_up',
    help: "1 when the simulated clusters' figures below were read from Redis at this scrape, 0 when Redis did not answer",
    registers: [this.registry],
  });

  private readonly cluster = {
    info: this.gauge('overcommit_cluster_info', 'A simulated cluster (always 1), with its name', [
      'cluster',
      'name',
    ]),
    tick: this.gauge('overcommit_cluster_tick', 'The cluster tick of its latest frame', [
      'cluster',
    ]),
    paused: this.gauge('overcommit_cluster_paused', '1 when the cluster is paused', ['cluster']),
    speed: this.gauge('overcommit_cluster_speed', 'Simulated seconds per wall second', ['cluster']),
    hostsUp: this.gauge('overcommit_cluster_hosts_up', 'Hosts up', ['cluster']),
    vmsRunning: this.gauge('overcommit_cluster_vms_running', 'VMs running', ['cluster']),
    vcpuRatio: this.gauge(
      'overcommit_cluster_vcpu_ratio',
      'vCPUs of running VMs per logical CPU of hosts up',
      ['cluster'],
    ),
    cpuLimit: this.gauge(
      'overcommit_cluster_cpu_allocation_ratio',
      'The policy limit on vCPUs per logical CPU',
      ['cluster'],
    ),
    memRatio: this.gauge(
      'overcommit_cluster_memory_overcommit_ratio',
      'Configured VM memory per host memory',
      ['cluster'],
    ),
    memLimit: this.gauge(
      'overcommit_cluster_ram_allocation_ratio',
      'The policy limit on configured memory per host memory',
      ['cluster'],
    ),
    power: this.gauge('overcommit_cluster_power_watts', 'Power drawn by the cluster', ['cluster']),
    alarms: this.gauge('overcommit_alarms_firing', 'Alarms firing or acknowledged', [
      'cluster',
      'severity',
    ]),
  };
  private readonly host = {
    up: this.hostGauge('overcommit_host_up', '1 when the host is up, with its state', 'state'),
    cpuUsage: this.hostGauge('overcommit_host_cpu_usage_ratio', 'CPU usage, 0 to 1'),
    cpuReady: this.hostGauge(
      'overcommit_host_cpu_ready_ratio',
      'CPU ready: share of time runnable vCPUs waited for a CPU, 0 to 1',
    ),
    vcpuRatio: this.hostGauge('overcommit_host_vcpu_ratio', 'vCPUs per logical CPU'),
    memRatio: this.hostGauge(
      'overcommit_host_memory_overcommit_ratio',
      'Configured VM memory per host memory',
    ),
    memory: this.hostGauge(
      'overcommit_host_memory_bytes',
      'Host memory by state: total, active, consumed, ballooned, compressed, swapped',
      'state',
    ),
    swapIn: this.hostGauge('overcommit_host_swap_in_bytes_per_second', 'Swap-in rate'),
    numaRemote: this.hostGauge(
      'overcommit_host_numa_remote_access_ratio',
      'Share of memory accesses from this NUMA node that go to another node, 0 to 1',
      'node',
    ),
    power: this.hostGauge('overcommit_host_power_watts', 'Power drawn by the host'),
  };

  private readonly beforeScrape: Array<() => Promise<void> | void> = [];

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // Gauges that prom-client names with a counter's _total suffix, which `promtool check metrics`
    // rejects; process_* and the other nodejs_* metrics stay.
    for (const name of [
      'nodejs_active_handles_total',
      'nodejs_active_requests_total',
      'nodejs_active_resources_total',
    ])
      this.registry.removeSingleMetric(name);
  }

  /** Runs before each scrape (the API role reads the clusters' latest frames). */
  onScrape(refresh: () => Promise<void> | void): void {
    this.beforeScrape.push(refresh);
  }

  /** The exposition text: refreshed figures first. */
  async scrape(): Promise<string> {
    for (const refresh of this.beforeScrape) await refresh();
    return this.registry.metrics();
  }

  /** Records one tick job. */
  tickRan(seconds: number, stepped: number, lagMs: number): void {
    this.tickDuration.observe(seconds);
    if (stepped > 0) {
      this.ticks.inc(stepped);
      this.tickLag.observe(lagMs / 1000);
    }
  }

  /** Replaces the simulated clusters' gauges with these latest frames (clusters gone drop out). */
  setClusters(
    clusters: ReadonlyArray<{
      id: string;
      name: string;
      paused: boolean;
      speed: number;
      frame: Frame | null;
    }>,
  ): void {
    for (const g of [...Object.values(this.cluster), ...Object.values(this.host)]) g.reset();
    const c = this.cluster;
    const h = this.host;
    for (const { id, name, paused, speed, frame } of clusters) {
      c.info.set({ cluster: id, name }, 1);
      c.paused.set({ cluster: id }, paused ? 1 : 0);
      c.speed.set({ cluster: id }, speed);
      if (!frame) continue;
      const f = frame.cluster;
      c.tick.set({ cluster: id }, frame.tick);
      c.hostsUp.set({ cluster: id }, f.hostsUp);
      c.vmsRunning.set({ cluster: id }, f.vmsRunning);
      c.vcpuRatio.set({ cluster: id }, f.vcpuRatio);
      c.cpuLimit.set({ cluster: id }, f.cpuAllocationRatio);
      c.memRatio.set({ cluster: id }, f.memOvercommitRatio);
      c.memLimit.set({ cluster: id }, f.ramAllocationRatio);
      c.power.set({ cluster: id }, f.powerWatts);
      c.alarms.set({ cluster: id, severity: 'critical' }, f.alarms.critical);
      c.alarms.set({ cluster: id, severity: 'warning' }, f.alarms.warning);
      for (const host of frame.hosts) {
        const l = { cluster: id, host: host.name };
        h.up.set({ ...l, state: host.state }, host.state === 'up' ? 1 : 0);
        h.cpuUsage.set(l, host.cpuUsagePct / 100);
        h.cpuReady.set(l, host.cpuReadyPct / 100);
        h.vcpuRatio.set(l, host.vcpuRatio);
        h.memRatio.set(l, host.memOvercommitRatio);
        for (const [state, mib] of [
          ['total', host.memTotalMiB],
          ['active', host.memActiveMiB],
          ['consumed', host.memConsumedMiB],
          ['ballooned', host.balloonMiB],
          ['compressed', host.compressedMiB],
          ['swapped', host.swapUsedMiB],
        ] as const)
          h.memory.set({ ...l, state }, mib * MIB);
        h.swapIn.set(l, host.swapInMiBps * MIB);
        for (const node of host.numa)
          h.numaRemote.set({ ...l, node: String(node.node) }, node.remoteAccessPct / 100);
        h.power.set(l, host.powerWatts);
      }
    }
  }

  private gauge<L extends string>(name: string, help: string, labelNames: L[]): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  /** A gauge per cluster and host, with any further labels. */
  private hostGauge<L extends string>(name: string, help: string, ...more: L[]) {
    return this.gauge<'cluster' | 'host' | L>(name, help, ['cluster', 'host', ...more]);
  }
}
