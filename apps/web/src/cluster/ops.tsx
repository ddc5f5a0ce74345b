'use client';

import { useTranslations } from 'next-intl';
import type { ClusterCommandRequest } from '@overcommit/contracts';
import { Group, Modal, Select, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useFeedView } from '../live/hooks';
import { ActButton, CommandResult, useCluster, useCommand } from './context';
import { useOps } from './ops-context';

/** Fail, recover, maintenance and hyper-threading for one host: the buttons and the outcome beside them. */
export function HostActions({ host }: { host: string }) {
  const { feed } = useCluster();
  const state = useFeedView(
    feed,
    (v) => v.frame?.hosts.find((h) => h.name === host)?.state ?? null,
    null,
  );
  const ht = useFeedView(
    feed,
    (v) => v.frame?.hosts.find((h) => h.name === host)?.hyperThreading ?? null,
    null,
  );
  const cmd = useCommand();
  const t = useTranslations('cluster');
  const run = (request: ClusterCommandRequest) => void cmd.run(request);
  return (
    <Stack gap={6} data-testid="host-actions">
      <Group gap="xs">
        {state === 'failed' ? (
          <ActButton
            size="xs"
            variant="default"
            onClick={() => run({ do: 'recover-host', target: host })}
          >
            {t('ops.recover')}
          </ActButton>
        ) : (
          <ActButton
            size="xs"
            color="red"
            variant="light"
            onClick={() => run({ do: 'fail-host', target: host })}
          >
            {t('ops.fail')}
          </ActButton>
        )}
        <ActButton
          size="xs"
          variant="default"
          disabled={state === 'failed'}
          onClick={() => run({ do: 'set-maintenance', target: host, on: state !== 'maintenance' })}
        >
          {state === 'maintenance' ? t('ops.exitMaintenance') : t('ops.enterMaintenance')}
        </ActButton>
        {ht !== null ? (
          <ActButton
            size="xs"
            variant="default"
            onClick={() => run({ do: 'set-hyperthreading', target: host, on: !ht })}
          >
            {ht ? t('ops.htOff') : t('ops.htOn')}
          </ActButton>
        ) : null}
      </Group>
      <CommandResult state={cmd.state} />
    </Stack>
  );
}

/** A host picker and its actions, from the cluster page. */
export function HostActionsButton() {
  const { feed } = useCluster();
  const [open, setOpen] = useState(false);
  const t = useTranslations('cluster');
  const [host, setHost] = useState<string | null>(null);
  const names = useFeedView(
    feed,
    (v) => v.frame?.hosts.map((h) => `${h.name}|${h.state}`).join(',') ?? '',
    '',
  );
  const hosts = names ? names.split(',').map((x) => x.split('|') as [string, string]) : [];
  return (
    <>
      <ActButton size="xs" variant="default" onClick={() => setOpen(true)}>
        {t('ops.hostActionsOpen')}
      </ActButton>
      <Modal opened={open} onClose={() => setOpen(false)} title={t('ops.hostActions')}>
        <Stack>
          <Select
            label={t('ops.host')}
            searchable
            data={hosts.map(([name, state]) => ({
              value: name,
              label: t('ops.hostOption', { name, state }),
            }))}
            value={host}
            onChange={setHost}
          />
          {host ? <HostActions host={host} /> : <Text size="sm">{t('ops.chooseHost')}</Text>}
        </Stack>
      </Modal>
    </>
  );
}

/** The policy button: opens the one policy dialog (ops-context.tsx), which alarms open too. */
export function PolicyButton() {
  const { openPolicy } = useOps();
  const t = useTranslations('cluster');
  return (
    <ActButton size="xs" variant="default" onClick={openPolicy}>
      {t('ops.policyOpen')}
    </ActButton>
  );
}
