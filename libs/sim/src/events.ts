// docs/model.md, section 1: the events one tick produces, in the order they happened.
import type { EventType, FrameEvent } from '@overcommit/contracts';

/** Collects one tick's events, in the order they happened. */
export class EventLog {
  readonly list: FrameEvent[] = [];
  /** Simulated second stamped on the next events: the tick's start for commands, its end for what the tick computes. */
  constructor(public time: number) {}

  add(type: EventType, target: string, by: string, extra: Record<string, unknown> = {}): void {
    this.list.push({ type, time: this.time, target, by, ...extra });
  }
}
