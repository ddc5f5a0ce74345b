import type { VmColumns, VmFrame } from '@overcommit/contracts';

/** The VMs placed on one host (running ones only, if asked), as rows. */
export function vmsOn(vms: VmColumns | null, host: string, runningOnly = false): VmFrame[] {
  if (!vms) return [];
  const hosts = vms.column('host');
  const states = vms.column('state');
  const out: VmFrame[] = [];
  for (let i = 0; i < vms.length; i++)
    if (hosts[i] === host && (!runningOnly || states[i] === 'running')) out.push(vms.row(i));
  return out;
}
