'use client';

import { useErrorText } from '../i18n/errors';
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
  const errorText = useErrorText();
  const [lastGood, setLastGood] = useState<{ key: string; value: T } | null>(null);
  useEffect(() => {
    if (latest?.ok) setLastGood({ key, value: latest.value });
  }, [latest, key]);
  return {
    value: latest?.ok ? latest.value : lastGood?.key === key ? lastGood.value : null,
    // In the reader's language when the error has a code (src/i18n/errors.ts).
    error: latest && !latest.ok ? errorText(latest.error) : null,
  };
}
