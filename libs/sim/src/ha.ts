// docs/model.md, section 10 (Failures and HA): after the detection delay, the
// VMs a failed host took down restart elsewhere through normal admission;
// those that fit nowhere stay down, loudly (ha-restart-failed).
import { MODEL } from './model';
import { placeVm } from './placement';
import { reasonFields } from './refusals';
import type { VmRt } from './state';
import type { Ctx } from './tick-context';

/**
 * Restarts, of `waiting` (the VMs pending HA, in the state's order), those down for at least the
 * detection delay by the tick's end `endTime`.
 */
export function restartDownVms(ctx: Ctx, waiting: readonly VmRt[], endTime: number): void {
  for (const vm of waiting) {
    if (
      !vm.haPending ||
      vm.downSince === null ||
      endTime - vm.downSince < MODEL.haDetectionSeconds - 1e-9
    )
      continue;
    const refusal = placeVm(ctx, vm, 'ha', 'ha-restarted');
    if (refusal !== null) {
      vm.haPending = false;
      vm.haFailed = true;
      ctx.log.add('ha-failed', vm.name, 'ha', reasonFields(refusal));
    }
  }
}
