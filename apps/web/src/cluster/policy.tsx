'use client';

import { useTranslations } from 'next-intl';
import { Button, Group, Modal, NumberInput, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useFeedView } from '../live/hooks';
import { ratio } from '../ui/format';
import { CommandResult, useCanAct, useCluster, useCommand } from './context';

/** The allocation ratios: the dialog, filled with the ratios in force when it opens. */
export function PolicyModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { feed } = useCluster();
  const cpu = useFeedView(feed, (v) => v.frame?.cluster.cpuAllocationRatio ?? null, null);
  const ram = useFeedView(feed, (v) => v.frame?.cluster.ramAllocationRatio ?? null, null);
  const [cpuRatio, setCpu] = useState<number | string>('');
  const [ramRatio, setRam] = useState<number | string>('');
  const cmd = useCommand();
  const { canAct } = useCanAct();
  const t = useTranslations('cluster');
  const { reset } = cmd;
  useEffect(() => {
    if (!opened) return;
    setCpu(feed.view.frame?.cluster.cpuAllocationRatio ?? '');
    setRam(feed.view.frame?.cluster.ramAllocationRatio ?? '');
    reset();
  }, [opened, feed, reset]);
  return (
    <Modal opened={opened} onClose={onClose} title={t('policy.title')}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void cmd.run({
            do: 'set-policy',
            policy: {
              cpuAllocationRatio: Number(cpuRatio),
              ramAllocationRatio: Number(ramRatio),
            },
          });
        }}
      >
        <Stack>
          <Text size="sm">
            {t('policy.lede', {
              cpu: cpu !== null ? ratio(cpu) : '–',
              ram: ram !== null ? ratio(ram) : '–',
            })}
          </Text>
          <NumberInput
            label={t('policy.cpu')}
            value={cpuRatio}
            onChange={setCpu}
            min={0.1}
            max={64}
            step={0.5}
            decimalScale={2}
            required
          />
          <NumberInput
            label={t('policy.ram')}
            value={ramRatio}
            onChange={setRam}
            min={0.1}
            max={8}
            step={0.05}
            decimalScale={2}
            required
          />
          <Group>
            <Button
              type="submit"
              disabled={!canAct}
              loading={cmd.state.phase === 'sending' || cmd.state.phase === 'queued'}
            >
              {t('policy.apply')}
            </Button>
            <CommandResult state={cmd.state} />
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
