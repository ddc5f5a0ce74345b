import { z } from 'zod';

// Every refusal of the engine (a command it does not carry out, a VM it cannot place) and every
// reason it gives in an event (a migration aborted, a VM paused...) carries a stable code and its
// params beside the English text: the text (`reason`) for people reading logs and curl output, the
// code for programs and for the dashboard, which says it in the reader's language
// (apps/web/messages/<locale>/reasons.json). The engine makes all three in one place
// (libs/sim/src/refusals.ts), so they never disagree. A code never changes meaning; a new
// situation gets a new code. A reason made of others ("destination refused: <admission's
// reason>", "no host can take X: <one reason per host>") keeps them whole in `causes`.

export const refusalCodes = [
  // --- names ---
  /** No VM of that name. params: name. */
  'vm-unknown',
  /** No VM of that name, but one close to it. params: name, closest. */
  'vm-unknown-closest',
  /** No host of that name. params: name. */
  'host-unknown',
  /** No host of that name, but one close to it. params: name, closest. */
  'host-unknown-closest',
  /** A create-vm whose name is taken. params: name. */
  'vm-exists',
  /** A create-vm in a cluster that has as many VMs as it may. params: vms, max. */
  'cluster-vms-full',
  /** A set-workload that changes nothing. */
  'workload-no-field',
  /** A set-policy that changes nothing. */
  'policy-no-field',
  // --- hosts ---
  /** fail-host of a failed host. params: host. */
  'host-already-failed',
  /** recover-host of a host that has not failed. params: host, state (up | maintenance). */
  'host-not-failed',
  /** set-maintenance of a failed host. params: host. */
  'host-failed-recover-first',
  /** set-maintenance on, of a host in maintenance. params: host. */
  'host-already-in-maintenance',
  /** set-maintenance off, of a host out of maintenance. params: host. */
  'host-already-out-of-maintenance',
  /** set-hyperthreading on a host with one thread per core. params: host, turn (on | off). */
  'hyperthreading-unavailable',
  /** set-hyperthreading to what it already is. params: host, turn (on | off). */
  'hyperthreading-already',
  // --- VMs ---
  /** power-on-vm of a running (or pending) VM. params: vm. */
  'vm-already-running',
  /** power-off-vm of a stopped VM. params: vm. */
  'vm-already-off',
  /** migrate-vm of a VM already migrating. params: vm, host (its destination). */
  'vm-already-migrating',
  /** migrate-vm of a VM that is not running. params: vm, state (the VM's state). */
  'vm-not-running',
  /** migrate-vm to the host the VM runs on. params: vm, host. */
  'vm-already-on-host',
  /** migrate-vm to a host admission refuses; causes: [admission's reason]. */
  'destination-refused',
  // --- admission (each names the host) ---
  /** params: host. */
  'admission-host-failed',
  /** params: host. */
  'admission-maintenance',
  /** A nested hypervisor on a host translating in software. params: host. */
  'admission-nested-binary-translation',
  /** A nested hypervisor on a host that does not allow it. params: host. */
  'admission-nested-not-allowed',
  /** Over the vCPU cap. params: host, vcpus (allocated with the VM), capacity, ratio. */
  'admission-vcpus',
  /** Over the memory cap. params: host, memoryGiB (allocated with the VM), capacityGiB, ratio. */
  'admission-memory',
  /** numa: strict and no node holds the VM. params: host, vcpus, memoryGiB, nodeCpus, nodeMemoryGiB. */
  'admission-numa-strict',
  // --- placement ---
  /** A VM pinned to a host that does not exist. params: host. */
  'vm-pinned-unknown-host',
  /** No host admits the VM. params: vm, vcpus, memoryGiB; causes: one reason per host considered. */
  'no-host-fits',
  /** The only cause of no-host-fits when there was no host to consider. */
  'no-hosts',
  /** Maintenance could not move a VM off the host; causes: [the placement's reason]. */
  'cannot-evacuate',
  // --- commands ---
  /** A command id applied before. params: id. */
  'command-duplicate',
  /** A second command on one target in one tick. params: by (who changed it first), target. */
  'command-conflict',
  // --- alarms ---
  /** ack-alarm of an alarm that has resolved. params: alarm. */
  'alarm-resolved',
  /** ack-alarm of an id that is no active alarm. params: alarm. */
  'alarm-unknown',
  /** ack-alarm of a pending alarm. params: alarm. */
  'alarm-pending',
  /** ack-alarm of an acknowledged alarm. params: alarm, by. */
  'alarm-already-acked',
  // --- event reasons (migration-aborted, vm-paused, ticks-skipped) ---
  /** The migration's destination failed. params: host. */
  'destination-failed',
  /** The migration's source failed. params: host. */
  'source-failed',
  /** The migrating VM was powered off. */
  'vm-powered-off',
  /** The migrating VM was deleted. */
  'vm-deleted',
  /** Pre-copy did not converge. params: rounds, dirtyMiBps, linkMiBps (one decimal). */
  'migration-no-convergence',
  /** A VM paused: its host's swap is full. params: host. */
  'vm-swap-full',
  /** The live system skipped ticks after an outage. params: seconds, ticks. */
  'ticks-skipped',
] as const;
export type RefusalCode = (typeof refusalCodes)[number];

/** What a reason's message may name: hosts, VMs, figures. */
export type ReasonParams = Record<string, string | number>;
export const reasonParamsSchema = z.record(z.string(), z.union([z.string(), z.number()]));

/** A reason as code and params, with the reasons it is made of. */
export interface CodedReason {
  code: string;
  params: ReasonParams;
  causes?: CodedReason[];
}
export const codedReasonSchema: z.ZodType<CodedReason> = z.object({
  code: z.string(),
  params: reasonParamsSchema,
  get causes() {
    return z.array(codedReasonSchema).optional();
  },
});

export function isRefusalCode(value: unknown): value is RefusalCode {
  return typeof value === 'string' && (refusalCodes as readonly string[]).includes(value);
}
