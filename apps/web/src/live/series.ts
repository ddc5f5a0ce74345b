import type { FrameColumns } from '@overcommit/contracts';

/** One chart point: cluster-level figures at a tick, plus each host's CPU and ready. */
export interface SeriesPoint {
  tick: number;
  /** Simulated seconds since the cluster started. */
  time: number;
  cpuUsagePct: number | null;
  cpuReadyPct: number | null;
  memActiveGiB: number | null;
  memConsumedGiB: number | null;
  balloonGiB: number | null;
  compressedGiB: number | null;
  swapUsedGiB: number | null;
  memTotalGiB: number | null;
  numaLocalPct: number | null;
  numaRemotePct: number | null;
  powerKW: number | null;
  /** Per host, in the order of `hostNames`: CPU usage %, then ready %. */
  hostCpu: Float32Array | null;
  hostReady: Float32Array | null;
  /** Per host, GiB: memory consumed, active, ballooned and compressed, swapped (the host page's chart). */
  hostMemConsumed?: Float32Array | null;
  hostMemActive?: Float32Array | null;
  hostReclaimed?: Float32Array | null;
  hostSwapped?: Float32Array | null;
}

/** The per-host figures a series keeps: a column of hosts x points each. */
export const HOST_METRICS = [
  'cpu',
  'ready',
  'memConsumed',
  'memActive',
  'reclaimed',
  'swap',
] as const;
export type HostMetric = (typeof HOST_METRICS)[number];

const HOST_FIELD: Record<HostMetric, keyof SeriesPoint> = {
  cpu: 'hostCpu',
  ready: 'hostReady',
  memConsumed: 'hostMemConsumed',
  memActive: 'hostMemActive',
  reclaimed: 'hostReclaimed',
  swap: 'hostSwapped',
};

const GiB = 1024;

/**
 * A chart point from a frame's columns (as the wire holds them: no row objects on the way to the
 * chart): only rendering (unit changes and averages), no simulation.
 */
export function pointOf(frame: FrameColumns, hostNames: readonly string[]): SeriesPoint {
  const c = frame.cluster;
  const names = frame.hosts.column('name');
  const states = frame.hosts.column('state');
  const cpu = frame.hosts.column('cpuUsagePct');
  const ready = frame.hosts.column('cpuReadyPct');
  const consumed = frame.hosts.column('memConsumedMiB');
  const active = frame.hosts.column('memActiveMiB');
  const balloon = frame.hosts.column('balloonMiB');
  const compressed = frame.hosts.column('compressedMiB');
  const swapped = frame.hosts.column('swapUsedMiB');
  const remotePct = frame.numa.column('remoteAccessPct');
  const usedMiB = frame.numa.column('memUsedMiB');
  const hostCpu = new Float32Array(hostNames.length);
  const hostReady = new Float32Array(hostNames.length);
  const hostMemConsumed = new Float32Array(hostNames.length);
  const hostMemActive = new Float32Array(hostNames.length);
  const hostReclaimed = new Float32Array(hostNames.length);
  const hostSwapped = new Float32Array(hostNames.length);
  // Hosts come in the same order every tick: the index is built only when they do not.
  const sameOrder = names.length === hostNames.length && names.every((n, i) => n === hostNames[i]);
  const index = sameOrder ? null : new Map(names.map((n, i) => [n, i]));
  hostNames.forEach((name, i) => {
    const h = index ? (index.get(name) ?? -1) : i;
    hostCpu[i] = h >= 0 ? cpu[h]! : NaN;
    hostReady[i] = h >= 0 ? ready[h]! : NaN;
    hostMemConsumed[i] = h >= 0 ? consumed[h]! / GiB : NaN;
    hostMemActive[i] = h >= 0 ? active[h]! / GiB : NaN;
    hostReclaimed[i] = h >= 0 ? (balloon[h]! + compressed[h]!) / GiB : NaN;
    hostSwapped[i] = h >= 0 ? swapped[h]! / GiB : NaN;
  });
  // NUMA-remote share of memory, weighted by memory used, over the hosts that are up.
  let remoteWeighted = 0;
  let weight = 0;
  let node = 0;
  frame.numaCount.forEach((count, h) => {
    if (states[h] === 'up')
      for (let k = node; k < node + count; k++) {
        remoteWeighted += remotePct[k]! * usedMiB[k]!;
        weight += usedMiB[k]!;
      }
    node += count;
  });
  const remote = weight > 0 ? remoteWeighted / weight : 0;
  return {
    tick: frame.tick,
    time: frame.time,
    cpuUsagePct: c.cpuUsagePct,
    cpuReadyPct: c.cpuReadyPct,
    memActiveGiB: c.memActiveMiB / GiB,
    memConsumedGiB: c.memConsumedMiB / GiB,
    balloonGiB: c.balloonMiB / GiB,
    compressedGiB: c.compressedMiB / GiB,
    swapUsedGiB: c.swapUsedMiB / GiB,
    memTotalGiB: c.memTotalMiB / GiB,
    numaLocalPct: 100 - remote,
    numaRemotePct: remote,
    powerKW: c.powerWatts / 1000,
    hostCpu,
    hostReady,
    hostMemConsumed,
    hostMemActive,
    hostReclaimed,
    hostSwapped,
  };
}

