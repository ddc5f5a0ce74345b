'use client';

import type { AlarmFrame, AlarmRuleId, EffectiveAlarmRule } from '@overcommit/contracts';
import {
  Button,
  Checkbox,
  Group,
  Modal,
  SegmentedControl,
  Stack,
  Textarea,
  TextInput,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { memo, type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { alarmWords, ruleThresholds, thresholdFigure } from '../help/alarm-state';
import { ALARM_HELP, alarmActionLabel, alarmHelpText } from '../help/alarms';
import { useFeedView } from '../live/hooks';
import { alarmFigure, alarmLabel, severityLabel, simTime } from '../ui/format';
import { ActButton, CommandResult, useCluster, useCommand } from './context';
import { useOps } from './ops-context';
import { useClusterConfig } from './use-config';
import { useWaitingText } from './waiting';

type Rules = Partial<Record<AlarmRuleId, EffectiveAlarmRule>> | undefined;

function SeverityTag({ severity }: { severity: AlarmFrame['severity'] }) {
  const s = severityLabel[severity];
  const t = useTranslations('help');
  return (
    <span className="sev" style={{ color: s.color, borderColor: s.color }}>
      <span aria-hidden="true">{s.icon}</span> {t(`severity.${severity}`)}
    </span>
  );
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2));

/** The one acknowledgement dialog of the panel: a note, the outcome, closed once accepted. */
function AckDialog({ alarm, onClose }: { alarm: AlarmFrame | null; onClose: () => void }) {
  const [note, setNote] = useState('');
  const ack = useCommand();
  const t = useTranslations('cluster');
  const { reset } = ack;
  useEffect(() => {
    setNote('');
    reset();
  }, [alarm?.id, reset]);
  return (
    <Modal
      opened={alarm !== null}
      onClose={onClose}
      title={alarm ? t('alarms.ackTitle', { rule: alarm.rule, target: alarm.target }) : ''}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!alarm) return;
          void ack.run({ do: 'ack-alarm', target: alarm.id, note }).then((o) => {
            if (o.status === 'accepted') onClose();
          });
        }}
      >
        <Stack gap="xs">
          <Textarea
            label={t('alarms.note')}
            value={note}
            onChange={(e) => setNote(e.currentTarget.value)}
            maxLength={500}
            autosize
            minRows={2}
            data-autofocus
          />
          <Button
            type="submit"
            size="xs"
            w="fit-content"
            loading={ack.state.phase === 'sending' || ack.state.phase === 'queued'}
          >
            {t('alarms.acknowledge')}
          </Button>
          <CommandResult state={ack.state} />
        </Stack>
      </form>
    </Modal>
  );
}

const sameAlarm = (a: AlarmFrame, b: AlarmFrame) =>
  a.id === b.id &&
  a.state === b.state &&
  a.severity === b.severity &&
  fmt(a.value) === fmt(b.value) &&
  a.threshold === b.threshold &&
  a.ackedBy === b.ackedBy &&
  a.ackNote === b.ackNote &&
  a.since === b.since;

/**
 * Who acknowledged the alarm, or the button to: redrawn when the acknowledgement changes, not with
 * the alarm's value every tick (the button is a few Mantine components, forty rows of them).
 */
const AckAction = memo(
  function AckAction({ alarm: a, onAck }: { alarm: AlarmFrame; onAck: (a: AlarmFrame) => void }) {
    const t = useTranslations('cluster');
    return a.state === 'acknowledged' ? (
      <span className="acked" data-testid="acked-by">
        <span aria-hidden="true">✔ </span>
        {t('alarms.ackedBy', {
          by: a.ackedBy ?? '',
          hasNote: a.ackNote ? 'yes' : 'no',
          note: a.ackNote ?? '',
        })}
      </span>
    ) : (
      <ActButton
        size="compact-xs"
        variant="light"
        onClick={() => onAck(a)}
        aria-label={t('alarms.ackTitle', { rule: a.rule, target: a.target })}
      >
        {t('alarms.acknowledgeOpen')}
      </ActButton>
    );
  },
  (prev, next) =>
    prev.onAck === next.onAck &&
    prev.alarm.id === next.alarm.id &&
    prev.alarm.state === next.alarm.state &&
    prev.alarm.ackedBy === next.alarm.ackedBy &&
    prev.alarm.ackNote === next.alarm.ackNote,
);

