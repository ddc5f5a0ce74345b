import { useTranslations } from 'next-intl';

// The home page's list words: help.json's `home`, through useHomeText.
export const HOME_TEXT = {
  title: 'Clusters',
  filter: 'filter by name or id',
  sortBy: 'Sort clusters by',
  sort: {
    created: 'newest first',
    name: 'by name',
    tick: 'by tick',
    watchers: 'most watched',
    alarms: 'most alarms',
  },
  today: 'today',
  noMatch: (q: string) => `no cluster matches “${q}”`,
  delete: 'Delete…',
  deleteTitle: (name: string) => `Delete ${name}?`,
  deleteBody: (id: string, watchers: number) =>
    `Cluster ${id} stops and its history goes, for everyone${watchers > 0 ? ` (${watchers} watching now)` : ''}. This cannot be undone.`,
  deleteConfirm: 'Delete the cluster',
  cancel: 'Cancel',
  refused: 'refused',
  deleteHint:
    'Delete shows on the clusters this browser holds the operator link of (created here, or opened with it).',
} as const;

/**
 * HOME_TEXT in the reader's language (help.json `home`), the same shape. HOME_TEXT above stays, in
 * English, for callers not yet converted (home/clusters-list.tsx).
 */
export function useHomeText() {
  const t = useTranslations('help');
  return {
    title: t('home.title'),
    filter: t('home.filter'),
    sortBy: t('home.sortBy'),
    sort: {
      created: t('home.sort.created'),
      name: t('home.sort.name'),
      tick: t('home.sort.tick'),
      watchers: t('home.sort.watchers'),
      alarms: t('home.sort.alarms'),
    },
    today: t('home.today'),
    noMatch: (query: string) => t('home.noMatch', { query }),
    delete: t('home.delete'),
    deleteTitle: (name: string) => t('home.deleteTitle', { name }),
    deleteBody: (id: string, watchers: number) => t('home.deleteBody', { id, watchers }),
    deleteConfirm: t('home.deleteConfirm'),
    cancel: t('home.cancel'),
    refused: t('home.refused'),
    deleteHint: t('home.deleteHint'),
  } satisfies { [K in keyof typeof HOME_TEXT]: unknown };
}
