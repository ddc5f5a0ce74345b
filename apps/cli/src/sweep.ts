// `npm run sim -- sweep scenario.yaml --cpu 1:4:0.25 --ram 1:2:0.1 --minutes 60`: the trade-off
// sweep (docs/sweep.md) from the command line. Flags become a sweep request (the contracts check
// it), the engine plans it, the points run on worker threads, and the answer prints with a table;
// --csv and --json write every figure.
import {
  ENGINE_CLUSTER_LIMITS,
  formatInputErrors,
  type InputError,
  parseRatioAxis,
  type SweepObjectiveId,
  type SweepPointResult,
  type SweepResult,
} from '@overcommit/contracts';
import { describePoint, planSweep, summarizeSweep } from '@overcommit/sim';
import { loadScenarioFile } from '@overcommit/scenario-files';
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { EXIT_BAD_INPUT, EXIT_OK, type Output } from './cli';
import { runPoints } from './sweep-pool';

/** Exit status when the sweep started but could not finish (a file could not be written). */
export const EXIT_FAILED = 1;

export const sweepUsage = `Usage: npm run sim -- sweep <scenario.yaml> --cpu RANGE --ram RANGE [options]
  --cpu RANGE          cpuAllocationRatio values: start:end:step (1:4:0.25) or a list (1,2,3)
  --ram RANGE          ramAllocationRatio values, the same way (1:2:0.1)
  --minutes N          simulated minutes each point runs (default 60)
  --ht on,off          hyper-threading on the host model: on, off or both (default: the scenario's)
  --placement P        spread, pack or spread,pack (default: the scenario's policy)
  --price USD          price of one host (default: the scenario's cost.hostPriceUsd)
  --kwh-price USD      price of a kWh (default: the scenario's cost.kwhPriceUsd)
  --step-seconds N     simulated seconds per tick (default: the scenario's clock.stepSeconds)
  --objective K=V      override an objective (repeatable): p95-ready=5 (p95 CPU ready below, %),
                       swap-in=0 (MiB swapped in at most), worst-perf=90 (worst VM above, %)
  --csv FILE           write every point as CSV
  --json FILE          write the whole result as JSON
  --workers N          worker threads (default: every core, ${availableParallelism()} here)`;

/** Objective names on the command line. */
const objectiveFlags: Record<string, SweepObjectiveId> = {
  'p95-ready': 'p95ReadyBelowPct',
  'swap-in': 'swapInAtMostMiB',
  'worst-perf': 'worstPerformanceAbovePct',
};

