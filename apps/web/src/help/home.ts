// The home page's list words (kept out of components for translation).
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
