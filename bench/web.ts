// npm run bench:web [-- --seconds 600 --warmup 60 ...] — the dashboard's
// speed and memory in headless Chromium (issue: "with a 50-host, 1,000-VM
// cluster at 1 tick/s and every panel open, main-thread work per frame at
// most 16 ms at the median and memory flat (within 10%) over 10 minutes").
//
// It builds the API and the dashboard (`nx run-many -t build -p api web`),
// starts the built API (ROLE=all: API and tick worker, a Redis key prefix of
// its own on the shared Redis) and the built dashboard (`next start`), creates
// a contended cluster of 50 hosts and 1,000 VMs at 1 tick/s with POST
// /api/clusters, and opens its operator link in Debian's Chromium (headless,
// through playwright-core) at 1440x1000 with every panel open: the VM table
// (per-VM metrics streamed every tick), the resolved alarms, the 60-minute
// chart window. After the warm-up it measures, for --seconds:
//   - main-thread work per frame: the renderer's CDP Performance.getMetrics
//     (TaskDuration, ScriptDuration, LayoutDuration, RecalcStyleDuration),
//     sampled half a tick after each tick reaches the page (the header's
//     data-tick attribute changing, seen by a MutationObserver), so each
//     interval holds one tick's work: receiving, decoding, rendering, layout
//     and paint; p50/p90/p99/max of the per-tick deltas;
//   - main-thread work per animation frame: a Chrome trace (--trace seconds,
//     default 60, in the middle of the window) of the renderer main thread's
//     AnimationFrame spans (the frames the Long Animation Frames API reports,
//     here every one, not only those over 50 ms) and the top-level tasks in
//     each; "update frames" are those in which the page's own script ran (a
//     tick being drawn), not only a CSS animation; the goal is judged on
//     their median;
//   - long tasks (the Performance API's PerformanceObserver, 'longtask'):
//     count and total per minute;
//   - memory: the JS heap after a forced garbage collection (CDP
//     HeapProfiler.collectGarbage, then Runtime.getHeapUsage and
//     performance.memory) at the end of the warm-up, every minute and at the
//     end, with the DOM counters (Memory.getDOMCounters). The intervals that
//     hold one of these collections are left out of the per-tick figures;
//   - the renderer's CPU time (SystemInfo.getProcessInfo).
// Then (outside the window) a CPU profile of a few ticks (CDP Profiler),
// summarised by script, by the first frame under React outside react-dom (a
// component's render, an effect) and by function, with a snippet of the
// minified code around each.
//
// Processes: the API and the dashboard's server run on core 0 (taskset);
// Chromium on any core (its compositor, raster and GPU threads would otherwise
// share one core with the main thread it measures), or on core 1 alone with
// --pin-chromium.
//
// Options: --seconds N (600), --warmup N (60), --hosts N (50), --vms N (1000),
// --tick-ms N (1000), --window 5|15|60 (minutes; 60), --profile N (seconds of
// CPU profile after the window; 0: none; 10), --view top|vms (the viewport on
// the top of the page, or on the VM table), --invalidations (which elements
// each traced frame re-lays out), --thread-ticks (durations in thread CPU
// time instead of wall time), --no-build, --no-pin, --pin-chromium, --json
// PATH (default bench/results/web-<time>.json).
import type { CreateClusterResponse, ScenarioInput } from '@overcommit/contracts';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { type Browser, type CDPSession, chromium, type Page } from 'playwright-core';
import { benchScenario } from './live-fanout-common';
import {
  BENCH_LIMITS,
  commandLine,
  coreTimes,
  freePort,
  healthy,
  killGroup,
  launch,
  launchWeb,
  pinned,
  procs,
  removeKeys,
  root,
  sleep,
  stopAll,
  waitFor,
} from './live-procs';

const apiMain = join(root, 'apps/api/dist/main.js');
const webDir = join(root, 'apps/web');
const chromiumPath = process.env['CHROMIUM_PATH'] || '/usr/bin/chromium';

const traceCategories = [
  'toplevel',
  'devtools.timeline',
  'disabled-by-default-devtools.timeline.frame',
  'blink.user_timing',
];

// ---------------------------------------------------------------- options

const usage = `npm run bench:web -- [options]
  --seconds N      measured seconds (default 600)
  --warmup N       seconds between the page going live with every panel open and
                   the first measurement (default 60)
  --hosts N        hosts in the cluster (default 50)
  --vms N          VMs in the cluster (default 1000)
  --tick-ms N      the cluster's tick (default 1000)
  --window M       chart window to choose, minutes: 5, 15 or 60 (default 60)
  --profile N      seconds of CPU profile after the window, summarised by function
                   (default 10; 0: none); the .cpuprofile goes beside the results
  --trace N        seconds of Chrome trace in the middle of the window, for the
                   work per animation frame (default 60; 0: none)
  --view top|vms   what the viewport shows while measuring: the top of the page (header,
                   heat map, alarms, charts; default) or the VM table scrolled into view
  --invalidations  record style, layout and paint invalidations in the trace (which
                   elements each frame re-lays out; slows the page, for diagnosis)
  --thread-ticks   durations in the renderer main thread's CPU time, not wall time
  --no-build       use the built API and dashboard as they are
  --no-pin         do not pin the servers to core 0
  --pin-chromium   pin Chromium (and this process) to core 1
  --json PATH      results file (default bench/results/web-<time>.json)`;

