'use client';

import { notifications } from '@mantine/notifications';
import { useTranslations } from 'next-intl';
import { createContext, type ReactNode, useContext, useMemo, useState } from 'react';
import { useCluster } from './context';
import { PolicyModal } from './policy';
import { type VmAction, VmActionModal } from './vm-actions';

export interface Ops {
  /** Opens the VM action dialog (one for the page) at the given step. */
  openVm: (action: VmAction) => void;
  /** The same, for a VM known by name (an alarm's target), from the streamed per-VM figures. */
  openVmNamed: (name: string, kind: 'choose' | 'migrate') => void;
  /** Opens the overcommit policy dialog. */
  openPolicy: () => void;
}

const Ctx = createContext<Ops | null>(null);

export function useOps(): Ops {
  const ops = useContext(Ctx);
  if (!ops) throw new Error('useOps outside OpsProvider');
  return ops;
}

/**
 * The page's one VM action dialog and one policy dialog, which the VM table, the alarms'
 * one-click actions and the policy button open. The value never changes, so opening a dialog
 * re-renders no panel.
 */
export function OpsProvider({ children }: { children: ReactNode }) {
  const { feed } = useCluster();
  const t = useTranslations('cluster');
  const [vmAction, setVmAction] = useState<VmAction | null>(null);
  const [policy, setPolicy] = useState(false);
  const ops = useMemo<Ops>(
    () => ({
      openVm: setVmAction,
      openVmNamed: (name, kind) => {
        const vms = feed.view.vms;
        const i = vms ? vms.column('name').indexOf(name) : -1;
        if (!vms || i < 0) {
          notifications.show({
            color: 'gray',
            title: t('ops.noFiguresTitle', { name }),
            message: t('ops.noFigures'),
          });
          return;
        }
        setVmAction({ kind, vm: vms.row(i) });
      },
      openPolicy: () => setPolicy(true),
    }),
    [feed, t],
  );
  const dialogs = useMemo(
    () => (
      <>
        <VmActionModal action={vmAction} onClose={() => setVmAction(null)} onChoose={setVmAction} />
        <PolicyModal opened={policy} onClose={() => setPolicy(false)} />
      </>
    ),
    [vmAction, policy],
  );
  return (
    <Ctx.Provider value={ops}>
      {children}
      {dialogs}
    </Ctx.Provider>
  );
}
