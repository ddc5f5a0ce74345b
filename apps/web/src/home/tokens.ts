// Operator links this browser holds: a cluster created here, or opened with its operator link.
// Kept in localStorage, so the home page can offer "delete" only where this browser may.

const KEY = 'overcommit:operator-tokens';
const MAX = 200;

type Stored = Record<string, { token: string; at: number }>;

function read(): Stored {
  try {
    const parsed = JSON.parse(window.localStorage.getItem(KEY) ?? '{}') as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Stored) : {};
  } catch {
    return {};
  }
}

function write(stored: Stored): void {
  try {
    // The newest MAX only: a browser used for a year of exercises keeps a bounded list.
    const kept = Object.entries(stored)
      .sort((a, b) => b[1].at - a[1].at)
      .slice(0, MAX);
    window.localStorage.setItem(KEY, JSON.stringify(Object.fromEntries(kept)));
  } catch {
    // Storage full or disabled: the list just offers no delete.
  }
  window.dispatchEvent(new Event(CHANGED));
}

const CHANGED = 'overcommit:operator-tokens';

/** Calls `listener` when the links this browser holds change (in this tab or another). */
export function onOperatorTokens(listener: () => void): () => void {
  const onStorage = (e: StorageEvent) => {
    if (e.key === KEY) listener();
  };
  window.addEventListener(CHANGED, listener);
  window.addEventListener('storage', onStorage);
  return () => {
    window.removeEventListener(CHANGED, listener);
    window.removeEventListener('storage', onStorage);
  };
}

export function rememberOperatorToken(clusterId: string, token: string): void {
  const stored = read();
  if (stored[clusterId]?.token === token) return;
  write({ ...stored, [clusterId]: { token, at: Date.now() } });
}

export function forgetOperatorToken(clusterId: string): void {
  const stored = read();
  delete stored[clusterId];
  write(stored);
}

/** The operator token this browser holds for each cluster. */
export function operatorTokens(): ReadonlyMap<string, string> {
  return new Map(Object.entries(read()).map(([id, { token }]) => [id, token]));
}
