'use client';

import { type CodedError, useErrorText } from '../i18n/errors';
import { useReasonText } from '../i18n/reasons';
import {
  type ClusterCommandRequest,
  formatInputErrors,
  singleVmSpecSchema,
  type VmFrame,
  zodIssuesToInputErrors,
} from '@overcommit/contracts';
import {
  Button,
  Checkbox,
  Group,
  Modal,
  NumberInput,
  Radio,
  ScrollArea,
  Slider,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useTranslations } from 'next-intl';
import { useEffect, useMemo, useState } from 'react';
import type { MigrationTargets } from '@overcommit/contracts';
import { migrationTargets } from '../api';
import { useFeedView } from '../live/hooks';
import { vmsOn } from '../live/vms';
import { mib } from '../ui/format';
import { ActButton, CommandResult, useCluster, useCommand } from './context';

export type VmAction =
  | { kind: 'choose' | 'migrate' | 'power-on' | 'power-off' | 'delete' | 'spike'; vm: VmFrame }
  | { kind: 'create' }
  /** Pick one of a host's running VMs to live-migrate elsewhere. */
  | { kind: 'pick'; host: string };

/** A host's running VMs, busiest first, each with the button that migrates it elsewhere. */
function HostVmPicker({ host, onChoose }: { host: string; onChoose: (a: VmAction) => void }) {
  const t = useTranslations('host');
  const { feed } = useCluster();
  const vms = useFeedView(feed, (v) => v.vms, null);
  const here = useMemo(
    () =>
      vmsOn(vms, host, true).sort(
        (a, b) =>
          b.cpuUsagePct * b.vcpus - a.cpuUsagePct * a.vcpus || b.memActiveMiB - a.memActiveMiB,
      ),
    [vms, host],
  );
  if (vms === null) return <Text size="sm">{t('actions.loadingVms')}</Text>;
  if (here.length === 0) return <Text size="sm">{t('actions.noVm', { host })}</Text>;
  return (
    <Stack gap="xs">
      <Text size="sm">{t('actions.pickIntro', { host })}</Text>
      <ul className="plain-list pick-list">
        {here.map((vm) => (
          <li key={vm.name}>
            <span>
              <strong>{vm.name}</strong>{' '}
              <span className="dim">
                {t('actions.pickFigures', {
                  vcpus: vm.vcpus,
                  cpu: vm.cpuUsagePct.toFixed(0),
                  ready: vm.cpuReadyPct.toFixed(1),
                  active: mib(vm.memActiveMiB),
                })}
              </span>
            </span>{' '}
            <ActButton
              size="compact-xs"
              variant="light"
              disabled={vm.migration !== null}
              onClick={() => onChoose({ kind: 'migrate', vm })}
              aria-label={t('actions.migrateAria', { vm: vm.name })}
            >
              {vm.migration ? t('actions.migrating') : t('actions.migrateButton')}
            </ActButton>
          </li>
        ))}
      </ul>
    </Stack>
  );
}

/** What one can do to a VM; for a viewer every button is disabled, with the reason. */
function Chooser({ vm, onChoose }: { vm: VmFrame; onChoose: (a: VmAction) => void }) {
  const t = useTranslations('host');
  const line = {
    vm: vm.name,
    state: t('actions.vmState', { state: vm.state }),
    vcpus: vm.vcpus,
    memory: mib(vm.memConfiguredMiB),
  };
  const running = vm.state === 'running';
  return (
    <Stack gap="xs">
      <Text size="sm">
        {vm.host
          ? t('actions.chooserLine', { ...line, host: vm.host })
          : t('actions.chooserLineNoHost', line)}
      </Text>
      <Group gap="xs">
        <ActButton
          variant="default"
          disabled={!running}
          onClick={() => onChoose({ kind: 'migrate', vm })}
        >
          {t('actions.migrateButton')}
        </ActButton>
        <ActButton
          variant="default"
          onClick={() => onChoose({ kind: running ? 'power-off' : 'power-on', vm })}
        >
          {running ? t('actions.powerOffButton') : t('actions.powerOnButton')}
        </ActButton>
        <ActButton variant="default" onClick={() => onChoose({ kind: 'spike', vm })}>
          {t('actions.spikeButton')}
        </ActButton>
        <ActButton variant="light" color="red" onClick={() => onChoose({ kind: 'delete', vm })}>
          {t('actions.deleteButton')}
        </ActButton>
      </Group>
    </Stack>
  );
}

