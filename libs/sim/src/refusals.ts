// Every refusal and every event reason of the engine, in one place: a stable code
// (contracts' refusalCodes), its params, and the English text made from the two by the
// same function, so they never disagree. The text is the `reason` the frames and outcomes
// always carried, byte for byte; the code and params let the dashboard say it in the
// reader's language. A reason made of others keeps them whole in `causes`.
import type { CodedReason, ReasonParams, RefusalCode } from '@overcommit/contracts';

/** A reason: its code, its params, its English text, and the reasons it is made of. */
export interface Refusal {
  readonly code: RefusalCode;
  readonly params: ReasonParams;
  readonly text: string;
  readonly causes?: readonly Refusal[];
}

type P = Record<string, string | number>;
type English = (p: P, causes: readonly string[]) => string;

/** The English text of each code, from its params and its causes' texts. */
const ENGLISH = {
  'vm-unknown': (p) => `no VM named ${p['name']}`,
  'vm-unknown-closest': (p) => `no VM named ${p['name']}; did you mean ${p['closest']}?`,
  'host-unknown': (p) => `no host named ${p['name']}`,
  'host-unknown-closest': (p) => `no host named ${p['name']}; did you mean ${p['closest']}?`,
  'vm-exists': (p) => `a VM named ${p['name']} already exists`,
  'cluster-vms-full': (p) =>
    `the cluster has ${p['vms']} VMs, the most it may have (${p['max']}): delete one first`,
  'workload-no-field': () => 'set-workload names no field to change',
  'policy-no-field': () => 'set-policy names no field to change',
  'host-already-failed': (p) => `${p['host']} has already failed`,
  'host-not-failed': (p) => `${p['host']} has not failed (it is ${p['state']})`,
  'host-failed-recover-first': (p) => `${p['host']} has failed; recover it first`,
  'host-already-in-maintenance': (p) => `${p['host']} is already in maintenance`,
  'host-already-out-of-maintenance': (p) => `${p['host']} is already out of maintenance`,
  'hyperthreading-unavailable': (p) =>
    `${p['host']} has one thread per core: there is no hyper-threading to turn ${p['turn']}`,
  'hyperthreading-already': (p) => `hyper-threading is already ${p['turn']} on ${p['host']}`,
  'vm-already-running': (p) => `${p['vm']} is already running`,
  'vm-already-off': (p) => `${p['vm']} is already off`,
  'vm-already-migrating': (p) => `${p['vm']} is already migrating to ${p['host']}`,
  'vm-not-running': (p) => `${p['vm']} is ${p['state']}; only a running VM migrates live`,
  'vm-already-on-host': (p) => `${p['vm']} already runs on ${p['host']}`,
  'destination-refused': (_, causes) => `destination refused: ${causes.join('; ')}`,
  'admission-host-failed': (p) => `${p['host']}: host failed`,
  'admission-maintenance': (p) => `${p['host']}: in maintenance`,
  'admission-nested-binary-translation': (p) =>
    `${p['host']}: nested virtualization needs hardware-assisted virtualization (host uses binary translation)`,
  'admission-nested-not-allowed': (p) =>
    `${p['host']}: nested virtualization not allowed on this host`,
  'admission-vcpus': (p) =>
    `${p['host']}: vCPUs ${p['vcpus']}/${p['capacity']} at ratio ${p['ratio']}`,
  'admission-memory': (p) =>
    `${p['host']}: memory ${p['memoryGiB']}/${p['capacityGiB']} GiB at ratio ${p['ratio']}`,
  'admission-numa-strict': (p) =>
    `${p['host']}: NUMA strict: no node holds ${p['vcpus']} vCPUs and ${p['memoryGiB']} GiB (a node has ${p['nodeCpus']} logical CPUs and ${p['nodeMemoryGiB']} GiB)`,
  'vm-pinned-unknown-host': (p) => `pinned to host ${p['host']}, which does not exist`,
  'no-host-fits': (p, causes) =>
    `no host can take ${p['vm']} (${p['vcpus']} vCPUs, ${p['memoryGiB']} GiB): ${causes.join('; ')}`,
  'no-hosts': () => 'no hosts',
  'cannot-evacuate': (_, causes) => `cannot evacuate: ${causes.join('; ')}`,
  'command-duplicate': (p) => `command ${p['id']} was already applied`,
  'command-conflict': (p) => `${p['by']} already changed ${p['target']} in this tick`,
  'alarm-resolved': (p) => `alarm ${p['alarm']} has already resolved`,
  'alarm-unknown': (p) => `no active alarm with id ${p['alarm']}`,
  'alarm-pending': (p) =>
    `alarm ${p['alarm']} is still pending; it can be acknowledged once it fires`,
  'alarm-already-acked': (p) => `alarm ${p['alarm']} was already acknowledged by ${p['by']}`,
  'destination-failed': (p) => `destination ${p['host']} failed`,
  'source-failed': (p) => `source ${p['host']} failed`,
  'vm-powered-off': () => 'the VM was powered off',
  'vm-deleted': () => 'the VM was deleted',
  'migration-no-convergence': (p) =>
    `did not converge in ${p['rounds']} rounds: the guest dirties ${p['dirtyMiBps']} MiB/s against a link of ${p['linkMiBps']} MiB/s`,
  'vm-swap-full': (p) => `host ${p['host']} swap full: the VM cannot get memory`,
  'ticks-skipped': (p) =>
    `no worker ran this cluster for ${p['seconds']} s (${p['ticks']} ticks); it resumes where it stopped instead of replaying them`,
} satisfies Record<RefusalCode, English>;

/** The English text of a code with its params and causes (what `refusal` puts in `text`). */
export function refusalText(
  code: RefusalCode,
  params: ReasonParams,
  causes: readonly { text: string }[] = [],
): string {
  return ENGLISH[code](
    params,
    causes.map((c) => c.text),
  );
}

/** A reason of the engine: the code, its params, and its English text made from them. */
export function refusal(
  code: RefusalCode,
  params: ReasonParams = {},
  causes?: readonly Refusal[],
): Refusal {
  const text = refusalText(code, params, causes);
  return causes ? { code, params, text, causes } : { code, params, text };
}

/** A refusal as programs read it: code, params and causes, without the English text. */
export function coded(r: Refusal): CodedReason {
  return r.causes
    ? { code: r.code, params: r.params, causes: r.causes.map(coded) }
    : { code: r.code, params: r.params };
}

/** The fields an event carries for a reason: `reason` (English, as ever) and its code. */
export function reasonFields(r: Refusal): {
  reason: string;
  reasonCode: RefusalCode;
  reasonParams: ReasonParams;
  reasonCauses?: CodedReason[];
} {
  return r.causes
    ? {
        reason: r.text,
        reasonCode: r.code,
        reasonParams: r.params,
        reasonCauses: r.causes.map(coded),
      }
    : { reason: r.text, reasonCode: r.code, reasonParams: r.params };
}

/** An unknown name: with the closest known one when there is one. */
export function unknownName(
  kind: 'vm' | 'host',
  name: string,
  closest: string | undefined,
): Refusal {
  return closest === undefined
    ? refusal(kind === 'vm' ? 'vm-unknown' : 'host-unknown', { name })
    : refusal(kind === 'vm' ? 'vm-unknown-closest' : 'host-unknown-closest', { name, closest });
}

/** The event reason of ticks the live system skipped after an outage (apps/api). */
export function ticksSkipped(seconds: number, ticks: number): Refusal {
  return refusal('ticks-skipped', { seconds, ticks });
}
