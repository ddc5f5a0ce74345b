'use client';

import type { ClusterConfig } from '@overcommit/contracts';
import { useEffect, useState } from 'react';
import { clusterConfig } from '../api';
import { useCluster } from './context';

const cache = new Map<string, Promise<ClusterConfig | null>>();

/**
 * The cluster's configuration (`GET /api/clusters/:id`): read once per cluster and tab, however many
 * panels ask (the alarm rules' thresholds, whether it is an exercise, its briefing). What commands
 * change in it (hyper-threading, the policy) the host page reads fresh; this is for what a cluster
 * keeps for life. Null until it arrives (or if it cannot be read: the panels do without).
 */
export function useClusterConfig(): ClusterConfig | null {
  const { apiUrl, clusterId, token } = useCluster();
  const key = `${apiUrl}|${clusterId}|${token ?? ''}`;
  const [config, setConfig] = useState<{ key: string; value: ClusterConfig | null } | null>(null);
  useEffect(() => {
    let live = true;
    let pending = cache.get(key);
    if (!pending) {
      pending = clusterConfig(apiUrl, clusterId, token).then((r) => {
        if (!r.ok) cache.delete(key);
        return r.ok ? r.value : null;
      });
      cache.set(key, pending);
    }
    void pending.then((value) => {
      if (live) setConfig({ key, value });
    });
    return () => {
      live = false;
    };
  }, [key, apiUrl, clusterId, token]);
  return config?.key === key ? config.value : null;
}