/** The host a VM runs on, from the streamed per-VM figures (null if unknown or not placed). */
function useVmHost(vm: string, enabled: boolean): string | null {
  const { feed } = useCluster();
  return useFeedView(
    feed,
    (v) => {
      if (!enabled || !v.vms) return null;
      const i = v.vms.column('name').indexOf(vm);
      return i < 0 ? null : (v.vms.column('host')[i] ?? null);
    },
    null,
  );
}

/** An alarm explained: its state machine in words, what it measures, why, what to do, and buttons. */
const AlarmExplanation = memo(function AlarmExplanation({
  alarm: a,
  rule,
}: {
  alarm: AlarmFrame;
  rule: EffectiveAlarmRule;
}) {
  const { clusterId, token } = useCluster();
  const ops = useOps();
  const t = useTranslations('help');
  const help = ALARM_HELP[a.rule];
  const text = alarmHelpText(a.rule, t);
  const onVm = help.actions.includes('migrate-vm') || help.actions.includes('vm-actions');
  const vmHost = useVmHost(a.target, onVm);
  const host = onVm ? vmHost : a.target;
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  const words = alarmWords(a, rule, t);
  return (
    <div className="alarm-explain" data-testid="alarm-explanation">
      <dl>
        <dt>{t('alarmHeadings.state')}</dt>
        <dd data-testid="alarm-state-words">
          {words.long.map((sentence) => (
            <span key={sentence}>{sentence} </span>
          ))}
        </dd>
        <dt>{t('alarmHeadings.measures')}</dt>
        <dd>{text.measures}</dd>
        <dt>{t('alarmHeadings.cause')}</dt>
        <dd>{text.cause}</dd>
        {text.image ? (
          <>
            <dt>{t('alarmHeadings.image')}</dt>
            <dd>{text.image}</dd>
          </>
        ) : null}
        <dt>{t('alarmHeadings.action')}</dt>
        <dd>{text.action}</dd>
      </dl>
      <Group gap="xs" className="alarm-actions">
        {help.actions.map((action) => {
          switch (action) {
            case 'migrate-vm':
              return (
                <ActButton
                  key={action}
                  size="compact-xs"
                  variant="light"
                  onClick={() => ops.openVmNamed(a.target, 'migrate')}
                >
                  {alarmActionLabel(action, a.target, t)}
                </ActButton>
              );
            case 'vm-actions':
              return (
                <ActButton
                  key={action}
                  size="compact-xs"
                  variant="light"
                  onClick={() => ops.openVmNamed(a.target, 'choose')}
                >
                  {alarmActionLabel(action, a.target, t)}
                </ActButton>
              );
            case 'migrate-off-host':
              return (
                <ActButton
                  key={action}
                  size="compact-xs"
                  variant="light"
                  onClick={() => ops.openVm({ kind: 'pick', host: a.target })}
                >
                  {alarmActionLabel(action, a.target, t)}
                </ActButton>
              );
            case 'open-policy':
              return (
                <ActButton key={action} size="compact-xs" variant="light" onClick={ops.openPolicy}>
                  {alarmActionLabel(action, a.target, t)}
                </ActButton>
              );
            case 'open-host':
              return host ? (
                <Button
                  key={action}
                  component={Link}
                  href={`/clusters/${encodeURIComponent(clusterId)}/hosts/${encodeURIComponent(host)}${query}`}
                  size="compact-xs"
                  variant="subtle"
                >
                  {alarmActionLabel(action, host, t)}
                </Button>
              ) : null;
          }
        })}
      </Group>
    </div>
  );
});