const { values: raw, fail } = commandLine(usage, {
  seconds: { type: 'string', default: process.env['BENCH_SECONDS'] ?? '600' },
  warmup: { type: 'string', default: '60' },
  hosts: { type: 'string', default: '50' },
  vms: { type: 'string', default: '1000' },
  'tick-ms': { type: 'string', default: '1000' },
  window: { type: 'string', default: '60' },
  profile: { type: 'string', default: '10' },
  trace: { type: 'string', default: '60' },
  'thread-ticks': { type: 'boolean', default: false },
  invalidations: { type: 'boolean', default: false },
  view: { type: 'string', default: 'top' },
  'no-build': { type: 'boolean', default: false },
  'no-pin': { type: 'boolean', default: false },
  'pin-chromium': { type: 'boolean', default: false },
  json: { type: 'string' },
});

function positive(name: string, value: string, allowZero = false): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0))
    fail(`--${name} ${value}: expected a positive number`);
  return n;
}

const options = {
  seconds: positive('seconds', raw.seconds),
  warmup: positive('warmup', raw.warmup, true),
  hosts: positive('hosts', raw.hosts),
  vms: positive('vms', raw.vms),
  tickMs: positive('tick-ms', raw['tick-ms']),
  window: raw.window,
  profile: positive('profile', raw.profile, true),
  trace: positive('trace', raw.trace, true),
  threadTicks: raw['thread-ticks'] === true,
  invalidations: raw.invalidations === true,
  view: raw.view,
  build: raw['no-build'] !== true,
  pin: raw['no-pin'] !== true && pinned,
  pinChromium: raw['pin-chromium'] === true && pinned,
};
if (!['5', '15', '60'].includes(options.window)) fail(`--window ${options.window}: 5, 15 or 60`);
if (!['top', 'vms'].includes(options.view)) fail(`--view ${options.view}: top or vms`);
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const jsonPath = resolve(raw.json ?? join(root, 'bench/results', `web-${stamp}.json`));
const goals = { medianTaskMs: 16, heapGrowthPct: 10 };
const SERVER_CORE = options.pin ? '0' : `0-${cpus().length - 1}`;
const redisUrl = process.env['REDIS_URL'] || 'redis://127.0.0.1:6379';
const redisPrefix = `ocbench-web-${randomBytes(4).toString('hex')}`;

// ---------------------------------------------------------------- helpers

const fmt = (n: number, digits = 1) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '–';
const mb = (bytes: number) => bytes / 2 ** 20;

interface Percentiles {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

function percentiles(values: number[]): Percentiles {
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) =>
    sorted.length === 0
      ? NaN
      : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  return {
    count: sorted.length,
    mean: sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : NaN,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
  };
}

/** The fan-out benchmark's contended cluster (benchScenario), with exactly `vms` VMs in its 40 groups. */
function webScenario(hosts: number, vms: number, tickMs: number): ScenarioInput {
  const base = benchScenario(hosts, tickMs);
  const groups = base.vms?.length ?? 0;
  return {
    ...base,
    name: `bench:web ${hosts} hosts, ${vms} VMs`,
    vms: (base.vms ?? [])
      .map((g, i) => ({
        ...g,
        count: Math.floor(vms / groups) + (i < vms % groups ? 1 : 0),
      }))
      .filter((g) => g.count > 0),
  };
}

// ---------------------------------------------------------------- cleanup

let browser: Browser | undefined;
let serversStarted = false;
async function cleanup(): Promise<void> {
  await browser?.close().catch(() => undefined);
  browser = undefined;
  await stopAll();
  if (serversStarted) await removeKeys(redisUrl, redisPrefix).catch(() => undefined);
  serversStarted = false;
}
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.error(`\n${signal}: stopping the browser, the API and the dashboard`);
    void cleanup().finally(() => process.exit(130));
  });
}
process.on('exit', () => {
  for (const proc of procs) killGroup(proc, 'SIGKILL');
});

// ---------------------------------------------------------------- in the page

/**
 * Runs before the page's own scripts: the display name (so no name prompt),
 * a long-task observer, and a MutationObserver on the header's data-tick that
 * tells the benchmark (through the __benchTick binding) when a tick arrived.
 */
const initScript = `(() => {
  try { localStorage.setItem('overcommit:name', 'bench'); } catch {}
  const b = (window.__bench = { longTasks: [], ticks: 0 });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) b.longTasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch {}
  let last = '';
  new MutationObserver((records) => {
    for (const r of records) {
      const el = r.target;
      if (el.getAttribute('data-testid') !== 'cluster-header') continue;
      const tick = el.getAttribute('data-tick') || '';
      if (tick === '' || tick === last) continue;
      last = tick;
      b.ticks++;
      if (typeof window.__benchTick === 'function') window.__benchTick(Number(tick));
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-tick'] });
})()`;

// ---------------------------------------------------------------- measurements

type Metrics = Record<string, number>;

async function metrics(cdp: CDPSession): Promise<Metrics> {
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(list.map((m) => [m.name, m.value]));
}

interface Sample {
  tick: number;
  /** Date.now() when getMetrics answered. */
  at: number;
  m: Metrics;
}

interface MemorySnapshot {
  /** Seconds since the measurement window started (negative: before it). */
  t: number;
  /** Runtime.getHeapUsage after a forced GC. */
  heapUsed: number;
  heapTotal: number;
  /** performance.memory.usedJSHeapSize before and after the forced GC. */
  perfMemoryBefore: number;
  perfMemoryAfter: number;
  nodes: number;
  /** Active alarms in the alarms panel: most of the DOM (and of the heap) on a contended cluster. */
  activeAlarms: number;
  documents: number;
  listeners: number;
  /** Date.now() around the snapshot: the intervals it touches are left out. */
  from: number;
  to: number;
}

