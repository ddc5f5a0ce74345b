'use client';

import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { useCluster } from '../cluster/context';

/** On the cluster page, near the policy button: a sweep of this cluster as it stands. */
export function ClusterSweepLink() {
  const t = useTranslations('sweep');
  const { clusterId, token } = useCluster();
  const query = new URLSearchParams({ cluster: clusterId, ...(token ? { token } : {}) });
  return (
    <Link href={`/sweeps/new?${query.toString()}`} data-testid="sweep-link">
      {t('link.cluster')}
    </Link>
  );
}

/** In the home page's header: a new sweep. */
export function SweepsLink() {
  const t = useTranslations('sweep');
  return (
    <Link href="/sweeps/new" data-testid="sweeps-link">
      {t('link.home')}
    </Link>
  );
}