/** One alarm; redrawn only when what it shows changes (frames bring new objects every tick). */
const AlarmRow = memo(
  function AlarmRow({
    alarm: a,
    rule,
    open,
    onAck,
    onToggle,
  }: {
    alarm: AlarmFrame;
    rule: EffectiveAlarmRule;
    open: boolean;
    onAck: (a: AlarmFrame) => void;
    onToggle: (id: string) => void;
  }) {
    const t = useTranslations('cluster');
    const th = useTranslations('help');
    const words = alarmWords(a, rule, th);
    const label = alarmLabel(a.rule, th);
    const trigger = a.severity === 'critical' ? rule.critical : rule.warning;
    return (
      <li
        className="alarm"
        data-testid={`alarm-${a.id}`}
        data-severity={a.severity}
        data-state={a.state}
      >
        <div className="alarm-line">
          <SeverityTag severity={a.severity} />
          <span className="alarm-rule" title={label}>
            {a.rule}
          </span>
          <span className="alarm-target">{a.target}</span>
          <span className="num" data-testid="alarm-value">
            {alarmFigure(a.rule, a.value, th)}{' '}
            <span className="dim">
              (
              {t('alarms.trigger', {
                severity: a.severity,
                threshold: thresholdFigure(a.rule, trigger, th),
              })}
              )
            </span>
          </span>
        </div>
        <div className="alarm-line dim">
          <span data-testid="alarm-label">{label}</span>
          <AckAction alarm={a} onAck={onAck} />
        </div>
        <div className="alarm-line dim">
          <span data-testid="alarm-state">{words.short}</span>
          {/* Plain markup: forty rows redraw every tick, a Mantine button each would cost. */}
          <button
            type="button"
            className="why-button"
            onClick={() => onToggle(a.id)}
            aria-expanded={open}
            aria-label={
              open
                ? t('alarms.hideLabel', { rule: a.rule, target: a.target })
                : t('alarms.explainLabel', { rule: a.rule, target: a.target })
            }
          >
            {open ? `▾ ${t('alarms.less')}` : `▸ ${t('alarms.why')}`}
          </button>
        </div>
        {open ? <AlarmExplanation alarm={a} rule={rule} /> : null}
      </li>
    );
  },
  (prev, next) =>
    prev.onAck === next.onAck &&
    prev.onToggle === next.onToggle &&
    prev.open === next.open &&
    prev.rule === next.rule &&
    sameAlarm(prev.alarm, next.alarm),
);

/** The rules' thresholds in force on this cluster (built-in ones until the configuration arrives). */
function useRules(): Rules {
  return useClusterConfig()?.alarmRules;
}

const ruleCache = new WeakMap<object, Map<AlarmRuleId, EffectiveAlarmRule>>();
const builtIn = new Map<AlarmRuleId, EffectiveAlarmRule>();

/** One object per rule and rule set, so rows compare their rule by identity. */
function ruleOf(rules: Rules, id: AlarmRuleId): EffectiveAlarmRule {
  let map = rules ? ruleCache.get(rules) : builtIn;
  if (!map) ruleCache.set(rules!, (map = new Map<AlarmRuleId, EffectiveAlarmRule>()));
  let rule = map.get(id);
  if (!rule) map.set(id, (rule = ruleThresholds(id, rules)));
  return rule;
}

/**
 * A list of alarms with their explanations (one open at a time per row, on demand) and the one
 * acknowledgement dialog: the alarms panel and the host page both show alarms this way.
 */
export function AlarmList({
  alarms,
  className = 'alarm-list',
  more,
}: {
  alarms: readonly AlarmFrame[];
  className?: string;
  /** A last item (the panel's "show more"). */
  more?: ReactNode;
}) {
  const rules = useRules();
  const [acking, setAcking] = useState<AlarmFrame | null>(null);
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const onAck = useCallback((a: AlarmFrame) => setAcking(a), []);
  const onToggle = useCallback(
    (id: string) =>
      setOpen((s) => {
        const next = new Set(s);
        if (!next.delete(id)) next.add(id);
        return next;
      }),
    [],
  );
  // The dialog (a Mantine Modal, closed most of the time) re-renders when it opens or closes.
  const dialog = useMemo(
    () => <AckDialog alarm={acking} onClose={() => setAcking(null)} />,
    [acking],
  );
  return (
    <>
      <ul className={className}>
        {alarms.map((a) => (
          <AlarmRow
            key={a.id}
            alarm={a}
            rule={ruleOf(rules, a.rule)}
            open={open.has(a.id)}
            onAck={onAck}
            onToggle={onToggle}
          />
        ))}
        {more}
      </ul>
      {dialog}
    </>
  );
}

