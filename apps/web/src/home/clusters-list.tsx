'use client';

import { Alert, Badge, Table } from '@mantine/core';
import Link from 'next/link';
import { listClusters } from '../api';
import { useApiUrl } from '../app-config';
import { usePolledApi } from '../ui/use-polling';
import { severityLabel, simTime } from '../ui/format';

const POLL_MS = 2000;

/** The public clusters, refreshed every two seconds. */
export function ClustersList() {
  const apiUrl = useApiUrl();
  const { value: clusters, error } = usePolledApi(() => listClusters(apiUrl), POLL_MS, apiUrl);
  return (
    <section className="panel" aria-labelledby="clusters-title" data-testid="clusters">
      <div className="panel-head">
        <h2 id="clusters-title">Clusters</h2>
      </div>
      {error ? (
        <Alert color="red" role="alert" title="Cannot list the clusters">
          {error}
          {clusters ? ' (showing the last list received)' : ''}
        </Alert>
      ) : null}
      {clusters === null ? (
        error ? null : (
          <div className="empty">loading…</div>
        )
      ) : clusters.length === 0 ? (
        <div className="empty">no public clusters yet: create one below</div>
      ) : (
        <Table.ScrollContainer minWidth={900}>
          <Table highlightOnHover verticalSpacing={6}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>name</Table.Th>
                <Table.Th className="num">tick</Table.Th>
                <Table.Th className="num">simulated time</Table.Th>
                <Table.Th className="num">speed</Table.Th>
                <Table.Th className="num">hosts up</Table.Th>
                <Table.Th className="num">VMs running</Table.Th>
                <Table.Th>alarms</Table.Th>
                <Table.Th className="num">watching</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {clusters.map((c) => (
                <Table.Tr key={c.id} data-testid={`cluster-${c.id}`}>
                  <Table.Td>
                    <Link href={`/clusters/${encodeURIComponent(c.id)}`}>{c.name}</Link>
                  </Table.Td>
                  <Table.Td className="num">{c.tick}</Table.Td>
                  <Table.Td className="num">{simTime(c.time)}</Table.Td>
                  <Table.Td className="num">
                    ×{c.speed} {c.paused ? <Badge color="gray">paused</Badge> : null}
                  </Table.Td>
                  <Table.Td className="num">
                    {c.hostsUp}/{c.hostsTotal}
                  </Table.Td>
                  <Table.Td className="num">{c.vmsRunning}</Table.Td>
                  <Table.Td>
                    <span style={{ color: severityLabel.critical.color }} aria-hidden="true">
                      {severityLabel.critical.icon}
                    </span>{' '}
                    {c.alarms.critical} critical{' '}
                    <span style={{ color: severityLabel.warning.color }} aria-hidden="true">
                      {severityLabel.warning.icon}
                    </span>{' '}
                    {c.alarms.warning} warning
                  </Table.Td>
                  <Table.Td className="num">{c.watchers}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </section>
  );
}
