'use client';

import { useErrorText } from '../i18n/errors';
import { useReasonText } from '../i18n/reasons';
import {
  type ClusterCommandRequest,
  type CommandOutcome,
  isRefusalCode,
} from '@overcommit/contracts';
import { Button, type ButtonProps, Tooltip } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { createContext, type ReactNode, useCallback, useContext, useRef, useState } from 'react';
import type { ClusterFeed } from '../live/feed';
import { useFeedView } from '../live/hooks';

export interface ClusterCtx {
  feed: ClusterFeed;
  clusterId: string;
  token: string | undefined;
  apiUrl: string;
}

const Ctx = createContext<ClusterCtx | null>(null);

export function ClusterProvider({ value, children }: { value: ClusterCtx; children: ReactNode }) {
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useCluster(): ClusterCtx {
  const ctx = useContext(Ctx);
  if (!ctx) throw new Error('useCluster outside ClusterProvider');
  return ctx;
}

export interface StartState {
  /** The cluster is an exercise's team cluster: the instructor controls its time. */
  exercise: boolean;
  /** Created paused and never ticked: an exercise before its start. */
  notStarted: boolean;
}

/** Whether the cluster is an exercise and whether it has started (StartProvider, waiting.tsx). */
export const StartCtx = createContext<StartState>({ exercise: false, notStarted: false });

export function useStart(): StartState {
  return useContext(StartCtx);
}

/**
 * Whether this tab may act on the cluster, and why not. `hidden`: a viewer of an exercise's cluster
 * (the instructor watching a team) cannot act there at all, so its controls are not shown.
 */
export function useCanAct(): { canAct: boolean; reason: string | undefined; hidden: boolean } {
  const { feed } = useCluster();
  const role = useFeedView(feed, (v) => v.role, null);
  const state = useFeedView(feed, (v) => v.connection.state, 'connecting');
  const { exercise } = useStart();
  const t = useTranslations('cluster');
  if (role !== 'operator')
    return {
      canAct: false,
      reason: role === null ? t('act.joining') : t('act.viewer'),
      hidden: exercise && role === 'viewer',
    };
  if (state === 'reconnecting' || state === 'connecting')
    return {
      canAct: false,
      reason: t('act.disconnected'),
      hidden: false,
    };
  return { canAct: true, reason: undefined, hidden: false };
}

export type CommandState =
  | { phase: 'idle' }
  | { phase: 'sending' }
  | { phase: 'queued'; id: string }
  | { phase: 'done'; outcome: CommandOutcome };

/**
 * Sends a command and follows it to its outcome, so the result (with a
 * refusal's reason in full) shows where the person acted.
 */
export function useCommand(): {
  state: CommandState;
  run: (request: ClusterCommandRequest) => Promise<CommandOutcome>;
  reset: () => void;
} {
  const { feed } = useCluster();
  const [state, setState] = useState<CommandState>({ phase: 'idle' });
  const seq = useRef(0);
  const run = useCallback(
    async (request: ClusterCommandRequest) => {
      const mine = ++seq.current;
      setState({ phase: 'sending' });
      const { ack, outcome } = await feed.command(request);
      if (mine === seq.current && ack.status === 'queued')
        setState({ phase: 'queued', id: ack.id });
      const final = await outcome;
      if (mine === seq.current) setState({ phase: 'done', outcome: final });
      return final;
    },
    [feed],
  );
  const reset = useCallback(() => {
    seq.current++;
    setState({ phase: 'idle' });
  }, []);
  return { state, run, reset };
}

/** A command's result, in words, next to the control that sent it. */
export function CommandResult({ state }: { state: CommandState }) {
  const t = useTranslations('cluster');
  const errorText = useErrorText();
  const reasonText = useReasonText();
  if (state.phase === 'idle') return null;
  if (state.phase === 'sending') return <span className="cmd-result">{t('command.sending')}</span>;
  if (state.phase === 'queued') return <span className="cmd-result">{t('command.queued')}</span>;
  const { outcome } = state;
  return outcome.status === 'refused' ? (
    <span className="cmd-result" data-tone="crit" role="alert">
      <span aria-hidden="true">✖ </span>
      {/* The server's own refusals carry an error code (rate-limited, viewer...); the engine's, a
          refusal code (or, from an older engine, only a reason). */}
      {outcome.code && !isRefusalCode(outcome.code)
        ? errorText({ message: outcome.reason ?? '', code: outcome.code, params: outcome.params })
        : t('command.refused', {
            reason: reasonText({
              text: outcome.reason ?? '',
              code: outcome.code,
              params: outcome.params,
              causes: outcome.causes,
            }),
          })}
    </span>
  ) : (
    <span className="cmd-result" data-tone="ok" role="status">
      <span aria-hidden="true">✔ </span>
      {outcome.tick !== undefined
        ? t('command.doneAt', { status: outcome.status, tick: String(outcome.tick) })
        : t('command.done', { status: outcome.status })}
    </span>
  );
}

/** A button operators can use; for a viewer it is disabled, with the reason on hover and focus. */
export function ActButton({
  children,
  onClick,
  ...props
}: ButtonProps & { onClick?: () => void; children: ReactNode; 'aria-label'?: string }) {
  const { canAct, reason, hidden } = useCanAct();
  if (hidden) return null;
  const button = (
    <Button
      {...props}
      disabled={!canAct || props.disabled}
      onClick={onClick}
      data-disabled-reason={reason}
    >
      {children}
    </Button>
  );
  return canAct ? button : <WhyDisabled reason={reason}>{button}</WhyDisabled>;
}

/** A disabled control with the reason on hover, focus and touch (a disabled button gets no events itself). */
export function WhyDisabled({
  reason,
  children,
}: {
  reason: string | undefined;
  children: ReactNode;
}) {
  return (
    <Tooltip
      label={reason}
      multiline
      w={280}
      withArrow
      events={{ hover: true, focus: true, touch: true }}
    >
      <span tabIndex={0} className="disabled-wrap">
        {children}
      </span>
    </Tooltip>
  );
}
