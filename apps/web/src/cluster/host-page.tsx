'use client';

import { type CodedError, useErrorText } from '../i18n/errors';
import type { HostTopology } from '@overcommit/contracts';
import { Alert, Badge, Group, Text } from '@mantine/core';
import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { type ReactNode, useEffect, useMemo, useState } from 'react';
import { clusterConfig } from '../api';
import type { ClusterFeed } from '../live/feed';
import { useFeedView } from '../live/hooks';
import { vmsOn } from '../live/vms';
import { type JudgedMetric, levelIcon, levelOf } from '../help/thresholds';
import { mib, pct } from '../ui/format';
import { VM_CHIPS } from '../ui/vm-colors';
import { AlarmList } from './alarms';
import { NameGate } from '../ui/name-gate';
import { HostCharts } from './charts';
import { useCluster } from './context';
import { HostActions } from './ops';
import { ClusterShell } from './cluster-page';

type TopologyState =
  | { phase: 'loading' }
  | { phase: 'failed'; error: CodedError }
  | { phase: 'ready'; host: HostTopology | undefined };

/** The host's topology from the cluster's configuration, read once per page. */
function useTopology(host: string): TopologyState {
  const { apiUrl, clusterId, token } = useCluster();
  const [state, setState] = useState<TopologyState>({ phase: 'loading' });
  useEffect(() => {
    let cancelled = false;
    void clusterConfig(apiUrl, clusterId, token).then((r) => {
      if (cancelled) return;
      setState(
        r.ok
          ? { phase: 'ready', host: r.value.hosts.find((h) => h.name === host) }
          : { phase: 'failed', error: r.error },
      );
    });
    return () => {
      cancelled = true;
    };
  }, [apiUrl, clusterId, token, host]);
  return state;
}

/**
 * The host's sockets, NUMA nodes, cores and hyper-threads, with each running
 * VM's vCPUs drawn on the node that runs them and its memory on the node that
 * holds it. vCPUs float over their node's threads; they are drawn in order.
 */
