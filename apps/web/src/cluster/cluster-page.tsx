'use client';

import { Alert, Group } from '@mantine/core';
import { type ReactNode, useEffect, useMemo, useState } from 'react';
import { clusterSummary, history } from '../api';
import { useApiUrl } from '../app-config';
import { useClusterFeed, useFeedView } from '../live/hooks';
import type { ClusterFeed } from '../live/feed';
import { NameGate } from '../ui/name-gate';
import { usePolledApi } from '../ui/use-polling';
import { ActivityPanel, PresencePanel } from './activity';
import { AlarmsPanel } from './alarms';
import { ClusterCharts } from './charts';
import { ClusterProvider } from './context';
import { ExercisePanel } from './exercise-panel';
import { ClusterHeader } from './header';
import { HostGrid } from './host-grid';
import { HostActionsButton, PolicyButton } from './ops';
import { VmTable } from './vm-table';

const SUMMARY_POLL_MS = 2000;
const HISTORY_POINTS = 600;

/** The cluster's figures that frames do not carry (name, speed, paused), kept fresh. */
export function useSummary(apiUrl: string, clusterId: string, token: string | undefined) {
  const { value: summary, error } = usePolledApi(
    () => clusterSummary(apiUrl, clusterId, token),
    SUMMARY_POLL_MS,
    `${apiUrl}|${clusterId}|${token ?? ''}`,
  );
  return { summary, error };
}

/** Charts open with the last hour from the history, then go on live. */
export function useHistoryOnce(
  feed: ClusterFeed | null,
  apiUrl: string,
  clusterId: string,
  token: string | undefined,
) {
  const hasFrame = useFeedView(feed, (v) => v.frame !== null, false);
  const [loaded, setLoaded] = useState(false);
  useEffect(() => {
    if (!feed || !hasFrame || loaded) return;
    setLoaded(true);
    const latest = feed.view.frame!;
    const ticks = Math.ceil(3600 / Math.max(0.001, latest.stepSeconds));
    const from = Math.max(1, latest.tick - ticks);
    const to = latest.tick - 1;
    if (to < from) return;
    const every = Math.max(1, Math.ceil((to - from + 1) / HISTORY_POINTS));
    void history(apiUrl, clusterId, token, from, to, every).then((r) => {
      if (r.ok) feed.addHistory(r.value);
    });
  }, [feed, hasFrame, loaded, apiUrl, clusterId, token]);
}

/**
 * What every page of one cluster shares: its feed (one join), its polled
 * figures, the history for the charts, the provider the panels read, the
 * header, and the one error for a link that opens nothing.
 */
export function ClusterShell({
  clusterId,
  token,
  children,
}: {
  clusterId: string;
  token: string | undefined;
  children: (feed: ClusterFeed) => ReactNode;
}) {
  const apiUrl = useApiUrl();
  const feed = useClusterFeed(apiUrl, clusterId, token);
  const { summary, error } = useSummary(apiUrl, clusterId, token);
  useHistoryOnce(feed, apiUrl, clusterId, token);
  const ctx = useMemo(
    () => (feed ? { feed, clusterId, token, apiUrl } : null),
    [feed, clusterId, token, apiUrl],
  );
  const failed = useFeedView(
    feed,
    (v) => (v.connection.state === 'failed' ? v.connection.error : null),
    null,
  );
  if (!ctx) return <div className="empty page-loading">connecting…</div>;
  if (failed || (error && !summary))
    return (
      <main className="page">
        <Alert color="red" title="Cannot open this cluster" role="alert">
          {failed ?? error}. Check the link (a private cluster needs its viewer or operator link),
          or go back to <a href="/">the list of clusters</a>.
        </Alert>
      </main>
    );
  return (
    <ClusterProvider value={ctx}>
      <ClusterHeader
        name={summary?.name ?? clusterId}
        visibility={summary?.visibility ?? ''}
        speed={summary?.speed ?? 1}
        paused={summary?.paused ?? false}
      />
      {children(ctx.feed)}
    </ClusterProvider>
  );
}

function Panels({ feed }: { feed: ClusterFeed }) {
  return (
    <main className="page cluster-page">
      <ExercisePanel />
      <Group gap="xs" className="ops-bar">
        <PolicyButton />
        <HostActionsButton />
      </Group>
      <div className="grid-2">
        <HostGrid />
        <AlarmsPanel />
      </div>
      <div className="grid-2">
        <ClusterCharts feed={feed} />
        <div className="stack">
          <PresencePanel />
          <ActivityPanel />
        </div>
      </div>
      <VmTable />
    </main>
  );
}

export function ClusterPage({
  clusterId,
  token,
}: {
  clusterId: string;
  token: string | undefined;
}) {
  return (
    <NameGate>
      <ClusterShell clusterId={clusterId} token={token}>
        {(feed) => <Panels feed={feed} />}
      </ClusterShell>
    </NameGate>
  );
}
