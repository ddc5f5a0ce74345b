'use client';

import { useEffect, useState, useSyncExternalStore } from 'react';
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
  return useSyncExternalStore(
    feed ? feed.subscribe : EMPTY,
    () => (feed ? select(feed.view) : fallback),
    () => fallback,
  );
}
