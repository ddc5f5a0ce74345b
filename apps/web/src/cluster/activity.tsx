'use client';

import type { FrameEvent } from '@overcommit/contracts';
import { Badge, Group, SegmentedControl } from '@mantine/core';
import { memo, useMemo, useState } from 'react';
import { useFeedView } from '../live/hooks';
import { palette, simTime } from '../ui/format';
import { useCluster } from './context';

const PEOPLE_TYPES = new Set(['command-accepted', 'command-refused', 'alarm-acked']);

function describe(e: FrameEvent): { icon: string; color: string; text: string } {
  const what =
    typeof e['command'] === 'string'
      ? e['command']
      : typeof e['do'] === 'string'
        ? e['do']
        : undefined;
  switch (e.type) {
    case 'command-accepted':
      return { icon: '✔', color: palette.ok, text: `${what ?? 'command'} ${e.target} accepted` };
    case 'command-refused':
      return {
        icon: '✖',
        color: palette.critical,
        text: `${what ?? 'command'} ${e.target} refused: ${e.reason ?? ''}`,
      };
    case 'alarm-fired':
      return {
        icon: '▲',
        color: palette.warning,
        text: `alarm fired on ${e.target}${e.reason ? `: ${e.reason}` : ''}`,
      };
    case 'alarm-acked':
      return {
        icon: '✔',
        color: palette.info,
        text: `acknowledged alarm on ${e.target}${e.reason ? `: ${e.reason}` : ''}`,
      };
    case 'alarm-resolved':
      return { icon: '○', color: palette.ok, text: `alarm resolved on ${e.target}` };
    case 'host-failed':
    case 'ha-failed':
    case 'vm-refused':
    case 'migration-aborted':
      return {
        icon: '✖',
        color: palette.critical,
        text: `${e.type.replace(/-/g, ' ')}: ${e.target}${e.reason ? ` (${e.reason})` : ''}`,
      };
    default:
      return {
        icon: '•',
        color: palette.neutral,
        text: `${e.type.replace(/-/g, ' ')}: ${e.target}${e.reason ? ` (${e.reason})` : ''}`,
      };
  }
}

/** One line of the feed; lines keep their event object, so each is drawn once. */
const ActivityLine = memo(function ActivityLine({ event }: { event: FrameEvent }) {
  const d = describe(event);
  return (
    <li data-type={event.type}>
      <span className="num dim">{simTime(event.time)}</span>{' '}
      <span aria-hidden="true" style={{ color: d.color }}>
        {d.icon}
      </span>{' '}
      <strong>{event.by}</strong> {d.text}
    </li>
  );
});

/** Who did what (accepted, or refused with the reason), and what the cluster did, newest first. */
export const ActivityPanel = memo(function ActivityPanel() {
  const { feed } = useCluster();
  const activity = useFeedView(feed, (v) => v.activity, []);
  const [filter, setFilter] = useState<'people' | 'all'>('all');
  const shown = useMemo(
    () =>
      (filter === 'all' ? activity : activity.filter((a) => PEOPLE_TYPES.has(a.event.type))).slice(
        0,
        120,
      ),
    [activity, filter],
  );
  // The picker re-renders when the choice changes, not with every frame's events.
  const picker = useMemo(
    () => (
      <SegmentedControl
        size="xs"
        value={filter}
        onChange={(v) => setFilter(v)}
        data={[
          { value: 'all', label: 'all' },
          { value: 'people', label: 'people' },
        ]}
        aria-label="Show"
      />
    ),
    [filter],
  );
  return (
    <section className="panel" aria-labelledby="activity-title" data-testid="activity">
      <div className="panel-head">
        <h2 id="activity-title">Activity</h2>
        {picker}
      </div>
      {shown.length === 0 ? (
        <div className="empty">nothing yet: commands and cluster events appear here</div>
      ) : (
        <ol className="activity-list">
          {shown.map((item) => (
            <ActivityLine key={item.key} event={item.event} />
          ))}
        </ol>
      )}
    </section>
  );
});

/** Who is watching, with their role. */
export const PresencePanel = memo(function PresencePanel() {
  const { feed } = useCluster();
  const presence = useFeedView(feed, (v) => v.presence, null);
  return (
    <section className="panel" aria-labelledby="presence-title" data-testid="presence">
      <div className="panel-head">
        <h2 id="presence-title">Watching ({presence?.total ?? 0})</h2>
      </div>
      {!presence ? (
        <div className="empty">…</div>
      ) : (
        <Group gap={6}>
          {presence.watchers.map((w, i) => (
            <Badge
              key={`${w.name}-${w.since}-${i}`}
              variant={w.role === 'operator' ? 'filled' : 'outline'}
              size="md"
              tt="none"
            >
              {w.name} ({w.role === 'operator' ? 'op' : 'view'})
            </Badge>
          ))}
          {presence.total > presence.watchers.length ? (
            <span className="dim">and {presence.total - presence.watchers.length} more</span>
          ) : null}
        </Group>
      )}
    </section>
  );
});
