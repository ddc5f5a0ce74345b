import {
  type Command,
  ENGINE_CLUSTER_LIMITS,
  type Frame,
  type FrameEvent,
  formatInputErrors,
  parseCommand,
  quantizeFrame,
  quantizeVms,
  type Scenario,
  type VmFrame,
} from '@overcommit/contracts';
import { createCluster, step } from '@overcommit/sim';
import { parseArgs } from 'node:util';
import { loadScenarioFile, readTextFile } from '@overcommit/scenario-files';
import { closingReport, summary } from './table';
import { cliVersion } from './version';

export interface Output {
  out(line: string): void;
  err(line: string): void;
  /** A progress line redrawn in place (the sweep's bar); null clears it. Absent: no progress shown. */
  progress?(line: string | null): void;
}

/** Exit statuses: 0 done, 2 bad input (arguments, scenario or commands; nothing ran). */
export const EXIT_OK = 0;
export const EXIT_BAD_INPUT = 2;

const usage = `Usage: npm run sim -- <scenario.yaml> [--ticks N] [--format jsonl|table] [--every N] [--commands file.jsonl] [--seed N] [--vms]
       npm run sim -- sweep <scenario.yaml> --cpu 1:4:0.25 --ram 1:2:0.1 [--minutes 60] (sweep --help)
  --ticks N        ticks to run (default 600)
  --format F       jsonl: one frame per line; table: a summary every --every ticks and a closing report (default)
  --every N        ticks between table summaries (default 60)
  --commands F     JSON lines, each a command plus "tick": the tick before which it is sent
  --seed N         override the scenario's seed
  --vms            include per-VM metrics in jsonl frames
  --version, --help`;

function wholeNumber(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
): number | string {
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value) || Number(value) < min)
    return `--${name} must be a whole number of at least ${min}, got "${value}"`;
  return Number(value);
}

/** Commands from a JSON-lines file: each line a command with a `tick`. */
export function loadCommands(
  path: string,
): { ok: true; byTick: Map<number, Command[]> } | { ok: false; errors: string[] } {
  const file = readTextFile(path);
  if (!file.ok) return { ok: false, errors: [file.reason] };
  const text = file.text;
  const byTick = new Map<number, Command[]>();
  const errors: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '' || line.trim().startsWith('#')) return;
    const where = `${path}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      errors.push(`${where}: not JSON (${(error as Error).message})`);
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      errors.push(
        `${where}: expected an object such as {"tick": 30, "do": "fail-host", "target": "esx-01"}`,
      );
      return;
    }
    const { tick, ...rest } = value as Record<string, unknown>;
    if (typeof tick !== 'number' || !Number.isInteger(tick) || tick < 1) {
      errors.push(`${where}: tick: expected a whole number of at least 1`);
      return;
    }
    const parsed = parseCommand({ id: `line-${i + 1}`, by: 'cli', ...rest });
    if (!parsed.ok) {
      for (const e of parsed.errors) errors.push(`${where}: ${e.path}: ${e.message}`);
      return;
    }
    byTick.set(tick, [...(byTick.get(tick) ?? []), parsed.command]);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, byTick };
}

export interface RunOptions {
  ticks: number;
  seed?: number;
  vmMetrics?: boolean;
  commands?: Map<number, Command[]>;
}

/**
 * Runs a scenario headless, handing each frame (and its per-VM table, with `vmMetrics`) to
 * `onFrame` at the precision the wire gives them: what prints is what a dashboard shows.
 */
export function runScenario(
  scenario: Scenario,
  options: RunOptions,
  onFrame: (frame: Frame, vms: VmFrame[] | null) => void,
): void {
  const state = createCluster(
    options.seed === undefined ? scenario : { ...scenario, seed: options.seed },
  );
  for (let t = 1; t <= options.ticks; t++) {
    const { frame, vms } = step(state, options.commands?.get(t) ?? [], {
      vmMetrics: options.vmMetrics ?? false,
    });
    onFrame(quantizeFrame(frame), vms && quantizeVms(vms));
  }
}

/** The headless runner's entry point; returns the exit status. */
export function runCli(argv: string[], io: Output): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        version: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
        ticks: { type: 'string' },
        format: { type: 'string' },
        every: { type: 'string' },
        commands: { type: 'string' },
        seed: { type: 'string' },
        vms: { type: 'boolean' },
      },
    });
  } catch (error) {
    io.err(`overcommit-sim: ${(error as Error).message}`);
    io.err(usage);
    return EXIT_BAD_INPUT;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    io.out(cliVersion);
    return EXIT_OK;
  }
  if (values.help) {
    io.out(usage);
    return EXIT_OK;
  }
  const problems: string[] = [];
  if (positionals.length !== 1)
    problems.push(
      positionals.length === 0
        ? 'name a scenario file'
        : `one scenario file at a time, got ${positionals.length}`,
    );
  const ticks = wholeNumber('ticks', values.ticks, 600, 1);
  const every = wholeNumber('every', values.every, 60, 1);
  const seed =
    values.seed === undefined ? undefined : wholeNumber('seed', values.seed, 0, -2147483648);
  const format = values.format ?? 'table';
  for (const v of [ticks, every, seed]) if (typeof v === 'string') problems.push(v);
  if (format !== 'jsonl' && format !== 'table')
    problems.push(`--format must be jsonl or table, got "${format}"`);
  if (problems.length > 0) {
    for (const p of problems) io.err(`overcommit-sim: ${p}`);
    io.err(usage);
    return EXIT_BAD_INPUT;
  }
  // Headless, a scenario may be a whole data center: the engine's limits, not a live cluster's.
  const loaded = loadScenarioFile(positionals[0]!, {
    limits: ENGINE_CLUSTER_LIMITS,
    sizeBounds: null,
  });
  if (!loaded.ok) {
    io.err(
      `overcommit-sim: ${positionals[0]} is not a valid scenario (${loaded.errors.length} error${loaded.errors.length === 1 ? '' : 's'}); nothing ran:`,
    );
    for (const line of formatInputErrors(loaded.errors).split('\n')) io.err(`  ${line}`);
    return EXIT_BAD_INPUT;
  }
  let commands: Map<number, Command[]> | undefined;
  if (values.commands !== undefined) {
    const c = loadCommands(values.commands);
    if (!c.ok) {
      io.err(`overcommit-sim: ${values.commands} has bad commands; nothing ran:`);
      for (const line of c.errors) io.err(`  ${line}`);
      return EXIT_BAD_INPUT;
    }
    commands = c.byTick;
  }
  const options: RunOptions = {
    ticks: ticks as number,
    seed: seed as number | undefined,
    vmMetrics: format === 'jsonl' && values.vms === true,
    commands,
  };
  if (format === 'jsonl') {
    // One line per tick: the frame, and with --vms its per-VM table as `vms`.
    runScenario(loaded.scenario, options, (frame, vms) =>
      io.out(JSON.stringify(vms ? { ...frame, vms } : frame)),
    );
    return EXIT_OK;
  }
  const events: FrameEvent[] = [];
  let last: Frame | undefined;
  runScenario(loaded.scenario, options, (frame) => {
    events.push(...frame.events);
    last = frame;
    if (frame.tick % (every as number) === 0 || frame.tick === 1)
      for (const line of summary(frame)) io.out(line);
  });
  if (last) for (const line of closingReport(loaded.scenario, last, events)) io.out(line);
  return EXIT_OK;
}
