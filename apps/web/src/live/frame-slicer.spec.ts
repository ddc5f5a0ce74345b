import { FrameSlicer } from './frame-slicer';

/** A slicer with frames run by hand and a clock that listeners advance by the work they "do". */
function harness(budgetMs: number) {
  let clock = 0;
  const frames: Array<() => void> = [];
  const slicer = new FrameSlicer(
    budgetMs,
    (run) => frames.push(run),
    () => clock,
  );
  const ran: string[] = [];
  const listener = (name: string, costMs: number) => () => {
    ran.push(name);
    clock += costMs;
  };
  const frame = () => {
    ran.length = 0;
    frames.shift()?.();
    return [...ran];
  };
  return { slicer, listener, frame, pending: () => frames.length };
}

describe('FrameSlicer', () => {
  it('runs listeners until the frame budget is spent and the rest in the next frames', () => {
    const h = harness(6);
    const panels = [
      h.listener('header', 2),
      h.listener('grid', 5),
      h.listener('table', 9),
      h.listener('chart', 3),
    ];
    h.slicer.notify(panels);
    expect(h.pending()).toBe(1);
    expect(h.frame()).toEqual(['header', 'grid']); // 7 ms: over budget after the second
    expect(h.frame()).toEqual(['table']); // one listener always runs, however long
    expect(h.frame()).toEqual(['chart']);
    expect(h.pending()).toBe(0);
    expect(h.slicer.waiting).toBe(0);
  });

  it('keeps a waiting listener in its place when a new notification comes, so none is starved', () => {
    const h = harness(6);
    const a = h.listener('a', 4);
    const b = h.listener('b', 4);
    const c = h.listener('c', 4);
    h.slicer.notify([a, b, c]);
    expect(h.frame()).toEqual(['a', 'b']);
    // The next tick arrives before c has run: c goes first, then a and b again.
    h.slicer.notify([a, b, c]);
    expect(h.frame()).toEqual(['c', 'a']);
    expect(h.frame()).toEqual(['b']);
    expect(h.pending()).toBe(0);
  });

  it('forgets a listener that unsubscribed while it waited, and asks for one frame at a time', () => {
    const h = harness(1);
    const a = h.listener('a', 2);
    const b = h.listener('b', 2);
    h.slicer.notify([a, b]);
    h.slicer.notify([a, b]);
    expect(h.pending()).toBe(1);
    h.slicer.forget(b);
    expect(h.frame()).toEqual(['a']);
    expect(h.pending()).toBe(0);
  });
});