/** A break in a line: the ticks the client could not recover are drawn as a gap, never joined over. */
export function gapPoint(tick: number, time: number): SeriesPoint {
  return {
    tick,
    time,
    cpuUsagePct: null,
    cpuReadyPct: null,
    memActiveGiB: null,
    memConsumedGiB: null,
    balloonGiB: null,
    compressedGiB: null,
    swapUsedGiB: null,
    memTotalGiB: null,
    numaLocalPct: null,
    numaRemotePct: null,
    powerKW: null,
    hostCpu: null,
    hostReady: null,
  };
}

/** The cluster-level figures a series keeps, one column each. */
export const SERIES_METRICS = [
  'cpuUsagePct',
  'cpuReadyPct',
  'memActiveGiB',
  'memConsumedGiB',
  'balloonGiB',
  'compressedGiB',
  'swapUsedGiB',
  'memTotalGiB',
  'numaLocalPct',
  'numaRemotePct',
  'powerKW',
] as const;
export type SeriesMetric = (typeof SERIES_METRICS)[number];

/**
 * A bounded, tick-ordered buffer of points, stored as columns of numbers in
 * arrays allocated once at their full size (a ring): at most `capacity`
 * points, the oldest dropped, so a dashboard left open all day holds the same
 * memory after a minute as after a day, and a tick adds numbers, not objects.
 * Per-host columns are sized when the first point with hosts arrives (the
 * host count is fixed for the page's life, as `hostNames` is).
 */
export class Series {
  private readonly ticks: Float64Array;
  private readonly times: Float64Array;
  private readonly gaps: Uint8Array;
  private readonly columns: Record<SeriesMetric, Float64Array>;
  private hostColumns: Record<HostMetric, Float32Array> | null = null;
  private hosts = 0;
  /** Slot of the oldest point. */
  private head = 0;
  private count = 0;
  /** Bumped on every change, so views can tell when to redraw. */
  version = 0;

  constructor(readonly capacity: number) {
    this.ticks = new Float64Array(capacity);
    this.times = new Float64Array(capacity);
    this.gaps = new Uint8Array(capacity);
    this.columns = Object.fromEntries(
      SERIES_METRICS.map((m) => [m, new Float64Array(capacity)]),
    ) as Record<SeriesMetric, Float64Array>;
  }

  get length(): number {
    return this.count;
  }

  /** Hosts per point (0 until a point with hosts arrived). */
  get hostCount(): number {
    return this.hosts;
  }

  /** Adds a point in tick order; a tick already held is replaced, an older one inserted in place. */
  add(point: SeriesPoint): void {
    this.addAll([point]);
  }

  /**
   * Adds points in any order: newer ones are appended, a tick already held is
   * replaced, and older ones (history loaded after the live ticks) are merged
   * in with one rewrite for the whole batch.
   */
  addAll(points: readonly SeriesPoint[]): void {
    const older: SeriesPoint[] = [];
    for (const point of points) {
      this.sizeHosts(point);
      const last = this.count > 0 ? this.tick(this.count - 1) : -Infinity;
      if (point.tick > last) this.append(point);
      else {
        const i = this.indexOfTick(point.tick);
        if (i < this.count && this.tick(i) === point.tick) this.write(this.slot(i), point);
        else older.push(point);
      }
    }
    if (older.length > 0) {
      const merged = [...older, ...Array.from({ length: this.count }, (_, i) => this.point(i))];
      // Stable: for a tick given twice in the batch, the later one (history order) wins below.
      merged.sort((a, b) => a.tick - b.tick);
      const kept: SeriesPoint[] = [];
      for (const p of merged) {
        if (kept.length > 0 && kept[kept.length - 1]!.tick === p.tick) kept[kept.length - 1] = p;
        else kept.push(p);
      }
      this.head = 0;
      this.count = 0;
      for (const p of kept.slice(-this.capacity)) this.append(p);
    }
    this.version++;
  }

  /** The tick of the i-th point, oldest first. */
  tick(i: number): number {
    return this.ticks[this.slot(i)]!;
  }

  /** Simulated seconds of the i-th point. */
  time(i: number): number {
    return this.times[this.slot(i)]!;
  }

  /** Whether the i-th point is a gap (ticks never recovered). */
  isGap(i: number): boolean {
    return this.gaps[this.slot(i)] === 1;
  }

  /** A cluster figure of the i-th point; null in a gap. */
  metric(metric: SeriesMetric, i: number): number | null {
    const v = this.columns[metric][this.slot(i)]!;
    return Number.isNaN(v) ? null : v;
  }

  /** A host's figure at the i-th point; null in a gap or for a host absent then. */
  host(kind: HostMetric, host: number, i: number): number | null {
    const column = this.hostColumns?.[kind];
    if (!column || host < 0 || host >= this.hosts) return null;
    const v = column[this.slot(i) * this.hosts + host]!;
    return Number.isNaN(v) ? null : v;
  }

