import { type VmColumns, type VmState, vmStates } from '@overcommit/contracts';

/**
 * The VMs (indexes, in table order) the VM table's filter keeps: those whose name or host holds
 * `query`, or whose state does, by its name (`running`) or by its word in the reader's language
 * (`stateWord`: 运行中, 執行中...). Case is ignored; an empty query keeps every VM.
 */
export function filterVms(
  vms: VmColumns,
  query: string,
  stateWord: (state: VmState) => string,
): number[] {
  const q = query.trim().toLowerCase();
  const picked: number[] = [];
  if (!q) {
    for (let i = 0; i < vms.length; i++) picked.push(i);
    return picked;
  }
  const names = vms.column('name');
  const hosts = vms.column('host');
  const states = vms.column('state');
  const stateMatches = new Map(
    vmStates.map((s) => [s, s.includes(q) || stateWord(s).toLowerCase().includes(q)]),
  );
  for (let i = 0; i < vms.length; i++)
    if (
      names[i]!.toLowerCase().includes(q) ||
      (hosts[i] ?? '').toLowerCase().includes(q) ||
      stateMatches.get(states[i]!) === true
    )
      picked.push(i);
  return picked;
}
