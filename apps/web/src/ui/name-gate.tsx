'use client';

import { Button, Modal, Stack, Text, TextInput } from '@mantine/core';
import { type ReactNode, useEffect, useState } from 'react';
import { setDisplayName } from '../live/socket';

const KEY = 'overcommit:name';

/** Asks for the display name others see (once per browser), before joining anything. */
export function NameGate({ children }: { children: ReactNode }) {
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
    <Modal opened onClose={() => undefined} withCloseButton={false} title="Who are you?" centered>
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
          <Text size="sm">Others watching this cluster see this name beside what you do.</Text>
          <TextInput
            label="Your display name"
            value={draft}
            onChange={(e) => setDraft(e.currentTarget.value)}
            maxLength={60}
            data-autofocus
            required
          />
          <Button type="submit" disabled={!valid}>
            Join
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}
