'use client';

import { Button, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { type ReactNode, useEffect, useState } from 'react';
import { setDisplayName } from '../live/socket';

const KEY = 'overcommit:name';

/** Asks for the display name others see (once per browser), before joining anything. */
export function NameGate({ children }: { children: ReactNode }) {
  const t = useTranslations('home');
  const [name, setName] = useState<string | null>(null);
  const [draft, setDraft] = useState('');
  const [ready, setReady] = useState(false);
  useEffect(() => {
    const stored = window.localStorage.getItem(KEY);
    if (stored) {
      setDisplayName(stored);
      setName(stored);
    }
    setReady(true);
  }, []);
  if (!ready) return null;
  if (name) return <>{children}</>;
  const valid = draft.trim().length >= 1 && draft.trim().length <= 60;
  return (
    <Modal
      opened
      onClose={() => undefined}
      withCloseButton={false}
      title={t('nameGate.title')}
      centered
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!valid) return;
          const n = draft.trim();
          window.localStorage.setItem(KEY, n);
          setDisplayName(n);
          setName(n);
        }}
      >
        <Stack>
          <Text size="sm">{t('nameGate.why')}</Text>
          <TextInput
            label={t('nameGate.label')}
            value={draft}
            onChange={(e) => setDraft(e.currentTarget.value)}
            maxLength={60}
            data-autofocus
            required
          />
          <Button type="submit" disabled={!valid}>
            {t('nameGate.join')}
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}
