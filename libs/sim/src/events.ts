import type { EventType, FrameEvent } from '@overcommit/contracts';

/** Collects one tick's events, in the order they happened. */
export class EventLog {
  readonly list: FrameEvent[] = [];
  constructor(private readonly time: number) {}

  add(type: EventType, target: string, by: string, extra: Record<string, unknown> = {}): void {
    this.list.push({ type, time: this.time, target, by, ...extra });
  }
}
