import { clock, type Frame, type FrameEvent, type Scenario } from '@overcommit/contracts';

/** Simulated time in the tables: hh:mm:ss, whole seconds gone by. */
const hms = { hours: true, round: Math.floor } as const;

const fixed = (x: number, digits = 1) => x.toFixed(digits);
const gib = (mib: number) => `${(mib / 1024).toFixed(1)}G`;

function pad(cells: string[], widths: number[]): string {
  return cells
    .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
    .join('  ');
}

/** A readable summary of one frame: the cluster, each host, the active alarms. */
export function summary(frame: Frame): string[] {
  const c = frame.cluster;
  const lines = [
    `t=${clock(frame.time, hms)} tick ${frame.tick}  hosts ${c.hostsUp}/${c.hostsTotal} up  VMs ${c.vmsRunning}/${c.vmsTotal} running  vCPU:CPU ${fixed(c.vcpuRatio, 2)} of ${fixed(c.cpuAllocationRatio, 1)}  RAM ${fixed(c.memOvercommitRatio, 2)} of ${fixed(c.ramAllocationRatio, 2)}  power ${fixed(c.powerWatts, 0)} W  alarms ${c.alarms.critical} critical ${c.alarms.warning} warning`,
  ];
  const widths = [12, 11, 6, 7, 7, 6, 7, 8, 8, 8, 8];
  lines.push(
    pad(
      [
        'host',
        'state',
        'CPU%',
        'ready%',
        'vCPU:',
        'mem',
        'active',
        'balloon',
        'swap',
        'swapIn/s',
        'remote%',
      ],
      widths,
    ),
  );
  for (const h of frame.hosts) {
    const remote = h.numa.length > 0 ? Math.max(...h.numa.map((n) => n.remoteAccessPct)) : 0;
    lines.push(
      pad(
        [
          h.name,
          h.state === 'up' ? (h.hyperThreading ? 'up HT' : 'up') : h.state,
          fixed(h.cpuUsagePct),
          fixed(h.cpuReadyPct),
          fixed(h.vcpuRatio, 2),
          h.memState,
          gib(h.memActiveMiB),
          gib(h.balloonMiB),
          gib(h.swapUsedMiB),
          fixed(h.swapInMiBps),
          fixed(remote),
        ],
        widths,
      ),
    );
  }
  for (const a of frame.alarms.filter((a) => a.state !== 'pending')) {
    const ack = a.ackedBy ? `  acked by ${a.ackedBy}${a.ackNote ? `: "${a.ackNote}"` : ''}` : '';
    lines.push(
      `  ! ${a.severity.toUpperCase()} ${a.rule} ${a.target} ${fixed(a.value)} (threshold ${a.threshold}) since ${clock(a.since, hms)}${ack}`,
    );
  }
  lines.push('');
  return lines;
}

/** The closing report: alarms and how long they fired, refusals, migrations, energy. */
export function closingReport(scenario: Scenario, last: Frame, events: FrameEvent[]): string[] {
  const lines = [`== ${scenario.name}: ${last.tick} ticks, ${clock(last.time, hms)} simulated ==`];
  const fired = events.filter((e) => e.type === 'alarm-fired' && e['escalated'] !== true);
  const resolved = new Map(
    events.filter((e) => e.type === 'alarm-resolved').map((e) => [e['alarmId'] as string, e]),
  );
  lines.push(`alarms fired: ${fired.length}`);
  for (const e of fired) {
    const end = resolved.get(e['alarmId'] as string);
    const held = end ? `for ${fixed(end.time - e.time, 0)} s` : 'still active';
    lines.push(
      `  ${clock(e.time, hms)} ${String(e['severity'])} ${String(e['rule'])} ${e.target} ${held}`,
    );
  }
  const refusals = events.filter(
    (e) => e.type === 'vm-refused' || e.type === 'command-refused' || e.type === 'ha-failed',
  );
  lines.push(`refusals: ${refusals.length}`);
  for (const e of refusals)
    lines.push(`  ${clock(e.time, hms)} ${e.type} ${e.target}: ${e.reason ?? String(e['reason'])}`);
  const migrations = events.filter(
    (e) => e.type === 'migration-completed' || e.type === 'migration-aborted',
  );
  lines.push(`migrations: ${migrations.length}`);
  for (const e of migrations) {
    if (e.type === 'migration-completed') {
      lines.push(
        `  ${e.target} ${String(e['from'])} -> ${String(e['to'])}: ${fixed(e['durationSeconds'] as number, 2)} s, downtime ${fixed(e['downtimeMs'] as number, 0)} ms, ${String(e['rounds'])} rounds, ${fixed(e['transferredMiB'] as number, 0)} MiB sent`,
      );
    } else {
      lines.push(
        `  ${e.target} ${String(e['from'])} -> ${String(e['to'])}: aborted, ${String(e['reason'])}`,
      );
    }
  }
  const ha = events.filter((e) => e.type === 'ha-restarted');
  if (ha.length > 0)
    lines.push(
      `HA restarts: ${ha.length} (${ha.map((e) => `${e.target} on ${String(e['host'])}`).join(', ')})`,
    );
  lines.push(`energy: ${last.cluster.energyKWh.toFixed(3)} kWh`);
  return lines;
}