async function memorySnapshot(cdp: CDPSession, t: number): Promise<MemorySnapshot> {
  const from = Date.now();
  const before = await cdp.send('Runtime.evaluate', {
    expression: `performance.mark('bench:gc:start'), performance.memory.usedJSHeapSize`,
    returnByValue: true,
  });
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = await cdp.send('Runtime.getHeapUsage');
  const after = await cdp.send('Runtime.evaluate', {
    expression: 'performance.memory.usedJSHeapSize',
    returnByValue: true,
  });
  const dom = await cdp.send('Memory.getDOMCounters');
  const alarms = await cdp.send('Runtime.evaluate', {
    expression: `performance.mark('bench:gc:end'), document.querySelectorAll('[data-testid=alarms] li[data-testid^="alarm-"]').length`,
    returnByValue: true,
  });
  return {
    t,
    heapUsed: heap.usedSize,
    heapTotal: heap.totalSize,
    perfMemoryBefore: Number(before.result.value),
    perfMemoryAfter: Number(after.result.value),
    nodes: dom.nodes,
    activeAlarms: Number(alarms.result.value),
    documents: dom.documents,
    listeners: dom.jsEventListeners,
    from,
    to: Date.now(),
  };
}

async function rendererCpuSeconds(browserCdp: CDPSession): Promise<number> {
  try {
    const info = (await browserCdp.send('SystemInfo.getProcessInfo' as never)) as unknown as {
      processInfo: { type: string; id: number; cpuTime: number }[];
    };
    return info.processInfo.filter((p) => p.type === 'renderer').reduce((a, p) => a + p.cpuTime, 0);
  } catch {
    return NaN;
  }
}

// ---------------------------------------------------------------- CPU profile summary

interface ProfileNode {
  id: number;
  callFrame: {
    functionName: string;
    url: string;
    lineNumber: number;
    columnNumber: number;
    scriptId: string;
  };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

interface ProfileRow {
  fn: string;
  where: string;
  /** What the script holds (react-dom, recharts, mantine, the app), from markers in its code. */
  script: string;
  selfMs: number;
  totalMs: number;
  snippet?: string;
}

interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  gcMs: number;
  /** Self time by script (or native function), ms per tick. */
  byScript: { script: string; ms: number }[];
  /**
   * Time under React by the first frame outside react-dom: a component's
   * render (its hooks included), an effect, a callback, ms per tick. Child
   * components render in frames of their own, so these do not nest.
   */
  underReact: ProfileRow[];
  /** The heaviest functions by total (inclusive) and self time, ms per tick. */
  functions: ProfileRow[];
}

/** What a script holds, from markers in its (minified) code. */
function scriptLabel(url: string, text: string | undefined): string {
  const name = basename(url.split('?')[0] ?? url);
  if (!text) return name;
  const kinds = [
    text.includes('__reactFiber$') ? 'react-dom' : '',
    text.includes('recharts') ? 'recharts' : '',
    text.includes('mantine') ? 'mantine' : '',
    text.includes('cluster-header') || text.includes('overcommit:') ? 'app' : '',
  ].filter(Boolean);
  return kinds.length ? `${name} (${kinds.join('+')})` : name;
}

/** Self and total time per function, time by script and under React, with a snippet of the (minified) code. */
async function summariseProfile(
  profile: CpuProfile,
  ticks: number,
  source: (url: string) => Promise<string | undefined>,
): Promise<ProfileSummary> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const urls = [...new Set(profile.nodes.map((n) => n.callFrame.url).filter(Boolean))];
  const texts = new Map(await Promise.all(urls.map(async (u) => [u, await source(u)] as const)));
  const labels = new Map(urls.map((u) => [u, scriptLabel(u, texts.get(u))]));
  const reactUrls = new Set(urls.filter((u) => texts.get(u)?.includes('__reactFiber$')));
  const key = (n: ProfileNode) => {
    const f = n.callFrame;
    return `${f.functionName || '(anonymous)'}\t${f.url ? `${basename(f.url)}:${f.lineNumber + 1}:${f.columnNumber + 1}` : ''}`;
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const under = new Map<string, number>();
  const scripts = new Map<string, number>();
  const frameOf = new Map<string, ProfileNode>();
  const add = (m: Map<string, number>, k: string, ms: number) => m.set(k, (m.get(k) ?? 0) + ms);
  let idleMs = 0;
  let gcMs = 0;
  let allMs = 0;
  const deltas = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const ms = (deltas[i + 1] ?? deltas[i] ?? 0) / 1000;
    allMs += ms;
    const leaf = byId.get(profile.samples[i]!);
    if (!leaf) continue;
    const name = leaf.callFrame.functionName;
    if (name === '(idle)') {
      idleMs += ms;
      continue;
    }
    if (name === '(garbage collector)') gcMs += ms;
    add(scripts, leaf.callFrame.url ? labels.get(leaf.callFrame.url)! : name || '(native)', ms);
    const k = key(leaf);
    frameOf.set(k, leaf);
    add(self, k, ms);
    const stack: ProfileNode[] = [];
    for (let node: ProfileNode | undefined = leaf; node;) {
      stack.push(node);
      const p = parent.get(node.id);
      node = p === undefined ? undefined : byId.get(p);
    }
    const seen = new Set<string>();
    let inReact = false;
    let component: string | undefined;
    for (let j = stack.length - 1; j >= 0; j--) {
      const node = stack[j]!;
      const kk = key(node);
      if (node.callFrame.functionName !== '(root)' && !seen.has(kk)) {
        seen.add(kk);
        frameOf.set(kk, node);
        add(total, kk, ms);
      }
      const url = node.callFrame.url;
      if (reactUrls.has(url)) inReact = true;
      else if (inReact && url && component === undefined) component = kk;
    }
    if (component !== undefined) add(under, component, ms);
  }
  const row = (k: string, ms?: number): ProfileRow => {
    const [fn, where] = k.split('\t') as [string, string];
    const f = frameOf.get(k)!.callFrame;
    const line = f.url ? texts.get(f.url)?.split('\n')[f.lineNumber] : undefined;
    return {
      fn,
      where,
      script: f.url ? labels.get(f.url)! : '(native)',
      selfMs: (self.get(k) ?? 0) / ticks,
      totalMs: (ms ?? total.get(k) ?? 0) / ticks,
      snippet:
        line === undefined
          ? undefined
          : line.slice(Math.max(0, f.columnNumber - 30), f.columnNumber + 170),
    };
  };
  const top = (m: Map<string, number>, n: number) =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
  const functionKeys = new Set([...top(self, 20), ...top(total, 30)].map(([k]) => k));
  const functions = [...functionKeys].map((k) => row(k));
  functions.sort((a, b) => b.totalMs - a.totalMs);
  return {
    busyMs: (allMs - idleMs) / ticks,
    idleMs: idleMs / ticks,
    gcMs: gcMs / ticks,
    byScript: top(scripts, 12).map(([script, ms]) => ({ script, ms: ms / ticks })),
    underReact: top(under, 25).map(([k, ms]) => row(k, ms)),
    functions,
  };
}

