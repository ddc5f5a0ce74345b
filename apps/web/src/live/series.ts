import type { Frame } from '@overcommit/contracts';

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
}

const GiB = 1024;

/** A chart point from a frame: only rendering (unit changes and averages), no simulation. */
export function pointOf(frame: Frame, hostNames: readonly string[]): SeriesPoint {
  const c = frame.cluster;
  const hostCpu = new Float32Array(hostNames.length);
  const hostReady = new Float32Array(hostNames.length);
  const index = new Map(frame.hosts.map((h, i) => [h.name, i]));
  let remoteWeighted = 0;
  let weight = 0;
  hostNames.forEach((name, i) => {
    const h = frame.hosts[index.get(name) ?? -1];
    hostCpu[i] = h ? h.cpuUsagePct : NaN;
    hostReady[i] = h ? h.cpuReadyPct : NaN;
    if (h && h.state === 'up') {
      for (const node of h.numa) {
        remoteWeighted += node.remoteAccessPct * node.memUsedMiB;
        weight += node.memUsedMiB;
      }
    }
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

/**
 * A bounded, tick-ordered buffer of points: at most `capacity` kept, the
 * oldest dropped, so a dashboard left open all day does not grow.
 */
export class Series {
  private points: SeriesPoint[] = [];
  /** Bumped on every change, so views can tell when to redraw. */
  version = 0;

  constructor(readonly capacity: number) {}

  get length(): number {
    return this.points.length;
  }

  get last(): SeriesPoint | undefined {
    return this.points[this.points.length - 1];
  }

  /** Adds a point in tick order; a tick already held is replaced, an older one inserted in place. */
  add(point: SeriesPoint): void {
    const pts = this.points;
    const last = pts[pts.length - 1];
    if (!last || point.tick > last.tick) pts.push(point);
    else {
      let i = pts.length - 1;
      while (i >= 0 && pts[i]!.tick > point.tick) i--;
      if (i >= 0 && pts[i]!.tick === point.tick) pts[i] = point;
      else pts.splice(i + 1, 0, point);
    }
    if (pts.length > this.capacity) pts.splice(0, pts.length - this.capacity);
    this.version++;
  }

  clear(): void {
    this.points = [];
    this.version++;
  }

  /** Points whose simulated time is within `seconds` of the newest. */
  window(seconds: number): SeriesPoint[] {
    const pts = this.points;
    const last = pts[pts.length - 1];
    if (!last) return [];
    const from = last.time - seconds;
    let lo = 0;
    let hi = pts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pts[mid]!.time < from) lo = mid + 1;
      else hi = mid;
    }
    return pts.slice(lo);
  }

  oldestTick(): number | undefined {
    return this.points[0]?.tick;
  }
}

/**
 * Largest-Triangle-Three-Buckets (Steinarsson 2013): keeps the points that
 * shape a line, down to `threshold`, so a 60-minute window draws as many
 * points as the chart has pixels for. Gap points (value null) are always kept,
 * so a break stays a break.
 */
export function lttb<T>(
  data: readonly T[],
  threshold: number,
  value: (p: T) => number | null,
): T[] {
  if (threshold >= data.length || threshold < 3) return data.slice();
  const out: T[] = [data[0]!];
  const every = (data.length - 2) / (threshold - 2);
  let a = 0;
  for (let i = 0; i < threshold - 2; i++) {
    const start = Math.floor(i * every) + 1;
    const end = Math.min(Math.floor((i + 1) * every) + 1, data.length - 1);
    const nextStart = end;
    const nextEnd = Math.min(Math.floor((i + 2) * every) + 1, data.length);
    let avgX = 0;
    let avgY = 0;
    let n = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      const y = value(data[j]!);
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
      avgY = value(data[a]!) ?? 0;
    }
    const ay = value(data[a]!) ?? avgY;
    let best = start;
    let bestArea = -1;
    let gap = -1;
    for (let j = start; j < end; j++) {
      const y = value(data[j]!);
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
    const picks = bestArea >= 0 ? [best] : [];
    if (gap >= 0) picks.push(gap);
    picks.sort((x, y) => x - y);
    for (const p of picks) out.push(data[p]!);
    a = bestArea >= 0 ? best : gap >= 0 ? gap : a;
  }
  out.push(data[data.length - 1]!);
  return out;
}