function Topology({ host }: { host: string }) {
  const t = useTranslations('host');
  const { feed } = useCluster();
  const loaded = useTopology(host);
  const errorText = useErrorText();
  const frame = useFeedView(feed, (v) => v.frame, null);
  const vms = useFeedView(feed, (v) => v.vms, null);
  useEffect(() => {
    feed.watchVms(true);
    return () => feed.watchVms(false);
  }, [feed]);
  const h = frame?.hosts.find((x) => x.name === host);
  const here = useMemo(() => vmsOn(vms, host, true), [vms, host]);
  const colour = useMemo(
    () => new Map(here.map((v, i) => [v.name, VM_CHIPS[i % VM_CHIPS.length]!])),
    [here],
  );
  if (loaded.phase === 'failed')
    return (
      <Alert color="red" role="alert">
        {t('topology.cannotLoad', { error: errorText(loaded.error) })}
      </Alert>
    );
  if (loaded.phase === 'loading' || !frame)
    return <div className="empty">{t('topology.loading')}</div>;
  const topology = loaded.host;
  if (!topology || !h) return <Alert color="red">{t('topology.noHost', { host })}</Alert>;
  const nodes = Math.max(1, topology.numaNodes);
  const cores = topology.sockets * topology.coresPerSocket;
  const coresPerNode = Math.max(1, Math.floor(cores / nodes));
  const threads = h.hyperThreading ? topology.threadsPerCore : 1;
  return (
    <section className="panel" aria-labelledby="topology-title" data-testid="topology">
      <div className="panel-head">
        <h2 id="topology-title">
          {t('topology.title', {
            host,
            sockets: topology.sockets,
            cores: topology.coresPerSocket,
            threads: topology.threadsPerCore,
            logical: h.logicalCpus,
          })}
        </h2>
        <Group gap={6}>
          <Badge variant="outline">
            {t('topology.ht', { on: h.hyperThreading ? 'yes' : 'no' })}
          </Badge>
          {topology.virtualization ? (
            <Badge variant="outline">{topology.virtualization}</Badge>
          ) : null}
          {topology.hypervisor ? <Badge variant="outline">{topology.hypervisor}</Badge> : null}
          <Badge color={h.state === 'up' ? 'teal' : h.state === 'failed' ? 'red' : 'yellow'}>
            {t('topology.state', { state: h.state })}
          </Badge>
        </Group>
      </div>
      <div className="numa-row">
        {Array.from({ length: nodes }, (_, n) => {
          const node = h.numa[n];
          const socket = Math.min(topology.sockets - 1, Math.floor((n * topology.sockets) / nodes));
          const onNode = here.filter(
            (v) =>
              (v.numaNodes[0] ?? 0) === n || (v.numaNodes.length > 1 && v.numaNodes.includes(n)),
          );
          // vCPUs drawn in order onto the node's threads (round-robin past the last: overcommit).
          const slots: { vm: string; vcpu: number }[][] = Array.from(
            { length: coresPerNode * threads },
            () => [],
          );
          let k = 0;
          for (const v of onNode) {
            const share =
              v.numaNodes.length > 1 ? Math.ceil(v.vcpus / v.numaNodes.length) : v.vcpus;
            for (let c = 0; c < share; c++)
              slots[k++ % slots.length]!.push({ vm: v.name, vcpu: c });
          }
          return (
            <div key={n} className="numa-node" data-testid={`numa-${n}`}>
              <Text size="sm" fw={600}>
                {t('topology.node', { socket, node: n })}{' '}
                <span className="dim">
                  {node
                    ? t('topology.nodeFigures', {
                        used: mib(node.memUsedMiB),
                        total: mib(node.memTotalMiB),
                        cpu: pct(node.cpuUsagePct, 0),
                        remote: pct(node.remoteAccessPct, 0),
                      })
                    : ''}
                </span>
              </Text>
              <div className="cores">
                {Array.from({ length: coresPerNode }, (_, c) => (
                  <div
                    key={c}
                    className="core"
                    title={t('topology.core', { core: n * coresPerNode + c })}
                  >
                    <span className="core-label">
                      {t('topology.core', { core: n * coresPerNode + c })}
                    </span>
                    {Array.from({ length: threads }, (_, th) => {
                      const slot = slots[c * threads + th] ?? [];
                      return (
                        <div
                          key={th}
                          className="thread"
                          data-busy={slot.length > 0}
                          aria-label={t('topology.threadAria', {
                            core: n * coresPerNode + c,
                            thread: th,
                            vms: slot.map((s) => s.vm).join(', ') || t('topology.idle'),
                          })}
                        >
                          {slot.slice(0, 3).map((s) => (
                            <span
                              key={`${s.vm}-${s.vcpu}`}
                              className="vcpu"
                              style={colour.get(s.vm)}
                              title={`${s.vm} vCPU ${s.vcpu}`}
                            >
                              {s.vm}
                            </span>
                          ))}
                          {slot.length > 3 ? (
                            <span className="dim"> +{slot.length - 3}</span>
                          ) : null}
                        </div>
                      );
                    })}
                  </div>
                ))}
              </div>
              <div className="node-mem">
                {t('topology.memory')}{' '}
                {onNode.length === 0 ? (
                  <span className="dim">{t('topology.noMemory')}</span>
                ) : (
                  onNode.map((v) => (
                    <span
                      key={v.name}
                      className="mem-chip"
                      style={{ borderColor: colour.get(v.name)?.background }}
                    >
                      {v.name} {mib(v.memConfiguredMiB / Math.max(1, v.numaNodes.length))}
                      {v.numaLocalPct < 99.5 ? (
                        <span className="dim">
                          {t('topology.local', { pct: pct(v.numaLocalPct, 0) })}
                        </span>
                      ) : null}
                    </span>
                  ))
                )}
              </div>
            </div>
          );
        })}
      </div>
      <p className="legend">
        {vms === null ? t('topology.loadingVms') : t('topology.running', { count: here.length })}
        {t('topology.legend')}
      </p>
    </section>
  );
}

/** A figure judged against the threshold table: its level's tint and icon when not fine. */
function Judged({
  metric,
  value,
  running,
  children,
}: {
  metric: JudgedMetric;
  value: number;
  running: boolean;
  children: ReactNode;
}) {
  const level = running ? levelOf(metric, value) : 'ok';
  return (
    <span className="chip num" data-level={level}>
      {level !== 'ok' ? <span aria-hidden="true">{levelIcon[level]} </span> : null}
      {children}
    </span>
  );
}

