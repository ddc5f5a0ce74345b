'use client';

import { useEffect, useRef, useState } from 'react';
import type { ApiResult } from '../api';

/**
 * Calls `load` now and every `everyMs` while the component is mounted (and
 * again from scratch when `key` changes); gives the latest answer. An answer
 * that arrives after unmounting is dropped.
 */
export function usePolling<T>(load: () => Promise<T>, everyMs: number, key: string): T | undefined {
  const [value, setValue] = useState<T | undefined>(undefined);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let cancelled = false;
    setValue(undefined);
    const poll = async () => {
      const next = await loadRef.current();
      if (!cancelled) setValue(next);
    };
    void poll();
    const timer = setInterval(() => void poll(), everyMs);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [everyMs, key]);
  return value;
}

/**
 * An API answer, polled: the last good value is kept through a failed poll,
 * and the failure is given beside it.
 */
export function usePolledApi<T>(
  load: () => Promise<ApiResult<T>>,
  everyMs: number,
  key: string,
): { value: T | null; error: string | null } {
  const latest = usePolling(load, everyMs, key);
  const [lastGood, setLastGood] = useState<{ key: string; value: T } | null>(null);
  useEffect(() => {
    if (latest?.ok) setLastGood({ key, value: latest.value });
  }, [latest, key]);
  return {
    value: latest?.ok ? latest.value : lastGood?.key === key ? lastGood.value : null,
    error: latest && !latest.ok ? latest.error.message : null,
  };
}
