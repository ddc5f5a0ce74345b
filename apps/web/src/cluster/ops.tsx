'use client';

import type { ClusterCommandRequest } from '@overcommit/contracts';
import { Button, Group, Modal, NumberInput, Select, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useFeedView } from '../live/hooks';
import { ratio } from '../ui/format';
import { ActButton, CommandResult, useCluster, useCommand } from './context';

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
            Recover host
          </ActButton>
        ) : (
          <ActButton
            size="xs"
            color="red"
            variant="light"
            onClick={() => run({ do: 'fail-host', target: host })}
          >
            Fail host
          </ActButton>
        )}
        <ActButton
          size="xs"
          variant="default"
          disabled={state === 'failed'}
          onClick={() => run({ do: 'set-maintenance', target: host, on: state !== 'maintenance' })}
        >
          {state === 'maintenance' ? 'Exit maintenance' : 'Enter maintenance'}
        </ActButton>
        {ht !== null ? (
          <ActButton
            size="xs"
            variant="default"
            onClick={() => run({ do: 'set-hyperthreading', target: host, on: !ht })}
          >
            {ht ? 'Hyper-threading off' : 'Hyper-threading on'}
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
        Host actions…
      </ActButton>
      <Modal opened={open} onClose={() => setOpen(false)} title="Host actions">
        <Stack>
          <Select
            label="Host"
            searchable
            data={hosts.map(([name, state]) => ({ value: name, label: `${name} (${state})` }))}
            value={host}
            onChange={setHost}
          />
          {host ? <HostActions host={host} /> : <Text size="sm">Choose a host.</Text>}
        </Stack>
      </Modal>
    </>
  );
}

/** The allocation ratios (and placement and NUMA policy), from the header. */
export function PolicyButton() {
  const { feed } = useCluster();
  const cpu = useFeedView(feed, (v) => v.frame?.cluster.cpuAllocationRatio ?? null, null);
  const ram = useFeedView(feed, (v) => v.frame?.cluster.ramAllocationRatio ?? null, null);
  const [open, setOpen] = useState(false);
  const [cpuRatio, setCpu] = useState<number | string>('');
  const [ramRatio, setRam] = useState<number | string>('');
  const cmd = useCommand();
  return (
    <>
      <ActButton
        size="xs"
        variant="default"
        onClick={() => {
          setCpu(cpu ?? '');
          setRam(ram ?? '');
          cmd.reset();
          setOpen(true);
        }}
      >
        Policy…
      </ActButton>
      <Modal opened={open} onClose={() => setOpen(false)} title="Overcommit policy">
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
              Admission limits for new placements and migrations; VMs already placed stay. Now:
              vCPU:CPU {cpu !== null ? ratio(cpu) : '–'}, memory {ram !== null ? ratio(ram) : '–'}.
            </Text>
            <NumberInput
              label="vCPUs per logical CPU (cpuAllocationRatio)"
              value={cpuRatio}
              onChange={setCpu}
              min={0.1}
              max={64}
              step={0.5}
              decimalScale={2}
              required
            />
            <NumberInput
              label="Memory overcommit (ramAllocationRatio)"
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
                loading={cmd.state.phase === 'sending' || cmd.state.phase === 'queued'}
              >
                Apply
              </Button>
              <CommandResult state={cmd.state} />
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}
