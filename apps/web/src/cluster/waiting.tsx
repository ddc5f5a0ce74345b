'use client';

import { type ReactNode, useMemo } from 'react';
import { useWaitingWords } from '../help/waiting';
import { useFeedView } from '../live/hooks';
import { StartCtx, useCluster, useStart } from './context';
import { useClusterConfig } from './use-config';

/** Whether the cluster is an exercise and whether it has started, for every panel of the page. */
export function StartProvider({
  paused,
  tick,
  children,
}: {
  paused: boolean | undefined;
  tick: number | undefined;
  children: ReactNode;
}) {
  const exercise = useClusterConfig()?.exercise !== undefined;
  const notStarted = paused === true && tick === 0;
  const value = useMemo(() => ({ exercise, notStarted }), [exercise, notStarted]);
  return <StartCtx.Provider value={value}>{children}</StartCtx.Provider>;
}

/**
 * What a panel says while it has no frame to show: the instructor has not started the exercise
 * yet, an operator has not resumed a cluster created paused, or the first frame is on its way.
 * Null once a frame has arrived. In the reader's language (help.json `waiting`).
 */
export function useWaitingText(): string | null {
  const { feed } = useCluster();
  const hasFrame = useFeedView(feed, (v) => v.frame !== null, false);
  const { exercise, notStarted } = useStart();
  const words = useWaitingWords();
  if (hasFrame) return null;
  if (notStarted) return exercise ? words.instructor : words.paused;
  return words.firstFrame;
}
