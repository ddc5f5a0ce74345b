'use client';

import { joinError, useErrorText } from '../i18n/errors';
import { Badge, Group, Progress, Select, Tooltip } from '@mantine/core';
import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { memo, type ReactNode } from 'react';
import { useFeedView } from '../live/hooks';
import type { Connection } from '../live/feed';
import { palette, ratio, severityLabel, simTime, watts } from '../ui/format';
import { useWaitingWords } from '../help/waiting';
import { PageSettings } from '../ui/language-switch';
import { MetricHelp } from '../ui/metric-help';
import type { MetricId } from '../help/metrics';
import {
  ActButton,
  CommandResult,
  useCanAct,
  useCluster,
  useCommand,
  useStart,
  WhyDisabled,
} from './context';
import { useWaitingText } from './waiting';

const SPEEDS = ['0.5', '1', '2', '5', '10', '20', '50', '100'];

function ConnectionBadge({
  connection,
  waiting,
}: {
  connection: Connection;
  /** Connected, but the cluster has not started (no frame yet): not "live". */
  waiting: boolean;
}) {
  const { state } = connection;
  const t = useTranslations('cluster');
  const w = useWaitingWords();
  const errorText = useErrorText();
  const look: Record<Connection['state'], { icon: string; color: string; text: string }> = {
    connecting: { icon: '…', color: palette.neutral, text: t('connection.connecting') },
    live: waiting
      ? { icon: '○', color: palette.neutral, text: w.connectedWaiting }
      : { icon: '●', color: palette.ok, text: t('connection.live') },
    reconnecting: { icon: '↻', color: palette.warning, text: t('connection.reconnecting') },
    resumed: {
      icon: '✔',
      color: palette.info,
      text: connection.missing
        ? t('connection.resumedGap', {
            recovered: connection.recovered ?? 0,
            missing: connection.missing,
          })
        : t('connection.resumed', { recovered: connection.recovered ?? 0 }),
    },
    failed: {
      icon: '✖',
      color: palette.critical,
      text: connection.error ? errorText(joinError(connection)) : t('connection.failed'),
    },
  };
  const l = look[state];
  return (
    <span
      className="conn"
      data-testid="connection"
      data-state={state}
      role="status"
      aria-live="polite"
    >
      <span aria-hidden="true" style={{ color: l.color }}>
        {l.icon}
      </span>{' '}
      {l.text}
    </span>
  );
}

/** A ratio against its limit; redrawn only when the figures it shows change. */
const Gauge = memo(function Gauge({
  label,
  help,
  value,
  limit,
  testId,
}: {
  label: string;
  help: MetricId;
  value: number;
  limit: number;
  testId: string;
}) {
  const t = useTranslations('cluster');
  const share = limit > 0 ? (value / limit) * 100 : 0;
  const tone = share >= 100 ? palette.critical : share >= 90 ? palette.warning : palette.info;
  return (
    <div className="gauge" data-testid={testId}>
      <div className="fig-label">
        <MetricHelp id={help}>{label}</MetricHelp>
      </div>
      <div className="gauge-value num">
        {ratio(value)} <span className="dim">{t('header.ofLimit', { limit: ratio(limit) })}</span>
        {share >= 100 ? <span style={{ color: 'var(--crit)' }}> ▲ {t('header.over')}</span> : null}
      </div>
      <Progress
        value={Math.min(100, share)}
        color={tone}
        size="sm"
        aria-label={t('header.gaugeLabel', { label, value: ratio(value), limit: ratio(limit) })}
      />
    </div>
  );
});

/**
 * One figure of the header, plain markup (the header redraws every tick; a figure only when its
 * text changes).
 */
const Figure = memo(function Figure({
  label,
  children,
  testId,
}: {
  label: string;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <div>
      <div className="fig-label">{label}</div>
      <div className="fig-value num" data-testid={testId}>
        {children}
      </div>
    </div>
  );
});

const AlarmCounts = memo(function AlarmCounts({
  critical,
  warning,
}: {
  critical: number;
  warning: number;
}) {
  const t = useTranslations('cluster');
  return (
    <div data-testid="alarm-counts">
      <div className="fig-label">{t('header.activeAlarms')}</div>
      <div className="fig-value num">
        <span style={{ color: severityLabel.critical.color }} aria-hidden="true">
          {severityLabel.critical.icon}
        </span>{' '}
        {t('header.critical', { count: critical })}{' '}
        <span style={{ color: severityLabel.warning.color }} aria-hidden="true">
          {severityLabel.warning.icon}
        </span>{' '}
        {t('header.warning', { count: warning })}
      </div>
    </div>
  );
});

/** The cluster's name, how it is shared and this page's role: changes only when those do. */
const Title = memo(function Title({
  name,
  visibility,
  role,
}: {
  name: string;
  visibility: string;
  role: string | null;
}) {
  const t = useTranslations('cluster');
  const common = useTranslations('common');
  return (
    <Group gap="sm" wrap="wrap" className="title-group">
      <Link href="/" className="crumb">
        {common('appName')}
      </Link>
      <span aria-hidden="true">/</span>
      <h1 className="cluster-name">{name}</h1>
      <Badge variant="outline" size="sm">
        {visibility === 'public' || visibility === 'private'
          ? t(`header.visibility.${visibility}`)
          : visibility}
      </Badge>
      {role ? (
        <Badge variant="light" size="sm" data-testid="role">
          {role === 'operator' ? t('header.operator') : t('header.viewer')}
        </Badge>
      ) : null}
    </Group>
  );
});

