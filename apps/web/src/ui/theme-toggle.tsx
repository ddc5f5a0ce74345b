'use client';

import { SegmentedControl, useMantineColorScheme } from '@mantine/core';

/** Light, dark, or the system's choice; remembered by Mantine in this browser. */
export function ThemeToggle() {
  const { colorScheme, setColorScheme } = useMantineColorScheme();
  return (
    <SegmentedControl
      size="xs"
      aria-label="Colour theme"
      value={colorScheme}
      onChange={(v) => setColorScheme(v)}
      data={[
        { value: 'light', label: '☀ light' },
        { value: 'dark', label: '☾ dark' },
        { value: 'auto', label: 'auto' },
      ]}
    />
  );
}