/** Which flag a request field comes from, for messages. */
function flagOf(path: string): string {
  const head = path.split(/[.[]/)[0]!;
  const flags: Record<string, string> = {
    cpu: '--cpu',
    ram: '--ram',
    minutes: '--minutes',
    stepSeconds: '--step-seconds',
    hostPriceUsd: '--price',
    kwhPriceUsd: '--kwh-price',
    hyperThreading: '--ht',
    placement: '--placement',
    objectives: '--objective',
  };
  if (head === 'objectives') {
    const key = path.split('.')[1] as SweepObjectiveId | undefined;
    const name = Object.entries(objectiveFlags).find(([, id]) => id === key)?.[0];
    return name ? `--objective ${name}` : '--objective';
  }
  return flags[head] ?? path;
}

const number = (flag: string, value: string): number | string => {
  const n = value.trim() === '' ? NaN : Number(value);
  return Number.isFinite(n) ? n : `${flag}: expected a number, got "${value}"`;
};

export interface SweepCliOptions {
  file: string;
  request: Record<string, unknown>;
  csv?: string;
  json?: string;
  workers: number;
}

/** The flags as a sweep request, or the first problem, naming its flag. */
export function parseSweepArgs(argv: string[]): SweepCliOptions | { error: string } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        cpu: { type: 'string' },
        ram: { type: 'string' },
        minutes: { type: 'string' },
        ht: { type: 'string' },
        placement: { type: 'string' },
        price: { type: 'string' },
        'kwh-price': { type: 'string' },
        'step-seconds': { type: 'string' },
        objective: { type: 'string', multiple: true },
        csv: { type: 'string' },
        json: { type: 'string' },
        workers: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    // One line: node's parser adds a hint on a second.
    return { error: (error as Error).message.split('\n')[0]! };
  }
  const { values, positionals } = parsed;
  if (values.help) return { error: 'help' };
  if (positionals.length !== 1)
    return {
      error:
        positionals.length === 0
          ? 'name a scenario file: sweep <scenario.yaml> --cpu ... --ram ...'
          : `one scenario file at a time, got ${positionals.length}`,
    };
  if (values.cpu === undefined)
    return { error: '--cpu is required: a range start:end:step (1:4:0.25) or a list (1,2,3)' };
  if (values.ram === undefined)
    return { error: '--ram is required: a range start:end:step (1:2:0.1) or a list (1,1.5)' };
  const request: Record<string, unknown> = {};
  for (const [flag, key, value] of [
    ['--cpu', 'cpu', values.cpu],
    ['--ram', 'ram', values.ram],
  ] as const) {
    const axis = parseRatioAxis(value);
    if (typeof axis === 'string') return { error: `${flag}: ${axis}` };
    request[key] = axis;
  }
  const numeric = [
    ['--minutes', 'minutes', values.minutes ?? '60'],
    ['--price', 'hostPriceUsd', values.price],
    ['--kwh-price', 'kwhPriceUsd', values['kwh-price']],
    ['--step-seconds', 'stepSeconds', values['step-seconds']],
  ] as const;
  for (const [flag, key, value] of numeric) {
    if (value === undefined) continue;
    const n = number(flag, value);
    if (typeof n === 'string') return { error: n };
    request[key] = n;
  }
  if (values.ht !== undefined)
    request['hyperThreading'] = values.ht.split(',').map((s) => s.trim());
  if (values.placement !== undefined)
    request['placement'] = values.placement.split(',').map((s) => s.trim());
  if (values.objective) {
    const objectives: Record<string, number> = {};
    for (const entry of values.objective) {
      const [name, value, ...rest] = entry.split('=');
      const id = objectiveFlags[name?.trim() ?? ''];
      if (!id || value === undefined || rest.length > 0)
        return {
          error: `--objective: expected one of ${Object.keys(objectiveFlags)
            .map((k) => `${k}=N`)
            .join(', ')}, got "${entry}"`,
        };
      const n = number(`--objective ${name}`, value);
      if (typeof n === 'string') return { error: n };
      objectives[id] = n;
    }
    request['objectives'] = objectives;
  }
  let workers = availableParallelism();
  if (values.workers !== undefined) {
    if (!/^\d+$/.test(values.workers) || Number(values.workers) < 1 || Number(values.workers) > 256)
      return { error: `--workers: a whole number from 1 to 256, got "${values.workers}"` };
    workers = Number(values.workers);
  }
  return {
    file: positionals[0]!,
    request,
    workers,
    ...(values.csv !== undefined ? { csv: values.csv } : {}),
    ...(values.json !== undefined ? { json: values.json } : {}),
  };
}

/** A request's errors as one line each, naming the flag. */
function flagErrors(errors: readonly InputError[]): string[] {
  return errors.map((e) => (e.path === '(root)' ? e.message : `${flagOf(e.path)}: ${e.message}`));
}

const fixed = (x: number, digits = 1) => x.toFixed(digits);
const ratio = (r: number) => `${Number(r.toFixed(6))}`;

function pad(cells: string[], widths: number[]): string {
  return cells
    .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
    .join(' ');
}

const failing = (p: SweepPointResult) =>
  p.meetsObjectives
    ? 'ok'
    : [
        p.objectives.p95ReadyBelowPct ? '' : 'ready',
        p.objectives.swapInAtMostMiB ? '' : 'swap',
        p.objectives.worstPerformanceAbovePct ? '' : 'perf',
      ]
        .filter(Boolean)
        .join(',');