function beep(): void {
  try {
    const ctx = new AudioContext();
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = 880;
    gain.gain.value = 0.08;
    osc.connect(gain).connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.25);
    osc.onended = () => void ctx.close();
  } catch {
    // No audio in this browser: the toast is enough.
  }
}

const PAGE = 40;
const TOAST_EVERY_MS = 10_000;

/**
 * Active alarms (critical first), filterable, drawn a page at a time so a
 * cluster with a thousand alarms stays light; acknowledgement with a note;
 * resolved ones below; a toast when a critical one fires.
 */
export const AlarmsPanel = memo(function AlarmsPanel() {
  const { feed } = useCluster();
  const frame = useFeedView(feed, (v) => v.frame, null);
  const resolved = useFeedView(feed, (v) => v.resolvedAlarms, []);
  const waiting = useWaitingText();
  const t = useTranslations('cluster');
  const th = useTranslations('help');
  const [showResolved, setShowResolved] = useState(false);
  const [sound, setSound] = useState(false);
  const [severity, setSeverity] = useState<'all' | 'critical' | 'warning'>('all');
  const [query, setQuery] = useState('');
  const [limit, setLimit] = useState(PAGE);
  const seen = useRef<Set<string> | null>(null);
  const lastToastAt = useRef(0);
  const pendingToasts = useRef<AlarmFrame[]>([]);
  const toastTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const flushToasts = useCallback(() => {
    toastTimer.current = undefined;
    const batch = pendingToasts.current;
    pendingToasts.current = [];
    const first = batch[0];
    if (!first) return;
    lastToastAt.current = Date.now();
    notifications.show({
      color: 'red',
      title: `▲ ${
        batch.length === 1
          ? t('alarms.toastOne', { rule: first.rule })
          : t('alarms.toastMany', { count: batch.length })
      }`,
      message:
        batch.length === 1
          ? t('alarms.toastOneBody', {
              target: first.target,
              value: alarmFigure(first.rule, first.value, th),
              threshold: thresholdFigure(first.rule, first.threshold, th),
            })
          : t('alarms.toastManyBody', { rule: first.rule, target: first.target }),
      autoClose: 8000,
    });
    if (sound) beep();
  }, [sound, t, th]);
  useEffect(() => () => clearTimeout(toastTimer.current), []);
  const active = useMemo(
    () =>
      (frame?.alarms ?? [])
        .filter((a) => a.state === 'firing' || a.state === 'acknowledged')
        .sort((a, b) =>
          a.severity === b.severity ? a.since - b.since : a.severity === 'critical' ? -1 : 1,
        ),
    [frame],
  );
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return active.filter(
      (a) =>
        (severity === 'all' || a.severity === severity) &&
        (!q || a.rule.includes(q) || a.target.toLowerCase().includes(q)),
    );
  }, [active, severity, query]);
  useEffect(() => {
    if (!frame) return;
    const critical = active.filter((a) => a.severity === 'critical' && a.state === 'firing');
    const known = seen.current;
    // The alarms active now (any severity, acknowledged or not) are remembered, and only they: one
    // that drops to warning and comes back to critical keeps its id and is not toasted twice, one
    // that resolves and fires again comes with a new id, and the set stays as small as the list on
    // a page left open all day.
    seen.current = new Set(active.map((a) => a.id));
    // Alarms already firing when the page opened are in the list, not toasted.
    if (known === null) return;
    const fresh = critical.filter((a) => !known.has(a.id));
    if (fresh.length === 0) return;
    // At most one toast every 10 s: a storm of alarms makes one line, not a
    // stack of animated toasts every second; the panel has them all.
    pendingToasts.current.push(...fresh);
    const wait = lastToastAt.current + TOAST_EVERY_MS - Date.now();
    if (wait <= 0) flushToasts();
    else toastTimer.current ??= setTimeout(flushToasts, wait);
  }, [active, frame, flushToasts]);
  // The filters re-render only when they change, not with every frame's alarms.
  const filters = useMemo(
    () => (
      <Group gap="xs">
        <SegmentedControl
          size="xs"
          value={severity}
          onChange={(v) => setSeverity(v)}
          data={[
            { value: 'all', label: t('alarms.all') },
            { value: 'critical', label: `▲ ${th('levelWord.critical')}` },
            { value: 'warning', label: `◆ ${th('levelWord.warning')}` },
          ]}
          aria-label={t('alarms.severity')}
        />
        <TextInput
          size="xs"
          w={140}
          placeholder={t('alarms.filterPlaceholder')}
          value={query}
          onChange={(e) => setQuery(e.currentTarget.value)}
          aria-label={t('alarms.filter')}
        />
        <Checkbox
          size="xs"
          label={t('alarms.sound')}
          checked={sound}
          onChange={(e) => setSound(e.currentTarget.checked)}
        />
      </Group>
    ),
    [severity, query, sound, t, th],
  );
  return (
    <section className="panel" aria-labelledby="alarms-title" data-testid="alarms">
      <div className="panel-head">
        <h2 id="alarms-title">
          {t('alarms.title')} <span className="dim num">({active.length})</span>
        </h2>
        {filters}
      </div>
      {!frame ? (
        <div className="empty">{waiting ?? th('waiting.firstFrame')}</div>
      ) : active.length === 0 ? (
        <div className="empty" data-testid="no-alarms">
          <span aria-hidden="true">✔ </span>
          {t('alarms.none')}
        </div>
      ) : shown.length === 0 ? (
        <div className="empty">{t('alarms.noMatch')}</div>
      ) : (
        <AlarmList
          alarms={shown.slice(0, limit)}
          more={
            shown.length > limit ? (
              <li>
                <Button
                  variant="subtle"
                  size="compact-xs"
                  onClick={() => setLimit((l) => l + PAGE)}
                >
                  {t('alarms.showMore', {
                    count: Math.min(PAGE, shown.length - limit),
                    rest: shown.length - limit,
                  })}
                </Button>
              </li>
            ) : null
          }
        />
      )}
      <Button
        variant="subtle"
        size="compact-xs"
        onClick={() => setShowResolved((s) => !s)}
        aria-expanded={showResolved}
      >
        {showResolved ? '▾' : '▸'} {t('alarms.resolved', { count: resolved.length })}
      </Button>
      {showResolved ? (
        resolved.length === 0 ? (
          <div className="empty">{t('alarms.noneResolved')}</div>
        ) : (
          <ul className="alarm-list resolved">
            {resolved.slice(0, 100).map((a) => (
              <li key={`${a.id}-${a.resolvedAt ?? ''}`} className="alarm">
                <SeverityTag severity={a.severity} />{' '}
                <span className="alarm-rule" title={alarmLabel(a.rule, th)}>
                  {a.rule}
                </span>{' '}
                <span className="alarm-target">{a.target}</span>{' '}
                <span className="dim">
                  {t('alarms.during', {
                    from: simTime(a.since),
                    to: a.resolvedAt !== null ? simTime(a.resolvedAt) : '?',
                  })}
                  {' · '}
                  {a.ackedBy
                    ? t('alarms.ackedBy', {
                        by: a.ackedBy,
                        hasNote: a.ackNote ? 'yes' : 'no',
                        note: a.ackNote ?? '',
                      })
                    : t('alarms.notAcked')}
                </span>
              </li>
            ))}
          </ul>
        )
      ) : null}
    </section>
  );
});