// ---------------------------------------------------------------- the run

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  id?: string;
  id2?: { local?: string };
  args?: { name?: string };
}

interface FrameWork {
  /** Animation frames (Chrome's AnimationFrame trace events, the Long Animation Frames API's frames). */
  frames: number;
  /** Those in which the page's own script ran (not only a CSS animation), outside the forced GCs. */
  updateFrames: number;
  /** Main-thread busy time within each update frame (top-level tasks clipped to the frame), ms. */
  busy: Percentiles;
  /** Each update frame's duration, from its first task to the end of its rendering, ms. */
  duration: Percentiles;
  /** Main-thread busy time within every frame, the CSS-animation-only ones included, ms. */
  busyAll: Percentiles;
  /** Update frames per tick. */
  perTick: number;
  /** Busy time per second outside any animation frame (socket messages, timers between frames), ms. */
  outsideMsPerSecond: number;
}

/**
 * Main-thread work per animation frame from a Chrome trace: the renderer main thread's AnimationFrame
 * spans (what the Long Animation Frames API reports, here for every frame, not only those over 50 ms)
 * and the top-level tasks within each.
 */
function frameWork(buffer: Buffer, ticks: number): FrameWork {
  const parsed = JSON.parse(buffer.toString('utf8')) as
    { traceEvents?: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
  const mains = new Set<string>();
  for (const e of events)
    if (e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      mains.add(`${e.pid}:${e.tid}`);
  const frameCount = new Map<string, number>();
  for (const e of events) {
    const key = `${e.pid}:${e.tid}`;
    if (e.name === 'AnimationFrame' && e.ph === 'b' && mains.has(key))
      frameCount.set(key, (frameCount.get(key) ?? 0) + 1);
  }
  const main = [...frameCount].sort((a, b) => b[1] - a[1])[0]?.[0];
  const mine = events.filter((e) => `${e.pid}:${e.tid}` === main).sort((a, b) => a.ts - b.ts);
  const tasks = mine.filter((e) => e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask');
  const scripts = mine.filter(
    (e) =>
      e.ph === 'X' &&
      (e.dur ?? 0) >= 100 &&
      ['FireAnimationFrame', 'FunctionCall', 'EventDispatch', 'TimerFire'].includes(e.name),
  );
  const gcMarks = mine.filter((e) => e.name === 'bench:gc:start' || e.name === 'bench:gc:end');
  const open = new Map<string, number>();
  const frames: Array<[number, number]> = [];
  for (const e of mine) {
    if (e.name !== 'AnimationFrame') continue;
    const id = e.id2?.local ?? e.id ?? '';
    if (e.ph === 'b') open.set(id, e.ts);
    else if (e.ph === 'e' && open.has(id)) {
      frames.push([open.get(id)!, e.ts]);
      open.delete(id);
    }
  }
  const busyIn = (from: number, to: number) => {
    let busy = 0;
    for (const t of tasks) {
      if (t.ts >= to) break;
      const a = Math.max(from, t.ts);
      const z = Math.min(to, t.ts + (t.dur ?? 0));
      if (z > a) busy += z - a;
    }
    return busy / 1000;
  };
  // A forced GC's span: from a start mark to the next end mark.
  const gcSpans: Array<[number, number]> = [];
  for (let i = 0; i < gcMarks.length; i++)
    if (gcMarks[i]!.name === 'bench:gc:start')
      gcSpans.push([gcMarks[i]!.ts, gcMarks[i + 1]?.ts ?? Infinity]);
  const busy: number[] = [];
  const duration: number[] = [];
  const busyAll: number[] = [];
  let inFrames = 0;
  for (const [from, to] of frames) {
    const b = busyIn(from, to);
    inFrames += b;
    busyAll.push(b);
    if (gcSpans.some(([a, z]) => a < to && z > from)) continue;
    if (!scripts.some((e) => e.ts >= from && e.ts < to)) continue;
    busy.push(b);
    duration.push((to - from) / 1000);
  }
  const first = tasks[0]?.ts ?? 0;
  const last = tasks.length ? tasks[tasks.length - 1]!.ts + (tasks[tasks.length - 1]!.dur ?? 0) : 0;
  const total = tasks.reduce((a, t) => a + (t.dur ?? 0), 0) / 1000;
  const seconds = Math.max(1e-9, (last - first) / 1e6);
  return {
    frames: frames.length,
    updateFrames: busy.length,
    busy: percentiles(busy),
    duration: percentiles(duration),
    busyAll: percentiles(busyAll),
    perTick: ticks > 0 ? busy.length / ticks : NaN,
    outsideMsPerSecond: (total - inFrames) / seconds,
  };
}

async function main(): Promise<void> {
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    chromium: '',
    pinned: options.pin ? (options.pinChromium ? 'servers 0, Chromium 1' : 'servers 0') : 'no',
    loadAverageStart: loadavg()[0]!,
    loadAverageEnd: NaN,
    coresBusy: [] as number[],
  };

  if (options.build) {
    console.log('building the API and the dashboard (nx run-many -t build -p api web)…');
    const built = spawnSync(
      'npx',
      ['nx', 'run-many', '-t', 'build', '-p', 'api', 'web', '--outputStyle=static'],
      {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NX_TUI: 'false', NX_NO_CLOUD: 'true' },
      },
    );
    if (built.status !== 0) {
      process.stderr.write(`${built.stdout ?? ''}${built.stderr ?? ''}`);
      throw new Error('the build failed');
    }
  }
  for (const artefact of [apiMain, join(webDir, '.next/BUILD_ID')])
    if (!existsSync(artefact)) throw new Error(`${artefact} is missing: build first`);
  if (!existsSync(chromiumPath))
    throw new Error(
      `Chromium is not at ${chromiumPath} (apt-get install chromium, or CHROMIUM_PATH)`,
    );

  // With --pin-chromium: this process, and so Chromium, on core 1.
  if (options.pinChromium)
    spawnSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });

  // -------------------------------------------------------------- servers
  const [apiPort, webPort] = await Promise.all([freePort(), freePort()]);
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const webUrl = `http://127.0.0.1:${webPort}`;
  const common = {
    ...BENCH_LIMITS,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    REDIS_URL: redisUrl,
    REDIS_PREFIX: redisPrefix,
    API_PORT: String(apiPort),
    WEB_PORT: String(webPort),
  };
  serversStarted = true;
  const api = launch('api', SERVER_CORE, process.execPath, [apiMain], {
    env: { ...common, ROLE: 'all', CORS_ORIGINS: `${webUrl},http://localhost:${webPort}` },
  });
  const web = launchWeb(SERVER_CORE, webPort, apiUrl, common);
  await Promise.all([
    waitFor('the API', api, () => healthy(apiPort)),
    waitFor('the dashboard', web, async () => {
      const r = await fetch(`${webUrl}/`, { signal: AbortSignal.timeout(5000) });
      await r.arrayBuffer();
      return r.status > 0 && r.status < 500;
    }),
  ]);

  // -------------------------------------------------------------- the cluster
  const scenario = webScenario(options.hosts, options.vms, options.tickMs);
  const created = await fetch(`${apiUrl}/api/clusters`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: webUrl },
    body: JSON.stringify({ scenario }),
  });
  const cluster = (await created.json()) as CreateClusterResponse;
  if (created.status !== 201 && created.status !== 200)
    throw new Error(`POST /api/clusters answered ${created.status}: ${JSON.stringify(cluster)}`);

  // -------------------------------------------------------------- the page
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--enable-precise-memory-info',
      '--disable-background-timer-throttling',
      '--disable-renderer-backgrounding',
      '--disable-backgrounding-occluded-windows',
    ],
  });
  machine.chromium = browser.version();
  const browserCdp = await browser.newBrowserCDPSession();
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  await context.addInitScript(initScript);
  const page: Page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable', {
    timeDomain: options.threadTicks ? 'threadTicks' : 'timeTicks',
  });

  // Half a tick after each tick reaches the page, the renderer's counters.
  const samples: Sample[] = [];
  let sampling = false;
  let lastTick = 0;
  let pending = 0;
  await page.exposeBinding('__benchTick', (_source, tick: number) => {
    lastTick = tick;
    if (!sampling) return;
    pending++;
    setTimeout(() => {
      void metrics(cdp)
        .then((m) => {
          if (sampling) samples.push({ tick, at: Date.now(), m });
        })
        .catch(() => undefined)
        .finally(() => pending--);
    }, options.tickMs / 2);
  });

  const link = `${webUrl}/clusters/${cluster.id}?token=${cluster.operatorToken}`;
  console.log(
    `bench:web: ${options.hosts} hosts, ${options.vms} VMs at ${options.tickMs} ms/tick; ${link}`,
  );
  await page.goto(link);
  await page
    .getByTestId('connection')
    .and(page.locator('[data-state=live]'))
    .waitFor({ timeout: 60_000 });
  // Every panel open: the VM table (streams per-VM metrics), the resolved alarms, the window.
  await page.getByLabel('show VM table (streams per-VM metrics)').check();
  await page.locator('tr[data-testid^="vm-"]').first().waitFor({
    timeout: 30_000,
  });
  const resolvedToggle = page.getByTestId('alarms').getByRole('button', { name: /resolved \(/ });
  if ((await resolvedToggle.getAttribute('aria-expanded')) !== 'true') await resolvedToggle.click();
  await page.locator('section.charts').getByText(`${options.window} min`, { exact: true }).click();
  // The page opens at its top (header, heat map, alarms, charts); --view vms scrolls the VM table
  // into the viewport instead (off-screen panels are neither laid out nor painted).
  if (options.view === 'vms') await page.getByTestId('vm-table').scrollIntoViewIfNeeded();
  console.log(
    `live with every panel open, viewing ${options.view === 'vms' ? 'the VM table' : 'the top of the page'}; warming up for ${options.warmup} s…`,
  );

  sampling = true;
  await sleep(options.warmup * 1000);

  // -------------------------------------------------------------- the window
  const snapshots: MemorySnapshot[] = [await memorySnapshot(cdp, 0)];
  const windowStart = Date.now();
  samples.length = 0;
  const pageStart = Number(
    (await cdp.send('Runtime.evaluate', { expression: 'performance.now()', returnByValue: true }))
      .result.value,
  );
  const rendererCpu0 = await rendererCpuSeconds(browserCdp);
  const cores0 = coreTimes();
  const tick0 = lastTick;
  console.log(`measuring for ${options.seconds} s…`);
  const traceSeconds = Math.min(options.trace, options.seconds);
  const traceFrom = windowStart + ((options.seconds - traceSeconds) / 2) * 1000;
  let tracing: 'before' | 'on' | 'done' = traceSeconds > 0 ? 'before' : 'done';
  let traceBuffer: Buffer | undefined;
  const end = windowStart + options.seconds * 1000;
  let nextSnapshot = windowStart + 60_000;
  while (Date.now() < end) {
    await sleep(Math.min(1000, end - Date.now()));
    if (tracing === 'before' && Date.now() >= traceFrom) {
      await browser.startTracing(page, {
        categories: options.invalidations
          ? [...traceCategories, 'disabled-by-default-devtools.timeline.invalidationTracking']
          : traceCategories,
      });
      tracing = 'on';
    } else if (tracing === 'on' && Date.now() >= traceFrom + traceSeconds * 1000) {
      traceBuffer = await browser.stopTracing();
      tracing = 'done';
    }
    if (Date.now() >= nextSnapshot && nextSnapshot < end - 5_000) {
      const s = await memorySnapshot(cdp, (Date.now() - windowStart) / 1000);
      snapshots.push(s);
      nextSnapshot += 60_000;
      console.log(
        `  ${fmt(s.t, 0)} s: tick ${lastTick}, heap after GC ${fmt(mb(s.heapUsed))} MB, ${s.nodes} DOM nodes, ${s.activeAlarms} active alarms`,
      );
    }
  }
  sampling = false;
  if (tracing === 'on') traceBuffer = await browser.stopTracing();
  while (pending > 0) await sleep(50);
  const tick1 = lastTick;
  const windowEnd = Date.now();
  const rendererCpu1 = await rendererCpuSeconds(browserCdp);
  const cores1 = coreTimes();
  machine.coresBusy = cores1.map((c, i) => {
    const b = cores0[i];
    return b && c.total > b.total ? (c.busy - b.busy) / (c.total - b.total) : NaN;
  });
  snapshots.push(await memorySnapshot(cdp, (windowEnd - windowStart) / 1000));
  machine.loadAverageEnd = loadavg()[0]!;

  // What the page shows at the end.
  const shown = await page.evaluate<{
    connection: string | null;
    activeAlarms: number;
    resolvedAlarms: number;
    hosts: number;
    vmRows: number;
    chartPoints: number;
    chartGaps: number;
    ticksSeen: number;
    longTasks: [number, number][];
  }>(`(() => {
    const q = (s) => document.querySelectorAll(s).length;
    const chart = document.querySelector('[data-testid=chart-cpu]');
    return {
      connection: document.querySelector('[data-testid=connection]')?.getAttribute('data-state') ?? null,
      activeAlarms: q('[data-testid=alarms] li[data-testid^="alarm-"]'),
      resolvedAlarms: q('[data-testid=alarms] .alarm-list.resolved li'),
      hosts: q('[data-testid=host-grid] [data-testid^="host-"]'),
      vmRows: q('tr[data-testid^="vm-"]'),
      chartPoints: Number(chart?.getAttribute('data-points') ?? NaN),
      chartGaps: Number(chart?.getAttribute('data-gaps') ?? NaN),
      ticksSeen: window.__bench.ticks,
      longTasks: window.__bench.longTasks,
    };
  })()`);

  // -------------------------------------------------------------- per tick
  const excluded = (a: Sample, b: Sample) =>
    snapshots.some((s) => s.to > a.at - 50 && s.from < b.at + 50);
  const perTick = {
    task: [] as number[],
    script: [] as number[],
    layout: [] as number[],
    style: [] as number[],
    heapMB: [] as number[],
  };
  let left = 0;
  let coalesced = 0;
  samples.sort((a, b) => a.tick - b.tick);
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    if (excluded(a, b)) {
      left++;
      continue;
    }
    const ticks = Math.max(1, b.tick - a.tick);
    if (ticks > 1) coalesced++;
    const d = (name: string) => ((b.m[name]! - a.m[name]!) * 1000) / ticks;
    perTick.task.push(d('TaskDuration'));
    perTick.script.push(d('ScriptDuration'));
    perTick.layout.push(d('LayoutDuration'));
    perTick.style.push(d('RecalcStyleDuration'));
    perTick.heapMB.push(mb(b.m['JSHeapUsedSize']!));
  }
  const task = percentiles(perTick.task);
  const script = percentiles(perTick.script);
  const layout = percentiles(perTick.layout);
  const style = percentiles(perTick.style);

  // Long tasks in the window, per minute.
  const windowSeconds = (windowEnd - windowStart) / 1000;
  const minutes = Math.max(1, Math.round(windowSeconds / 60));
  const longPerMinute = Array.from({ length: minutes }, () => ({ count: 0, totalMs: 0 }));
  for (const [start, duration] of shown.longTasks) {
    const s = (start - pageStart) / 1000;
    if (s < 0 || s > windowSeconds) continue;
    const m = longPerMinute[Math.min(minutes - 1, Math.floor(s / 60))]!;
    m.count++;
    m.totalMs += duration;
  }
  const longTotal = longPerMinute.reduce(
    (a, m) => ({ count: a.count + m.count, totalMs: a.totalMs + m.totalMs }),
    { count: 0, totalMs: 0 },
  );

  // Memory.
  const first = snapshots[0]!;
  const last = snapshots[snapshots.length - 1]!;
  const growthPct = ((last.heapUsed - first.heapUsed) / first.heapUsed) * 100;
  const maxDeviationPct = Math.max(
    ...snapshots.map((s) => Math.abs((s.heapUsed - first.heapUsed) / first.heapUsed) * 100),
  );
  // Least-squares slope of the heap after GC, MB per minute.
  const xs = snapshots.map((s) => s.t / 60);
  const ys = snapshots.map((s) => mb(s.heapUsed));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const den = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  const slope = den > 0 ? xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0) / den : NaN;
  const rendererCpuPct = ((rendererCpu1 - rendererCpu0) / windowSeconds) * 100;
  let perFrame: FrameWork | undefined;
  let tracePath: string | undefined;
  if (traceBuffer) {
    tracePath = jsonPath.replace(/\.json$/, '') + '.trace.json';
    mkdirSync(dirname(tracePath), { recursive: true });
    writeFileSync(tracePath, traceBuffer);
    perFrame = frameWork(traceBuffer, traceSeconds / (options.tickMs / 1000));
  }

  // -------------------------------------------------------------- profile
  let profileSummary: ProfileSummary | undefined;
  let profilePath: string | undefined;
  if (options.profile > 0) {
    console.log(`CPU profile of ${options.profile} s…`);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
    await sleep(options.profile * 1000);
    const { profile } = await cdp.send('Profiler.stop');
    profilePath = jsonPath.replace(/\.json$/, '') + '.cpuprofile';
    mkdirSync(dirname(profilePath), { recursive: true });
    writeFileSync(profilePath, JSON.stringify(profile));
    const sources = new Map<string, Promise<string | undefined>>();
    const source = (url: string) => {
      if (!sources.has(url))
        sources.set(
          url,
          url.startsWith('http')
            ? fetch(url)
                .then((r) => (r.ok ? r.text() : undefined))
                .catch(() => undefined)
            : Promise.resolve(undefined),
        );
      return sources.get(url)!;
    };
    profileSummary = await summariseProfile(
      profile as unknown as CpuProfile,
      options.profile / (options.tickMs / 1000),
      source,
    );
  }

  // -------------------------------------------------------------- report
  const unit = options.threadTicks ? 'thread CPU' : 'wall';
  const lines: string[] = [];
  const out = (s = '') => lines.push(s);
  out(
    `bench:web on ${machine.cpu} (${machine.cores} cores, ${machine.memoryGiB} GiB), node ${machine.node}, Chromium ${machine.chromium}${options.pin ? `, servers on core 0, Chromium on ${options.pinChromium ? 'core 1' : 'any core'}` : ''}`,
  );
  out(
    `${options.hosts} hosts, ${options.vms} VMs at ${options.tickMs} ms/tick; every panel open (VM table, resolved alarms, ${options.window}-min charts), 1440x1000, viewing ${options.view === 'vms' ? 'the VM table' : 'the top of the page'}; ${fmt(options.warmup, 0)} s warm-up, ${fmt(windowSeconds, 0)} s measured (ticks ${tick0}..${tick1}, ${shown.ticksSeen} seen by the page in all)`,
  );
  out(
    `at the end: ${shown.connection}, ${shown.hosts} hosts, ${shown.activeAlarms} active alarms, ${shown.resolvedAlarms} resolved shown, ${shown.vmRows} VM rows, ${shown.chartPoints} chart points (${shown.chartGaps} gaps)`,
  );
  out();
  out(`Main-thread work per tick (CDP Performance.getMetrics deltas, ${unit} time), ms:`);
  out();
  out('| per tick            | ticks |  p50 |  p90 |  p99 |   max | mean |');
  out('| ------------------- | ----: | ---: | ---: | ---: | ----: | ---: |');
  for (const [name, p] of [
    ['all tasks', task],
    ['script', script],
    ['layout', layout],
    ['style recalculation', style],
  ] as const)
    out(
      `| ${name.padEnd(19)} | ${String(p.count).padStart(5)} | ${fmt(p.p50).padStart(4)} | ${fmt(p.p90).padStart(4)} | ${fmt(p.p99).padStart(4)} | ${fmt(p.max).padStart(5)} | ${fmt(p.mean).padStart(4)} |`,
    );
  out();
  out(
    `(${left} intervals holding a forced GC left out; ${coalesced} intervals spanned more than one tick and count per tick.) Renderer CPU: ${fmt(rendererCpuPct)}% of a core. Cores busy: ${machine.coresBusy.map((b, i) => `${i}: ${fmt(b * 100, 0)}%`).join(', ')}; load average ${fmt(machine.loadAverageStart, 2)} -> ${fmt(machine.loadAverageEnd, 2)}.`,
  );
  out();
  if (perFrame) {
    out(
      `Main-thread work per animation frame (a ${fmt(traceSeconds, 0)} s Chrome trace in the middle of the window, ${tracePath ? basename(tracePath) : ''}): ${perFrame.frames} frames, ${perFrame.updateFrames} in which the page's script ran (${fmt(perFrame.perTick, 1)} a tick; the others only ran a CSS animation or held a forced GC); ${fmt(perFrame.outsideMsPerSecond)} ms a second of tasks outside any frame.`,
    );
    out();
    out('| per animation frame, ms              | frames |  p50 |  p90 |  p99 |   max | mean |');
    out('| ------------------------------------ | -----: | ---: | ---: | ---: | ----: | ---: |');
    for (const [name, p] of [
      ['main-thread busy, update frames', perFrame.busy],
      ['frame duration, update frames', perFrame.duration],
      ['main-thread busy, every frame', perFrame.busyAll],
    ] as const)
      out(
        `| ${name.padEnd(36)} | ${String(p.count).padStart(6)} | ${fmt(p.p50).padStart(4)} | ${fmt(p.p90).padStart(4)} | ${fmt(p.p99).padStart(4)} | ${fmt(p.max).padStart(5)} | ${fmt(p.mean).padStart(4)} |`,
      );
    out();
  }
  out(
    `Long tasks (PerformanceObserver 'longtask'): ${longTotal.count} in ${fmt(windowSeconds, 0)} s, ${fmt(longTotal.totalMs, 0)} ms in all; per minute: ${longPerMinute.map((m) => `${m.count}/${fmt(m.totalMs, 0)} ms`).join(', ')}`,
  );
  out();
  out('Memory (after a forced GC):');
  out();
  out('|                                 | end of warm-up |    end | growth |');
  out('| ------------------------------- | -------------: | -----: | -----: |');
  const row = (name: string, a: number, b: number, f: (n: number) => string) =>
    out(
      `| ${name.padEnd(31)} | ${f(a).padStart(14)} | ${f(b).padStart(6)} | ${`${fmt(((b - a) / a) * 100)}%`.padStart(6)} |`,
    );
  row('JS heap used, MB (getHeapUsage)', first.heapUsed, last.heapUsed, (n) => fmt(mb(n)));
  row('performance.memory used, MB', first.perfMemoryAfter, last.perfMemoryAfter, (n) =>
    fmt(mb(n)),
  );
  row('DOM nodes', first.nodes, last.nodes, (n) => fmt(n, 0));
  row('JS event listeners', first.listeners, last.listeners, (n) => fmt(n, 0));
  out();
  out(
    `Heap after GC per minute, MB (active alarms): ${snapshots.map((s) => `${fmt(mb(s.heapUsed))} (${s.activeAlarms})`).join(', ')} (slope ${fmt(slope, 2)} MB/min; largest deviation from the start ${fmt(maxDeviationPct)}%). Heap before GC per tick (JSHeapUsedSize): p50 ${fmt(percentiles(perTick.heapMB).p50)} MB, max ${fmt(percentiles(perTick.heapMB).max)} MB.`,
  );
  if (profileSummary) {
    const code = (r: ProfileRow) =>
      `\`${(r.snippet ?? '').replace(/\s+/g, ' ').slice(0, 100).replace(/`/g, "'").replace(/\|/g, '\\|')}\``;
    out();
    out(
      `CPU profile, ${options.profile} s (${profilePath ? basename(profilePath) : ''}; the profiler slows the page): main thread busy ${fmt(profileSummary.busyMs)} ms per tick, of which GC ${fmt(profileSummary.gcMs)} ms.`,
    );
    out(
      `Self time by script, ms per tick: ${profileSummary.byScript.map((s) => `${s.script} ${fmt(s.ms)}`).join('; ')}`,
    );
    out();
    out('Under React, by the first frame outside react-dom (components, effects), ms per tick:');
    out();
    out('| ms/tick | function | where | script | code |');
    out('| ------: | -------- | ----- | ------ | ---- |');
    for (const r of profileSummary.underReact.slice(0, 15))
      out(`| ${fmt(r.totalMs, 2)} | ${r.fn} | ${r.where} | ${r.script} | ${code(r)} |`);
    out();
    out('Heaviest functions, ms per tick:');
    out();
    out('| total | self | function | where | script | code |');
    out('| ----: | ---: | -------- | ----- | ------ | ---- |');
    for (const r of profileSummary.functions.slice(0, 25))
      out(
        `| ${fmt(r.totalMs, 2)} | ${fmt(r.selfMs, 2)} | ${r.fn} | ${r.where} | ${r.script} | ${code(r)} |`,
      );
  }
  if (problems.length) {
    out();
    out(
      `The page reported ${problems.length} problems, the first: ${problems.slice(0, 5).join(' / ')}`,
    );
  }
  out();
  const frameP50 = perFrame ? perFrame.busy.p50 : NaN;
  const medianMet = frameP50 <= goals.medianTaskMs;
  const memoryMet = maxDeviationPct <= goals.heapGrowthPct;
  out(
    `goal: main-thread work per frame at most ${goals.medianTaskMs} ms at the median: ${medianMet ? 'MET' : 'NOT MET'} (p50 ${perFrame ? `${fmt(frameP50)} ms per update frame` : 'not traced: --trace 0'}; ${fmt(task.p50)} ms per tick, over ${perFrame ? fmt(perFrame.perTick, 1) : '?'} frames)`,
  );
  out(
    `goal: memory flat (JS heap after GC within ${goals.heapGrowthPct}%) over ${fmt(windowSeconds / 60, 1)} min: ${memoryMet ? 'MET' : 'NOT MET'} (growth ${fmt(growthPct)}%, largest deviation ${fmt(maxDeviationPct)}%)`,
  );
  console.log(`\n${lines.join('\n')}`);

  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(
    jsonPath,
    JSON.stringify(
      {
        when: new Date().toISOString(),
        options,
        machine,
        cluster: { id: cluster.id, hosts: options.hosts, vms: options.vms },
        shown: { ...shown, longTasks: shown.longTasks.length },
        perTickMs: { task, script, layout, style },
        perTickRaw: perTick,
        perFrame: perFrame ? { trace: tracePath, ...perFrame } : undefined,
        intervalsLeftOut: left,
        coalesced,
        rendererCpuPct,
        longTasks: { total: longTotal, perMinute: longPerMinute },
        memory: { snapshots, growthPct, maxDeviationPct, slopeMBPerMinute: slope },
        profile: profileSummary ? { path: profilePath, ...profileSummary } : undefined,
        problems,
        goals: { ...goals, medianMet, memoryMet },
      },
      null,
      2,
    ),
  );
  console.log(`\nresults: ${jsonPath}`);
}

main()
  .then(cleanup, async (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    for (const proc of procs)
      if (proc.tail.length) console.error(`--- ${proc.name}:\n${proc.tail.slice(-15).join('\n')}`);
    await cleanup();
    process.exitCode = 1;
  })
  .finally(() => process.exit(process.exitCode ?? 0));
