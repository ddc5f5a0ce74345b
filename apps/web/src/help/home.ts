import { useTranslations } from 'next-intl';

/** The home list's words in the reader's language (help.json `home`). */
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
  };
}