/** The table of every point: `*` the recommended, `k` the knee, `=` the 1:1 reference. */
export function sweepTable(result: SweepResult): string[] {
  const points = result.points;
  const showHt = new Set(points.map((p) => p.hyperThreading)).size > 1;
  const showPlacement = new Set(points.map((p) => p.placement)).size > 1;
  const head = ['', 'cpu', 'ram'];
  if (showHt) head.push('HT');
  if (showPlacement) head.push('place');
  head.push(
    'hosts',
    'cost $',
    'power W',
    'ready p50',
    'p95',
    'p99',
    'costop95',
    'balloon',
    'swapped',
    'swapIn',
    'perf',
    'worst',
    'alarms',
    'objectives',
  );
  const cellsOf = (p: SweepPointResult, mark: string) => {
    const cells = [mark, ratio(p.cpuAllocationRatio), ratio(p.ramAllocationRatio)];
    if (showHt) cells.push(p.hyperThreading ? 'on' : 'off');
    if (showPlacement) cells.push(p.placement);
    cells.push(
      String(p.hosts),
      p.purchaseUsd === null ? '-' : Math.round(p.purchaseUsd).toLocaleString('en-US'),
      fixed(p.meanPowerW, 0),
      fixed(p.readyPct.p50, 2),
      fixed(p.readyPct.p95, 2),
      fixed(p.readyPct.p99, 2),
      fixed(p.costopP95Pct, 2),
      `${fixed(p.balloonMiB.mean / 1024, 1)}G`,
      `${fixed(p.swappedMiB.max / 1024, 1)}G`,
      fixed(p.swapInMiB, 0),
      fixed(p.performancePct.mean, 1),
      fixed(p.performancePct.worst, 1),
      String(p.alarmsFired),
      failing(p),
    );
    return cells;
  };
  const isReference = (p: SweepPointResult) =>
    p.cpuAllocationRatio === 1 &&
    p.ramAllocationRatio === 1 &&
    p.hyperThreading === result.reference.hyperThreading &&
    p.placement === result.reference.placement;
  const rows = points.map((p, i) =>
    cellsOf(
      p,
      (i === result.recommended ? '*' : '') +
        (i === result.knee ? 'k' : '') +
        (isReference(p) ? '=' : ''),
    ),
  );
  if (!points.some(isReference)) rows.push(cellsOf(result.reference, '='));
  // Each column as wide as its widest cell.
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const lines = [pad(head, widths), ...rows.map((r) => pad(r, widths))];
  lines.push(
    `* recommended  k knee  = 1:1 reference   balloon: mean per VM; swapped: the largest VM; swapIn: MiB in all; perf: mean and worst VM %`,
  );
  return lines;
}

const csvColumns: [string, (p: SweepPointResult) => string | number | boolean | null][] = [
  ['cpuAllocationRatio', (p) => p.cpuAllocationRatio],
  ['ramAllocationRatio', (p) => p.ramAllocationRatio],
  ['hyperThreading', (p) => p.hyperThreading],
  ['placement', (p) => p.placement],
  ['hosts', (p) => p.hosts],
  ['hostsLowerBound', (p) => p.hostsLowerBound],
  ['purchaseUsd', (p) => p.purchaseUsd],
  ['meanPowerW', (p) => p.meanPowerW],
  ['energyKWh', (p) => p.energyKWh],
  ['readyP50Pct', (p) => p.readyPct.p50],
  ['readyP95Pct', (p) => p.readyPct.p95],
  ['readyP99Pct', (p) => p.readyPct.p99],
  ['costopP95Pct', (p) => p.costopP95Pct],
  ['balloonMeanMiB', (p) => p.balloonMiB.mean],
  ['balloonMaxMiB', (p) => p.balloonMiB.max],
  ['compressedMeanMiB', (p) => p.compressedMiB.mean],
  ['compressedMaxMiB', (p) => p.compressedMiB.max],
  ['swappedMeanMiB', (p) => p.swappedMiB.mean],
  ['swappedMaxMiB', (p) => p.swappedMiB.max],
  ['swapInMiB', (p) => p.swapInMiB],
  ['performanceMeanPct', (p) => p.performancePct.mean],
  ['performanceWorstPct', (p) => p.performancePct.worst],
  ['worstVm', (p) => p.performancePct.worstVm],
  ['alarmsFired', (p) => p.alarmsFired],
  ['p95ReadyHeld', (p) => p.objectives.p95ReadyBelowPct],
  ['swapInHeld', (p) => p.objectives.swapInAtMostMiB],
  ['worstPerformanceHeld', (p) => p.objectives.worstPerformanceAbovePct],
  ['meetsObjectives', (p) => p.meetsObjectives],
];