const Theme = memo(PageSettings);
const Connected = memo(ConnectionBadge);

/** Pause, resume and speed: re-rendered when they change, not with every frame. */
const Controls = memo(function Controls({ paused, speed }: { paused: boolean; speed: number }) {
  const pause = useCommand();
  const setSpeed = useCommand();
  const { exercise } = useStart();
  const t = useTranslations('cluster');
  const w = useWaitingWords();
  // In an exercise nobody on a team's page controls time: the instructor does, for every team.
  if (exercise)
    return (
      <Tooltip label={w.instructorTimeWhy} multiline w={280} withArrow>
        <span className="dim instructor-time" tabIndex={0} data-testid="instructor-time">
          {w.instructorTime}
        </span>
      </Tooltip>
    );
  return (
    <Group gap="xs" wrap="wrap">
      <ActButton
        size="xs"
        variant="default"
        onClick={() => void pause.run({ do: paused ? 'resume' : 'pause' })}
        aria-label={paused ? t('header.resumeLabel') : t('header.pauseLabel')}
      >
        {paused ? `▶ ${t('header.resume')}` : `❚❚ ${t('header.pause')}`}
      </ActButton>
      <SpeedSelect
        speed={speed}
        onChange={(s) => void setSpeed.run({ do: 'set-speed', speed: s })}
      />
      <CommandResult
        state={
          pause.state.phase === 'done' && pause.state.outcome.status !== 'refused'
            ? { phase: 'idle' }
            : pause.state
        }
      />
      <CommandResult
        state={
          setSpeed.state.phase === 'done' && setSpeed.state.outcome.status !== 'refused'
            ? { phase: 'idle' }
            : setSpeed.state
        }
      />
    </Group>
  );
});

function SpeedSelect({ speed, onChange }: { speed: number; onChange: (s: number) => void }) {
  const { canAct, reason } = useCanAct();
  const t = useTranslations('cluster');
  const select = (
    <Select
      size="xs"
      w={90}
      aria-label={t('header.speed')}
      data={SPEEDS.map((s) => ({ value: s, label: `×${s}` }))}
      value={SPEEDS.includes(String(speed)) ? String(speed) : null}
      placeholder={`×${speed}`}
      onChange={(v) => v && onChange(Number(v))}
      disabled={!canAct}
      allowDeselect={false}
    />
  );
  return canAct ? select : <WhyDisabled reason={reason}>{select}</WhyDisabled>;
}

/** The cluster's name, time and speed, capacity against its limits, alarms, connection and controls. */
export const ClusterHeader = memo(function ClusterHeader({
  name,
  visibility,
  speed,
  paused,
}: {
  name: string;
  visibility: string;
  speed: number;
  paused: boolean;
}) {
  const { feed } = useCluster();
  const frame = useFeedView(feed, (v) => v.frame, null);
  const connection = useFeedView(feed, (v) => v.connection, { state: 'connecting' });
  const role = useFeedView(feed, (v) => v.role, null);
  const presence = useFeedView(feed, (v) => v.presence, null);
  const waiting = useWaitingText();
  const t = useTranslations('cluster');
  const c = frame?.cluster;
  return (
    <header className="cluster-header" data-testid="cluster-header" data-tick={frame?.tick ?? ''}>
      <Group justify="space-between" wrap="wrap" gap="sm" className="header-bar">
        <Title name={name} visibility={visibility} role={role} />
        <Group gap="md" wrap="wrap">
          <span className="num header-time" data-testid="sim-time" title={t('header.simTime')}>
            {t('header.time', { time: frame ? simTime(frame.time) : '–' })}{' '}
            <span className="dim">×{speed}</span>
            {paused && frame ? (
              <Badge ml={6} color="gray">
                {t('header.paused')}
              </Badge>
            ) : null}
          </span>
          <Controls paused={paused} speed={speed} />
          <Connected connection={connection} waiting={waiting !== null && frame === null} />
          <span className="watching" data-testid="watching">
            {t('header.watching', { count: presence?.total ?? 0 })}
          </span>
          <Link href="/glossary" className="crumb" data-testid="glossary-link">
            {t('header.glossary')}
          </Link>
          <Theme />
        </Group>
      </Group>
      <div className="header-figures">
        <Figure label={t('header.hostsUp')} testId="hosts-up">
          {c ? `${c.hostsUp}/${c.hostsTotal}` : '–'}
        </Figure>
        <Figure label={t('header.vmsRunning')} testId="vms-running">
          {c ? `${c.vmsRunning}/${c.vmsTotal}` : '–'}
        </Figure>
        {c ? (
          <>
            <Gauge
              label={t('header.vcpuRatio')}
              help="vcpuRatio"
              value={c.vcpuRatio}
              limit={c.cpuAllocationRatio}
              testId="vcpu-ratio"
            />
            <Gauge
              label={t('header.memOvercommit')}
              help="memOvercommit"
              value={c.memOvercommitRatio}
              limit={c.ramAllocationRatio}
              testId="mem-ratio"
            />
          </>
        ) : null}
        <Figure label={t('header.power')}>{c ? watts(c.powerWatts) : '–'}</Figure>
        <AlarmCounts critical={c?.alarms.critical ?? 0} warning={c?.alarms.warning ?? 0} />
      </div>
    </header>
  );
});