function MigrateForm({ vm, onDone }: { vm: VmFrame; onDone: () => void }) {
  const t = useTranslations('host');
  const { apiUrl, clusterId, token } = useCluster();
  const [answer, setAnswer] = useState<MigrationTargets | null>(null);
  const targets = answer?.targets ?? null;
  const errorText = useErrorText();
  const reasonText = useReasonText();
  const [error, setError] = useState<CodedError | null>(null);
  const [to, setTo] = useState<string | null>(null);
  const [autoConverge, setAutoConverge] = useState(false);
  const cmd = useCommand();
  useEffect(() => {
    let cancelled = false;
    void migrationTargets(apiUrl, clusterId, token, vm.name).then((r) => {
      if (cancelled) return;
      if (r.ok) setAnswer(r.value);
      else setError(r.error);
    });
    return () => {
      cancelled = true;
    };
  }, [apiUrl, clusterId, token, vm.name]);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (!to) return;
        void cmd.run({ do: 'migrate-vm', target: vm.name, to, autoConverge }).then((o) => {
          if (o.status === 'accepted') setTimeout(onDone, 1200);
        });
      }}
    >
      <Stack gap="sm">
        <Text size="sm">
          {t.rich('actions.migrateIntro', {
            vm: vm.name,
            vcpus: vm.vcpus,
            memory: mib(vm.memConfiguredMiB),
            host: vm.host ?? t('actions.noHost'),
            b: (chunks) => <strong>{chunks}</strong>,
          })}
        </Text>
        {answer?.refusal ? (
          <Text c="red" role="alert">
            {reasonText({
              text: answer.refusal,
              code: answer.refusalCode,
              params: answer.refusalParams,
            })}
          </Text>
        ) : null}
        {error ? (
          <Text c="red" role="alert">
            {t('actions.cannotList', { error: errorText(error) })}
          </Text>
        ) : !targets ? (
          <Text size="sm">{t('actions.checking')}</Text>
        ) : (
          <ScrollArea.Autosize mah={320}>
            <Radio.Group
              value={to}
              onChange={setTo}
              name="to"
              label={t('actions.destination')}
              aria-label={t('actions.destination')}
            >
              <Stack gap={6} mt={6}>
                {targets.map((target) => (
                  <div
                    key={target.host}
                    data-testid={`target-${target.host}`}
                    data-fits={target.fits}
                  >
                    <Radio
                      value={target.host}
                      disabled={!target.fits}
                      label={
                        <span>
                          <strong>{target.host}</strong>{' '}
                          <span className="dim">
                            {t('actions.free', {
                              vcpus: Math.floor(target.freeVcpus),
                              memory: mib(target.freeMemMiB),
                            })}
                          </span>
                          {target.fits ? null : (
                            <span className="refusal">
                              {' '}
                              <span aria-hidden="true">✖</span>{' '}
                              {t('actions.wouldRefuse', {
                                reason: reasonText({
                                  text: target.reason ?? '',
                                  code: target.code,
                                  params: target.params,
                                  causes: target.causes,
                                }),
                              })}
                            </span>
                          )}
                        </span>
                      }
                    />
                  </div>
                ))}
              </Stack>
            </Radio.Group>
          </ScrollArea.Autosize>
        )}
        <Checkbox
          label={t('actions.autoConverge')}
          checked={autoConverge}
          onChange={(e) => setAutoConverge(e.currentTarget.checked)}
        />
        <Group>
          <Button
            type="submit"
            disabled={!to}
            loading={cmd.state.phase === 'sending' || cmd.state.phase === 'queued'}
          >
            {to ? t('actions.migrateTo', { to }) : t('actions.migrate')}
          </Button>
          <CommandResult state={cmd.state} />
        </Group>
      </Stack>
    </form>
  );
}

function ConfirmForm({
  label,
  request,
  danger,
  onDone,
}: {
  label: string;
  request: ClusterCommandRequest;
  danger?: boolean;
  onDone: () => void;
}) {
  const cmd = useCommand();
  return (
    <Group>
      <Button
        color={danger ? 'red' : undefined}
        loading={cmd.state.phase === 'sending' || cmd.state.phase === 'queued'}
        onClick={() =>
          void cmd.run(request).then((o) => {
            if (o.status === 'accepted') setTimeout(onDone, 1000);
          })
        }
      >
        {label}
      </Button>
      <CommandResult state={cmd.state} />
    </Group>
  );
}

