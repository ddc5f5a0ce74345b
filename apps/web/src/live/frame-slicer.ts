/**
 * Runs a feed's listeners (each one re-renders the panels that read a slice of the feed) over as many
 * animation frames as it takes to keep each frame's script under a budget, instead of all of them in
 * one frame: a tick of a large cluster changes the header, the heat map, the alarms, the VM table and
 * the charts, which together take longer than one 60 Hz frame, and done at once they would hold the
 * page (scrolling, typing, a click) for that long every tick.
 *
 * A listener that is still waiting when the next notification comes keeps its place in the queue, so
 * with updates faster than the page can draw every listener still runs, in turn, and none is starved.
 */
export class FrameSlicer {
  private readonly queue = new Set<() => void>();
  private scheduled = false;

  constructor(
    /** Milliseconds of listener work to start per frame; one listener always runs, however long it takes. */
    private readonly budgetMs = 2,
    private readonly requestFrame: (run: () => void) => void = defaultRequestFrame,
    private readonly now: () => number = defaultNow,
  ) {}

  /** Queues every listener (those already queued keep their place) and schedules a frame. */
  notify(listeners: Iterable<() => void>): void {
    for (const listener of listeners) this.queue.add(listener);
    this.schedule();
  }

  /** Forgets a listener that unsubscribed while queued. */
  forget(listener: () => void): void {
    this.queue.delete(listener);
  }

  /** Listeners waiting for a frame. */
  get waiting(): number {
    return this.queue.size;
  }

  private schedule(): void {
    if (this.scheduled || this.queue.size === 0) return;
    this.scheduled = true;
    this.requestFrame(() => this.run());
  }

  private run(): void {
    this.scheduled = false;
    const start = this.now();
    for (const listener of this.queue) {
      this.queue.delete(listener);
      listener();
      if (this.now() - start >= this.budgetMs) break;
    }
    this.schedule();
  }
}

function defaultRequestFrame(run: () => void): void {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(run);
  else setTimeout(run, 0);
}

function defaultNow(): number {
  return typeof performance === 'undefined' ? Date.now() : performance.now();
}
