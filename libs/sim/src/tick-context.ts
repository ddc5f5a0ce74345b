// What the parts of one tick share (docs/model.md, section 1): the state, the
// tick's event log and name lookups built once, when first needed.
import type { EventLog } from './events';
import type { SimState } from './state';

/** What commands, placement and the tick share: the state, name lookups and the tick's event log. */
export interface Ctx {
  state: SimState;
  hostIndex: Map<string, number>;
  vmIndex: Map<string, number>;
  log: EventLog;
}

export function indexByName<T extends { name: string }>(items: T[]): Map<string, number> {
  const map = new Map<string, number>();
  items.forEach((item, i) => map.set(item.name, i));
  return map;
}

/** A tick's context: the name lookups are built on first use (most ticks need none). */
export class TickCtx implements Ctx {
  private vms: Map<string, number> | null = null;
  private hostsByName: Map<string, number> | null = null;
  constructor(
    readonly state: SimState,
    readonly log: EventLog,
  ) {}
  get vmIndex(): Map<string, number> {
    return (this.vms ??= indexByName(this.state.vms));
  }
  set vmIndex(map: Map<string, number>) {
    this.vms = map;
  }
  get hostIndex(): Map<string, number> {
    return (this.hostsByName ??= indexByName(this.state.hosts));
  }
}