function SpikeForm({ vm, onDone }: { vm: VmFrame; onDone: () => void }) {
  const t = useTranslations('host');
  const [cpu, setCpu] = useState(100);
  const [memoryActive, setMemoryActive] = useState(90);
  const cmd = useCommand();
  return (
    <Stack gap="md">
      <Text size="sm">{t('actions.spikeIntro', { vm: vm.name })}</Text>
      <div>
        <Text size="sm">{t('actions.cpuDemand', { pct: cpu })}</Text>
        <Slider
          value={cpu}
          onChange={setCpu}
          min={0}
          max={100}
          step={5}
          label={(v) => `${v}%`}
          aria-label={t('actions.cpuDemandAria')}
        />
      </div>
      <div>
        <Text size="sm">{t('actions.activeMemory', { pct: memoryActive })}</Text>
        <Slider
          value={memoryActive}
          onChange={setMemoryActive}
          min={0}
          max={100}
          step={5}
          label={(v) => `${v}%`}
          aria-label={t('actions.activeMemoryAria')}
        />
      </div>
      <Group>
        <Button
          loading={cmd.state.phase === 'sending' || cmd.state.phase === 'queued'}
          onClick={() =>
            void cmd
              .run({
                do: 'set-workload',
                target: vm.name,
                workload: { profile: 'constant', cpu: cpu / 100, memoryActive: memoryActive / 100 },
              })
              .then((o) => {
                if (o.status === 'accepted') setTimeout(onDone, 1000);
              })
          }
        >
          {t('actions.apply')}
        </Button>
        <CommandResult state={cmd.state} />
      </Group>
    </Stack>
  );
}

function CreateForm({ onDone }: { onDone: () => void }) {
  const t = useTranslations('host');
  const [name, setName] = useState('');
  const [vcpus, setVcpus] = useState<number | string>(2);
  const [memoryGiB, setMemoryGiB] = useState<number | string>(4);
  const [invalid, setInvalid] = useState<string | null>(null);
  const cmd = useCommand();
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        const spec = singleVmSpecSchema.safeParse({
          name: name.trim(),
          vcpus: Number(vcpus),
          memoryGiB: Number(memoryGiB),
          workload: { profile: 'constant', cpu: 0.3 },
        });
        if (!spec.success) {
          setInvalid(formatInputErrors(zodIssuesToInputErrors(spec.error.issues), '; '));
          return;
        }
        setInvalid(null);
        void cmd.run({ do: 'create-vm', vm: spec.data }).then((o) => {
          if (o.status === 'accepted') setTimeout(onDone, 1000);
        });
      }}
    >
      <Stack gap="sm">
        <TextInput
          label={t('actions.name')}
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          required
          maxLength={60}
          data-autofocus
        />
        <NumberInput
          label={t('actions.vcpusLabel')}
          value={vcpus}
          onChange={setVcpus}
          min={1}
          max={256}
          required
        />
        <NumberInput
          label={t('actions.memory')}
          value={memoryGiB}
          onChange={setMemoryGiB}
          min={0.25}
          max={4096}
          step={1}
          decimalScale={2}
          required
        />
        <Group>
          <Button
            type="submit"
            disabled={!name.trim()}
            loading={cmd.state.phase === 'sending' || cmd.state.phase === 'queued'}
          >
            {t('actions.create')}
          </Button>
          <CommandResult state={cmd.state} />
        </Group>
        {invalid ? (
          <Text c="red" size="sm" role="alert">
            {invalid}
          </Text>
        ) : null}
      </Stack>
    </form>
  );
}

/** The dialog for one VM action; the outcome (or the refusal with its reason) shows in it. */
export function VmActionModal({
  action,
  onClose,
  onChoose,
}: {
  action: VmAction | null;
  onClose: () => void;
  onChoose: (a: VmAction) => void;
}) {
  const t = useTranslations('host');
  const title =
    action === null
      ? ''
      : action.kind === 'create'
        ? t('actions.newVm')
        : action.kind === 'pick'
          ? t('actions.pickTitle', { host: action.host })
          : t('actions.title', {
              kind:
                { 'power-on': 'powerOn', 'power-off': 'powerOff' }[action.kind as string] ??
                action.kind,
              vm: action.vm.name,
            });
  return (
    <Modal opened={action !== null} onClose={onClose} title={title} size="lg">
      {action === null ? null : action.kind === 'pick' ? (
        <HostVmPicker host={action.host} onChoose={onChoose} />
      ) : action.kind === 'choose' ? (
        <Chooser vm={action.vm} onChoose={onChoose} />
      ) : action.kind === 'migrate' ? (
        <MigrateForm vm={action.vm} onDone={onClose} />
      ) : action.kind === 'create' ? (
        <CreateForm onDone={onClose} />
      ) : action.kind === 'spike' ? (
        <SpikeForm vm={action.vm} onDone={onClose} />
      ) : (
        <ConfirmForm
          label={title}
          danger={action.kind !== 'power-on'}
          request={{
            do: `${action.kind}-vm`,
            target: action.vm.name,
          }}
          onDone={onClose}
        />
      )}
    </Modal>
  );
}
