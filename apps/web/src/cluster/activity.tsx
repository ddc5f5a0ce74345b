'use client';

import { type EventType, eventTypes, type FrameEvent } from '@overcommit/contracts';
import { Badge, Group, SegmentedControl } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { memo, useMemo, useState } from 'react';
import { eventReason, useReasonText } from '../i18n/reasons';
import { useFeedView } from '../live/hooks';
import { palette, simTime } from '../ui/format';
import { useCluster } from './context';

const PEOPLE_TYPES = new Set(['command-accepted', 'command-refused', 'alarm-acked']);

type ClusterT = ReturnType<typeof useTranslations<'cluster'>>;

/** Event types the feed words itself: the engine's own (commands and alarms are worded apart). */
const WORDED_APART = [
  'command-accepted',
  'command-refused',
  'alarm-fired',
  'alarm-acked',
  'alarm-resolved',
] as const;
type KnownEvent = Exclude<EventType, (typeof WORDED_APART)[number]>;
const KNOWN_EVENTS: readonly string[] = eventTypes.filter(
  (type) => !(WORDED_APART as readonly string[]).includes(type),
);
const isKnown = (type: string): type is KnownEvent => KNOWN_EVENTS.includes(type);

const CRITICAL_EVENTS = new Set(['host-failed', 'ha-failed', 'vm-refused', 'migration-aborted']);

/**
 * An event in the reader's words. The engine's reasons (and a command's refusal reason) are said
 * from their codes (reasons.json); a reason without a known code is the engine's English text.
 */
function describe(
  e: FrameEvent,
  t: ClusterT,
  reasonText: ReturnType<typeof useReasonText>,
): { icon: string; color: string; text: string } {
  const what =
    typeof e['command'] === 'string'
      ? e['command']
      : typeof e['do'] === 'string'
        ? e['do']
        : t('activity.command');
  const reason = e.reason === undefined ? '' : reasonText(eventReason(e));
  switch (e.type) {
    case 'command-accepted':
      return {
        icon: '✔',
        color: palette.ok,
        text: t('activity.accepted', { what, target: e.target }),
      };
    case 'command-refused':
      return {
        icon: '✖',
        color: palette.critical,
        text: t('activity.refused', { what, target: e.target, reason }),
      };
    case 'alarm-fired':
      return {
        icon: '▲',
        color: palette.warning,
        text: reason
          ? t('activity.alarmFiredWhy', { target: e.target, reason })
          : t('activity.alarmFired', { target: e.target }),
      };
    case 'alarm-acked':
      return {
        icon: '✔',
        color: palette.info,
        text: reason
          ? t('activity.alarmAckedWhy', { target: e.target, reason })
          : t('activity.alarmAcked', { target: e.target }),
      };
    case 'alarm-resolved':
      return {
        icon: '○',
        color: palette.ok,
        text: t('activity.alarmResolved', { target: e.target }),
      };
    default: {
      const kind = isKnown(e.type)
        ? t(`activity.events.${e.type}`)
        : String(e.type).replace(/-/g, ' ');
      return {
        icon: CRITICAL_EVENTS.has(e.type) ? '✖' : '•',
        color: CRITICAL_EVENTS.has(e.type) ? palette.critical : palette.neutral,
        text: reason
          ? t('activity.eventWhy', { kind, target: e.target, reason })
          : t('activity.event', { kind, target: e.target }),
      };
    }
  }
}

/** One line of the feed; lines keep their event object, so each is drawn once. */
const ActivityLine = memo(function ActivityLine({ event }: { event: FrameEvent }) {
  const t = useTranslations('cluster');
  const reasonText = useReasonText();
  const d = describe(event, t, reasonText);
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
  const t = useTranslations('cluster');
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
          { value: 'all', label: t('activity.all') },
          { value: 'people', label: t('activity.people') },
        ]}
        aria-label={t('activity.show')}
      />
    ),
    [filter, t],
  );
  return (
    <section className="panel" aria-labelledby="activity-title" data-testid="activity">
      <div className="panel-head">
        <h2 id="activity-title">{t('activity.title')}</h2>
        {picker}
      </div>
      {shown.length === 0 ? (
        <div className="empty">{t('activity.empty')}</div>
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
  const t = useTranslations('cluster');
  return (
    <section className="panel" aria-labelledby="presence-title" data-testid="presence">
      <div className="panel-head">
        <h2 id="presence-title">{t('presence.title', { count: presence?.total ?? 0 })}</h2>
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
              {w.role === 'operator'
                ? t('presence.operator', { name: w.name })
                : t('presence.viewer', { name: w.name })}
            </Badge>
          ))}
          {presence.total > presence.watchers.length ? (
            <span className="dim">
              {t('presence.more', { count: presence.total - presence.watchers.length })}
            </span>
          ) : null}
        </Group>
      )}
    </section>
  );
});