function HostVms({ host }: { host: string }) {
  const t = useTranslations('host');
  const { feed } = useCluster();
  const vms = useFeedView(feed, (v) => v.vms, null);
  const here = useMemo(() => vmsOn(vms, host), [vms, host]);
  return (
    <section className="panel" aria-labelledby="host-vms-title">
      <div className="panel-head">
        <h2 id="host-vms-title">{t('vms.title', { host })}</h2>
      </div>
      {vms === null ? (
        <div className="empty">{t('vms.loading')}</div>
      ) : here.length === 0 ? (
        <div className="empty">{t('vms.none')}</div>
      ) : (
        <ul className="plain-list">
          {here.map((v) => (
            <li key={v.name} data-testid={`host-vm-${v.name}`}>
              <strong>{v.name}</strong> {t('vms.vcpus', { count: v.vcpus })} ·{' '}
              {t('vms.cpu', { pct: pct(v.cpuUsagePct) })} ·{' '}
              <Judged metric="ready" value={v.cpuReadyPct} running={v.state === 'running'}>
                {t('vms.ready', { pct: pct(v.cpuReadyPct) })}
              </Judged>{' '}
              · {t('vms.active', { size: mib(v.memActiveMiB) })} ·{' '}
              <Judged
                metric="memMissing"
                value={v.memMissingPct ?? 0}
                running={v.state === 'running'}
              >
                {t('vms.wsMissing', { pct: pct(v.memMissingPct ?? 0) })}
              </Judged>{' '}
              ·{' '}
              <Judged metric="numaLocal" value={v.numaLocalPct} running={v.state === 'running'}>
                {t('vms.numaLocal', { pct: pct(v.numaLocalPct, 0) })}
              </Judged>{' '}
              ·{' '}
              <Judged metric="performance" value={v.performancePct} running={v.state === 'running'}>
                {t('vms.perf', { pct: pct(v.performancePct, 0) })}
              </Judged>
              {v.migration
                ? t('vms.migrating', {
                    pct: v.migration.progressPct.toFixed(0),
                    to: v.migration.to,
                  })
                : ''}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The host's alarms and those of its VMs, each explained as in the alarms panel, with units. */
function HostAlarms({ host }: { host: string }) {
  const t = useTranslations('host');
  const { feed } = useCluster();
  const frame = useFeedView(feed, (v) => v.frame, null);
  const vms = useFeedView(feed, (v) => v.vms, null);
  const alarms = useMemo(() => {
    const here = new Set(vmsOn(vms, host).map((v) => v.name));
    return (frame?.alarms ?? []).filter(
      (a) => a.state !== 'resolved' && (a.target === host || here.has(a.target)),
    );
  }, [frame, vms, host]);
  return (
    <section className="panel" aria-labelledby="host-alarms-title" data-testid="host-alarms">
      <div className="panel-head">
        <h2 id="host-alarms-title">
          {t('alarms.title', { host })} <span className="dim num">({alarms.length})</span>
        </h2>
      </div>
      {alarms.length === 0 ? (
        <div className="empty">
          <span aria-hidden="true">✔ </span>
          {t('alarms.none')}
        </div>
      ) : (
        <AlarmList alarms={alarms} />
      )}
    </section>
  );
}

function Panels({ feed, host }: { feed: ClusterFeed; host: string }) {
  const t = useTranslations('host');
  const { clusterId, token } = useCluster();
  const memTotalGiB = useFeedView(
    feed,
    (v) => {
      const h = v.frame?.hosts.find((x) => x.name === host);
      return h ? h.memTotalMiB / 1024 : null;
    },
    null,
  );
  const back = `/clusters/${encodeURIComponent(clusterId)}${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  return (
    <main className="page">
      <Group justify="space-between">
        <Link href={back}>{t('back')}</Link>
        <HostActions host={host} />
      </Group>
      <Topology host={host} />
      <div className="grid-2">
        <HostCharts feed={feed} host={host} memTotalGiB={memTotalGiB} />
        <div className="stack">
          <HostAlarms host={host} />
          <HostVms host={host} />
        </div>
      </div>
    </main>
  );
}

export function HostPage({
  clusterId,
  host,
  token,
}: {
  clusterId: string;
  host: string;
  token: string | undefined;
}) {
  return (
    <NameGate>
      <ClusterShell clusterId={clusterId} token={token}>
        {(feed) => <Panels feed={feed} host={host} />}
      </ClusterShell>
    </NameGate>
  );
}
