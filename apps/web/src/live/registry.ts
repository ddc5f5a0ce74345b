import { ClusterFeed } from './feed';
import { getDisplayName, sharedSocket } from './socket';

interface Entry {
  feed: ClusterFeed;
  users: number;
  release: ReturnType<typeof setTimeout> | undefined;
}

const feeds = new Map<string, Entry>();
/** A feed nobody uses is closed after this long, so a remount (Strict Mode, navigation back) reuses it. */
const RELEASE_AFTER_MS = 3000;

/** One feed (one join) per cluster and token in this tab, however many panels use it. */
export function acquireFeed(
  apiUrl: string,
  clusterId: string,
  token: string | undefined,
): ClusterFeed {
  const key = `${clusterId}|${token ?? ''}`;
  let entry = feeds.get(key);
  if (!entry) {
    entry = {
      feed: new ClusterFeed(clusterId, sharedSocket(apiUrl), token, getDisplayName),
      users: 0,
      release: undefined,
    };
    feeds.set(key, entry);
  }
  clearTimeout(entry.release);
  entry.users++;
  return entry.feed;
}

export function releaseFeed(feed: ClusterFeed): void {
  for (const [key, entry] of feeds) {
    if (entry.feed !== feed) continue;
    entry.users--;
    if (entry.users <= 0) {
      entry.release = setTimeout(() => {
        feeds.delete(key);
        entry.feed.close();
      }, RELEASE_AFTER_MS);
    }
  }
}
