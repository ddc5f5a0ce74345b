'use client';

import { joinError, useErrorText } from '../i18n/errors';
import { useTranslations } from 'next-intl';
import { Alert, Group } from '@mantine/core';
import { type ReactNode, useEffect, useMemo, useState } from 'react';
import type { ClusterSummary } from '@overcommit/contracts';
import { clusterSummary, history } from '../api';
import { useApiUrl } from '../app-config';
import { useClusterFeed, useFeedView } from '../live/hooks';
import type { ClusterFeed } from '../live/feed';
import { rememberOperatorToken } from '../home/tokens';
import { NameGate } from '../ui/name-gate';
import { usePolledApi } from '../ui/use-polling';
import { ActivityPanel, PresencePanel } from './activity';
import { AlarmsPanel } from './alarms';
import { ClusterCharts } from './charts';
import { ClusterProvider } from './context';
import { ExercisePanel } from './exercise-panel';
import { ForkButton, ForkPanel, useForkCompare, useOverlayLines } from './fork';
import { ClusterHeader } from './header';
import { HostGrid } from './host-grid';
import { HostActionsButton, PolicyButton } from './ops';
import { ClusterSweepLink } from '../sweep/sweep-link';
import { OpsProvider } from './ops-context';
import { VmTable } from './vm-table';
import { StartProvider } from './waiting';
import { WhoSuffers } from './who-suffers';

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

/** Recent history is read whole, this many ticks a request, for the activity's events. */
const RECENT_CHUNK = 120;
/** The activity looks back at most this far (ticks) for events... */
const RECENT_MAX = 600;
/** ...and stops once it has this many. */
const RECENT_EVENTS = 40;

/**
 * On joining: the recent ticks whole, newest first, until the activity has enough events (a reload
 * opens on what happened, not an empty feed; the alarms panel takes the alarms that resolved in
 * them), which the charts take too; then the rest of the last
 * hour for the charts, every Nth tick. Then the page goes on live.
 */
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
    const hour = Math.ceil(3600 / Math.max(0.001, latest.stepSeconds));
    const oldest = Math.max(1, latest.tick - hour);
    void (async () => {
      let to = latest.tick - 1;
      let events = 0;
      while (to >= oldest && latest.tick - to <= RECENT_MAX && events < RECENT_EVENTS) {
        const from = Math.max(oldest, to - RECENT_CHUNK + 1);
        const r = await history(apiUrl, clusterId, token, from, to, 1);
        if (!r.ok) return;
        feed.addHistory(r.value);
        events += feed.addActivity(r.value);
        feed.addResolvedAlarms(r.value);
        to = from - 1;
      }
      if (to < oldest) return;
      const every = Math.max(1, Math.ceil((to - oldest + 1) / HISTORY_POINTS));
      const r = await history(apiUrl, clusterId, token, oldest, to, every);
      if (r.ok) feed.addHistory(r.value);
    })();
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
  children: (feed: ClusterFeed, summary: ClusterSummary | null) => ReactNode;
}) {
  const apiUrl = useApiUrl();
  const feed = useClusterFeed(apiUrl, clusterId, token);
  const { summary, error } = useSummary(apiUrl, clusterId, token);
  useHistoryOnce(feed, apiUrl, clusterId, token);
  const ctx = useMemo(
    () => (feed ? { feed, clusterId, token, apiUrl } : null),
    [feed, clusterId, token, apiUrl],
  );
  const role = useFeedView(feed, (v) => v.role, null);
  useEffect(() => {
    if (role === 'operator' && token) rememberOperatorToken(clusterId, token);
  }, [role, token, clusterId]);
  const t = useTranslations('cluster');
  const errorText = useErrorText();
  const failedJoin = useFeedView(
    feed,
    (v) => (v.connection.state === 'failed' ? v.connection : null),
    null,
  );
  const failed = failedJoin ? errorText(joinError(failedJoin)) : null;
  if (!ctx) return <div className="empty page-loading">{t('page.connecting')}</div>;
  if (failed || (error && !summary))
    return (
      <main className="page">
        <Alert color="red" title={t('page.cannotOpen')} role="alert">
          {t.rich('page.cannotOpenBody', {
            error: failed ?? error ?? '',
            list: (chunks) => <a href="/">{chunks}</a>,
          })}
        </Alert>
      </main>
    );
  return (
    <ClusterProvider value={ctx}>
      <StartProvider paused={summary?.paused} tick={summary?.tick}>
        <OpsProvider>
          <ClusterHeader
            name={summary?.name ?? clusterId}
            visibility={summary?.visibility ?? ''}
            speed={summary?.speed ?? 1}
            paused={summary?.paused ?? false}
          />
          {children(ctx.feed, summary ?? null)}
        </OpsProvider>
      </StartProvider>
    </ClusterProvider>
  );
}

function Panels({ feed, summary }: { feed: ClusterFeed; summary: ClusterSummary | null }) {
  const compare = useForkCompare(summary);
  const overlay = useOverlayLines(compare?.overlay);
  return (
    <main className="page cluster-page">
      <ExercisePanel />
      {summary?.forkOf ? <ForkPanel summary={summary} compare={compare} /> : null}
      <Group gap="xs" className="ops-bar">
        <PolicyButton />
        <HostActionsButton />
        <ClusterSweepLink />
        <ForkButton />
      </Group>
      <div className="grid-2">
        <div className="stack">
          <HostGrid />
          <WhoSuffers />
        </div>
        <AlarmsPanel />
      </div>
      <div className="grid-2">
        <ClusterCharts feed={feed} overlay={overlay} />
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
        {(feed, summary) => <Panels feed={feed} summary={summary} />}
      </ClusterShell>
    </NameGate>
  );
}