  /** Index of the first point whose simulated time is within `seconds` of the newest (length if empty). */
  windowStart(seconds: number): number {
    if (this.count === 0) return 0;
    return this.firstNotBelow((i) => this.time(i), this.time(this.count - 1) - seconds);
  }

  /** Index of the first point at or after simulated time `seconds` (length if none). */
  indexAtTime(seconds: number): number {
    return this.firstNotBelow((i) => this.time(i), seconds);
  }

  /** The i-th point as an object (a copy, for the rewrite that merges history; not for drawing). */
  point(i: number): SeriesPoint {
    const slot = this.slot(i);
    const gap = this.gaps[slot] === 1;
    const hostsOf = (column: Float32Array | undefined) =>
      gap
        ? null
        : column
          ? column.slice(slot * this.hosts, (slot + 1) * this.hosts)
          : new Float32Array(0);
    const p = { tick: this.ticks[slot]!, time: this.times[slot]! } as SeriesPoint;
    for (const m of HOST_METRICS)
      (p as unknown as Record<string, unknown>)[HOST_FIELD[m]] = hostsOf(this.hostColumns?.[m]);
    for (const m of SERIES_METRICS) p[m] = this.metric(m, i);
    return p;
  }

  private slot(i: number): number {
    const s = this.head + i;
    return s >= this.capacity ? s - this.capacity : s;
  }

  /** First index whose tick is not below `tick`. */
  private indexOfTick(tick: number): number {
    return this.firstNotBelow((i) => this.tick(i), tick);
  }

  /** Binary search over the points (ordered by tick, so by time too): the first whose key is not below `value`. */
  private firstNotBelow(key: (i: number) => number, value: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (key(mid) < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private sizeHosts(point: SeriesPoint): void {
    if (this.hostColumns || !point.hostCpu || point.hostCpu.length === 0) return;
    this.hosts = point.hostCpu.length;
    this.hostColumns = Object.fromEntries(
      HOST_METRICS.map((m) => [m, new Float32Array(this.capacity * this.hosts).fill(NaN)]),
    ) as Record<HostMetric, Float32Array>;
  }

  private append(point: SeriesPoint): void {
    if (this.count === this.capacity) {
      this.head = this.slot(1);
      this.count--;
    }
    this.count++;
    this.write(this.slot(this.count - 1), point);
  }

  private write(slot: number, point: SeriesPoint): void {
    this.ticks[slot] = point.tick;
    this.times[slot] = point.time;
    this.gaps[slot] = point.hostCpu === null ? 1 : 0;
    for (const m of SERIES_METRICS) this.columns[m][slot] = point[m] ?? NaN;
    const columns = this.hostColumns;
    if (!columns) return;
    const base = slot * this.hosts;
    for (const m of HOST_METRICS) {
      const column = columns[m];
      const values = point[HOST_FIELD[m]] as Float32Array | null | undefined;
      for (let h = 0; h < this.hosts; h++) column[base + h] = values?.[h] ?? NaN;
    }
  }
}

/**
 * Largest-Triangle-Three-Buckets (Steinarsson 2013) over the points
 * `from`..`to - 1` of a series read through `value`: the indexes of the
 * points that shape the line, down to `threshold`, so a 60-minute window
 * draws as many points as the chart has pixels for. Gap points (value null)
 * are always kept, so a break stays a break.
 */
export function lttb(
  from: number,
  to: number,
  threshold: number,
  value: (i: number) => number | null,
): number[] {
  const length = to - from;
  if (length <= 0) return [];
  if (threshold >= length || threshold < 3) return Array.from({ length }, (_, k) => from + k);
  const out: number[] = [from];
  const every = (length - 2) / (threshold - 2);
  let a = from;
  for (let i = 0; i < threshold - 2; i++) {
    const start = from + Math.floor(i * every) + 1;
    const end = Math.min(from + Math.floor((i + 1) * every) + 1, to - 1);
    const nextStart = end;
    const nextEnd = Math.min(from + Math.floor((i + 2) * every) + 1, to);
    let avgX = 0;
    let avgY = 0;
    let n = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      const y = value(j);
      if (y === null) continue;
      avgX += j;
      avgY += y;
      n++;
    }
    if (n > 0) {
      avgX /= n;
      avgY /= n;
    } else {
      avgX = nextStart;
      avgY = value(a) ?? 0;
    }
    const ay = value(a) ?? avgY;
    let best = start;
    let bestArea = -1;
    let gap = -1;
    for (let j = start; j < end; j++) {
      const y = value(j);
      if (y === null) {
        gap = j;
        continue;
      }
      const area = Math.abs((a - avgX) * (y - ay) - (a - j) * (avgY - ay));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    if (bestArea >= 0 && gap >= 0) out.push(Math.min(best, gap), Math.max(best, gap));
    else if (bestArea >= 0) out.push(best);
    else if (gap >= 0) out.push(gap);
    a = bestArea >= 0 ? best : gap >= 0 ? gap : a;
  }
  out.push(to - 1);
  return out;
}
