'use client';

import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import { flushSync } from 'react-dom';
import type { ClusterFeed, FeedView } from './feed';
import { acquireFeed, releaseFeed } from './registry';

/** The cluster's feed for this component's lifetime (shared with every other user of the same cluster). */
export function useClusterFeed(
  apiUrl: string,
  clusterId: string,
  token: string | undefined,
): ClusterFeed | null {
  const [feed, setFeed] = useState<ClusterFeed | null>(null);
  useEffect(() => {
    const acquired = acquireFeed(apiUrl, clusterId, token);
    setFeed(acquired);
    return () => releaseFeed(acquired);
  }, [apiUrl, clusterId, token]);
  return feed;
}

const EMPTY = () => () => undefined;

/** One slice of the feed's view: the component re-renders only when that slice changes. */
export function useFeedView<T>(
  feed: ClusterFeed | null,
  select: (view: FeedView) => T,
  fallback: T,
): T {
  // The feed calls listeners a few per animation frame (FrameSlicer); flushSync renders this one's
  // component inside that call, so the slicer's budget counts the rendering, not just the scheduling.
  const subscribe = useCallback(
    (onChange: () => void) => (feed ? feed.subscribe(() => flushSync(onChange)) : EMPTY()),
    [feed],
  );
  return useSyncExternalStore(
    subscribe,
    () => (feed ? select(feed.view) : fallback),
    () => fallback,
  );
}