const csvCell = (v: string | number | boolean | null) => {
  if (v === null) return '';
  const text = String(v);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** Every point as CSV, with `recommended`, `knee` and `reference` columns; the reference last when outside the grid. */
export function sweepCsv(result: SweepResult): string {
  const lines = [
    [...csvColumns.map(([name]) => name), 'recommended', 'knee', 'reference'].join(','),
  ];
  const isReference = (p: SweepPointResult) =>
    p.cpuAllocationRatio === 1 &&
    p.ramAllocationRatio === 1 &&
    p.hyperThreading === result.reference.hyperThreading &&
    p.placement === result.reference.placement;
  const line = (p: SweepPointResult, i: number | null) =>
    [
      ...csvColumns.map(([, get]) => csvCell(get(p))),
      i !== null && i === result.recommended,
      i !== null && i === result.knee,
      isReference(p),
    ].join(',');
  result.points.forEach((p, i) => lines.push(line(p, i)));
  if (!result.points.some(isReference)) lines.push(line(result.reference, null));
  return `${lines.join('\n')}\n`;
}

/** A progress bar: `[#####.....] 12/26 points  0:14`. */
export function progressBar(done: number, total: number, seconds: number): string {
  const width = 30;
  const filled = total > 0 ? Math.round((done / total) * width) : width;
  const s = Math.floor(seconds);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} points  ${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** `sweep` as the runner's subcommand; resolves with the exit status. */
export async function runSweepCli(argv: string[], io: Output): Promise<number> {
  const say = (line: string) => io.err(`overcommit-sim sweep: ${line}`);
  const options = parseSweepArgs(argv);
  if ('error' in options) {
    if (options.error === 'help') {
      io.out(sweepUsage);
      return EXIT_OK;
    }
    say(options.error);
    return EXIT_BAD_INPUT;
  }
  const loaded = loadScenarioFile(options.file, {
    limits: ENGINE_CLUSTER_LIMITS,
    sizeBounds: null,
  });
  if (!loaded.ok) {
    const fileError = loaded.errors.length === 1 && loaded.errors[0]!.path === '(file)';
    if (fileError) say(`${options.file}: ${loaded.errors[0]!.message}`);
    else {
      say(
        `${options.file} is not a valid scenario (${loaded.errors.length} error${loaded.errors.length === 1 ? '' : 's'}); nothing ran:`,
      );
      for (const line of formatInputErrors(loaded.errors).split('\n')) io.err(`  ${line}`);
    }
    return EXIT_BAD_INPUT;
  }
  const scenario = loaded.scenario;
  const planned = planSweep(scenario, options.request);
  if (!planned.ok) {
    for (const line of flagErrors(planned.errors)) say(line);
    return EXIT_BAD_INPUT;
  }
  const plan = planned.plan;
  const runs = plan.referenceIndex === null ? [...plan.points, plan.reference] : plan.points;
  const started = Date.now();
  // The whole process's CPU time, worker threads included (getrusage).
  const cpuBefore = process.cpuUsage();
  const progress = io.progress ? (line: string | null) => io.progress?.(line) : undefined;
  progress?.(progressBar(0, runs.length, 0));
  let results: SweepPointResult[];
  try {
    results = await runPoints(scenario, runs, plan.settings, options.workers, (done) =>
      progress?.(progressBar(done, runs.length, (Date.now() - started) / 1000)),
    );
  } catch (error) {
    progress?.(null);
    say(`a point failed: ${(error as Error).message}`);
    return EXIT_FAILED;
  }
  progress?.(null);
  const points = results.slice(0, plan.points.length);
  const reference =
    plan.referenceIndex === null ? results[plan.points.length]! : points[plan.referenceIndex]!;
  const result = summarizeSweep(plan, points, reference);
  const seconds = (Date.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  io.out(
    `sweep of ${scenario.name}: ${plan.points.length} points${plan.referenceIndex === null ? ' and the 1:1 reference' : ''}, ${plan.vms.toLocaleString('en-US')} VMs, ${plan.settings.minutes} simulated minute${plan.settings.minutes === 1 ? '' : 's'} each at ${plan.settings.stepSeconds} s a tick; host model ${plan.hostModel}; price ${plan.settings.hostPriceUsd === null ? 'none' : `$${plan.settings.hostPriceUsd.toLocaleString('en-US')} a host (${plan.priceSource})`}; ${seconds.toFixed(1)} s on ${Math.min(options.workers, runs.length)} worker${options.workers === 1 ? '' : 's'} (${cpuSeconds.toFixed(1)} s of CPU)`,
  );
  for (const line of sweepTable(result)) io.out(line);
  io.out('');
  io.out(`${result.answer[0]!.toUpperCase()}${result.answer.slice(1)}.`);
  if (result.recommended !== null) {
    const p = result.points[result.recommended]!;
    io.out(
      `Recommended: ${describePoint(p, result.points)}; p95 ready ${fixed(p.readyPct.p95, 2)} %, worst VM ${fixed(p.performancePct.worst, 1)} % (${p.performancePct.worstVm}), swap-in ${fixed(p.swapInMiB, 0)} MiB.`,
    );
  }
  try {
    if (options.csv !== undefined) writeFileSync(options.csv, sweepCsv(result));
    if (options.json !== undefined)
      writeFileSync(options.json, `${JSON.stringify(result, null, 2)}\n`);
  } catch (error) {
    say(`could not write: ${(error as Error).message}`);
    return EXIT_FAILED;
  }
  return EXIT_OK;
}
