'use client';

import { SegmentedControl, useMantineColorScheme } from '@mantine/core';
import { useTranslations } from 'next-intl';

/** Light, dark, or the system's choice; remembered by Mantine in this browser. */
export function ThemeToggle() {
  const t = useTranslations('common');
  const { colorScheme, setColorScheme } = useMantineColorScheme();
  return (
    <SegmentedControl
      size="xs"
      aria-label={t('theme.label')}
      value={colorScheme}
      onChange={(v) => setColorScheme(v)}
      data={[
        { value: 'light', label: `☀ ${t('theme.light')}` },
        { value: 'dark', label: `☾ ${t('theme.dark')}` },
        { value: 'auto', label: t('theme.auto') },
      ]}
    />
  );
}
