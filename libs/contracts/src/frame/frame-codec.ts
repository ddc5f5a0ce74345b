import {
  type AlarmFrame,
  type ClusterFrame,
  type ExerciseFrame,
  type ObjectiveScore,
  type ResponseScore,
  alarmStates,
  type Frame,
  type FrameEvent,
  type HostFrame,
  hostStates,
  memStates,
  type NumaNodeFrame,
  severities,
  type VmFrame,
  vmStates,
} from './frame.schema';
import { alarmRuleIds } from '../scenario/scenario.schema';

// The wire form of frames: what the frames stream stores, what `frame` and
// `vms` events carry, and what a join's reply holds. It is one JSON string
// per tick, built once by the worker and relayed untouched by every API
// instance, so socket.io encodes it once per broadcast.
//
// What makes it small (about a tenth of the frame as plain JSON):
// - columns: a table of hosts (or VMs, alarms) is sent as one array per
//   field, so field names appear once, not once per row;
// - quantization to the precision a chart or a table shows: each numeric
//   field has a number of decimals (percentages 0.1, ratios 0.01, MiB whole)
//   and travels as a whole number scaled by it; enums travel as indexes;
// - runs: a column whose neighbours repeat (hosts of one model, idle swap)
//   travels as `{ "r": [value, count, ...] }`, and numbered names
//   (esx-001 .. esx-200) as `["esx-", 1, 200, 3]` (base, first, count, width).
// Values are absolute (no deltas against an earlier frame), so a client can
// start from any frame and a dropped frame costs nothing but its tick.
//
// This file is the only place that decides decimals: the engine's figures are
// exact, and the specs below say, field by field, how many each keeps.
// `quantizeFrame` gives a frame at that precision for what prints frames as
// JSON (the CLI) without the columns.

/** Bumped when the layout changes; decoders refuse other versions. */
export const WIRE_VERSION = 1;

/** How one field travels: scaled to `d` decimals, an enum's index, a boolean, text, or as-is JSON. */
type Kind =
  { d: number; nullable?: true } | { enum: readonly string[] } | 'bool' | 'str' | 'str?' | 'json';

type Spec<T> = { [K in keyof T]-?: Kind };

const pct: Kind = { d: 1 };
/** Simulated seconds, to the millisecond. */
const time: Kind = { d: 3 };
const ratio: Kind = { d: 2 };
const whole: Kind = { d: 0 };

const numaSpec: Spec<NumaNodeFrame> = {
  node: whole,
  cpuUsagePct: pct,
  memUsedMiB: whole,
  memTotalMiB: whole,
  remoteAccessPct: pct,
};

const hostSpec: Spec<Omit<HostFrame, 'numa'>> = {
  name: 'str',
  state: { enum: hostStates },
  hyperThreading: 'bool',
  logicalCpus: whole,
  physicalCores: whole,
  vcpus: whole,
  vmsRunning: whole,
  cpuUsagePct: pct,
  cpuDemandPct: pct,
  cpuReadyPct: pct,
  vcpuRatio: ratio,
  memTotalMiB: whole,
  memConfiguredMiB: whole,
  memActiveMiB: whole,
  memConsumedMiB: whole,
  memOvercommitRatio: ratio,
  memState: { enum: memStates },
  memFreeMiB: whole,
  sharedMiB: whole,
  balloonMiB: whole,
  compressedMiB: whole,
  swapUsedMiB: whole,
  swapTotalMiB: whole,
  swapInMiBps: pct,
  powerWatts: whole,
};

const vmSpec: Spec<VmFrame> = {
  name: 'str',
  host: 'str?',
  state: { enum: vmStates },
  vcpus: whole,
  memConfiguredMiB: whole,
  cpuDemandPct: pct,
  cpuUsagePct: pct,
  cpuReadyPct: pct,
  cpuRunPct: pct,
  cpuIdlePct: pct,
  costopPct: pct,
  memActiveMiB: whole,
  balloonMiB: whole,
  compressedMiB: whole,
  swappedMiB: whole,
  swapInMiBps: pct,
  numaNodes: 'json',
  numaLocalPct: pct,
  performancePct: pct,
  memMissingPct: pct,
  migration: 'json',
};

const clusterSpec: Spec<Omit<ClusterFrame, 'alarms'>> = {
  hostsTotal: whole,
  hostsUp: whole,
  vmsTotal: whole,
  vmsRunning: whole,
  vcpus: whole,
  logicalCpus: whole,
  vcpuRatio: ratio,
  cpuAllocationRatio: ratio,
  memConfiguredMiB: whole,
  memTotalMiB: whole,
  memOvercommitRatio: ratio,
  ramAllocationRatio: ratio,
  cpuUsagePct: pct,
  cpuReadyPct: pct,
  memActiveMiB: whole,
  memConsumedMiB: whole,
  balloonMiB: whole,
  compressedMiB: whole,
  swapUsedMiB: whole,
  powerWatts: whole,
  energyKWh: { d: 3 },
  worstPerformancePct: pct,
};

const objectiveSpec: Spec<ObjectiveScore> = {
  id: 'str',
  text: 'str',
  weight: pct,
  heldPct: pct,
  points: pct,
  holding: 'bool',
  value: { d: 3, nullable: true },
  violations: whole,
};

const seconds: Kind = { d: 1, nullable: true };
const responseSpec: Spec<ResponseScore> = {
  critical: whole,
  acknowledged: whole,
  resolved: whole,
  ackMeanSeconds: seconds,
  ackWorstSeconds: seconds,
  resolveMeanSeconds: seconds,
  resolveWorstSeconds: seconds,
  ackTargetSeconds: seconds,
  resolveTargetSeconds: seconds,
  ackMet: 'bool',
  resolveMet: 'bool',
};

const migrationSpec: Spec<NonNullable<VmFrame['migration']>> = {
  from: 'str',
  to: 'str',
  round: whole,
  progressPct: pct,
  transferredMiB: whole,
  remainingMiB: whole,
  throttlePct: whole,
};

const alarmSpec: Spec<AlarmFrame> = {
  id: 'str',
  rule: { enum: alarmRuleIds },
  target: 'str',
  severity: { enum: severities },
  state: { enum: alarmStates },
  since: pct,
  firedAt: { d: 1, nullable: true },
  value: ratio,
  threshold: ratio,
  ackedBy: 'str?',
  ackNote: 'str?',
  ackedAt: { d: 1, nullable: true },
  resolvedAt: { d: 1, nullable: true },
};

/** A table in columns: `n` rows, one array per field. */
interface Columns {
  n: number;
  [field: string]: unknown[] | number;
}

function encodeValue(kind: Kind, value: unknown): unknown {
  if (kind === 'bool') return value ? 1 : 0;
  if (kind === 'str' || kind === 'str?' || kind === 'json') return value ?? null;
  if ('enum' in kind) return kind.enum.indexOf(value as string);
  if (value === null || value === undefined) return null;
  return Math.round((value as number) * 10 ** kind.d);
}

function decodeValue(kind: Kind, value: unknown): unknown {
  if (kind === 'bool') return value === 1;
  if (kind === 'str' || kind === 'str?' || kind === 'json') return value;
  if ('enum' in kind) return kind.enum[value as number];
  if (value === null) return null;
  // Division by a power of ten gives the nearest double to the decimal (0.3, not 0.30000000000000004).
  return kind.d === 0 ? value : (value as number) / 10 ** kind.d;
}

/** A column as runs `{ r: [value, count, ...] }` when that is shorter than the plain array. */
function packRuns(values: unknown[]): unknown[] | { r: unknown[] } {
  const runs: unknown[] = [];
  for (let i = 0; i < values.length;) {
    let j = i + 1;
    while (j < values.length && values[j] === values[i]) j++;
    runs.push(values[i], j - i);
    i = j;
  }
  return runs.length < values.length * 0.75 ? { r: runs } : values;
}

function unpackRuns(packed: unknown, field: string): unknown[] {
  if (Array.isArray(packed)) return packed;
  const runs = (packed as { r?: unknown } | null)?.r;
  if (!Array.isArray(runs)) throw new Error(`wire frame: column ${field} is not an array or runs`);
  const values: unknown[] = [];
  for (let i = 0; i < runs.length; i += 2) {
    for (let k = 0; k < (runs[i + 1] as number); k++) values.push(runs[i]);
  }
  return values;
}

const numbered = /^(.*?)(\d+)$/;

/** Names as plain strings, with runs of numbered names (web-01, web-02, ...) as [base, first, count, width]. */
function packNames(names: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < names.length;) {
    const m = typeof names[i] === 'string' ? numbered.exec(names[i] as string) : null;
    if (m) {
      const [, base, digits] = m as unknown as [string, string, string];
      const first = Number(digits);
      let j = i + 1;
      while (
        j < names.length &&
        names[j] === `${base}${String(first + j - i).padStart(digits.length, '0')}`
      )
        j++;
      if (j - i >= 3 && String(first).length <= digits.length) {
        out.push([base, first, j - i, digits.length]);
        i = j;
        continue;
      }
    }
    out.push(names[i]);
    i++;
  }
  return out;
}

function unpackNames(packed: unknown[]): unknown[] {
  const names: unknown[] = [];
  for (const item of packed) {
    if (!Array.isArray(item)) {
      names.push(item);
      continue;
    }
    const [base, first, count, width] = item as [string, number, number, number];
    for (let k = 0; k < count; k++) names.push(`${base}${String(first + k).padStart(width, '0')}`);
  }
  return names;
}

function toColumns<T>(rows: readonly T[], spec: Spec<T>): Columns {
  const out: Columns = { n: rows.length };
  for (const field of Object.keys(spec) as (keyof T & string)[]) {
    const kind = spec[field];
    const values = rows.map((row) => encodeValue(kind, row[field]));
    // Names (unique, often numbered) as name runs; optional text (mostly null:
    // an alarm's ackNote, a VM's host) and numbers as value runs.
    out[field] =
      kind === 'json'
        ? values
        : kind === 'str'
          ? packNames(values)
          : (packRuns(values) as unknown[]);
  }
  return out;
}

/** One column's values, unpacked and decoded. */
function columnOf<T>(columns: Columns, spec: Spec<T>, field: keyof T & string): unknown[] {
  const kind = spec[field];
  const packed = columns[field];
  const values =
    kind === 'json'
      ? packed
      : kind === 'str'
        ? Array.isArray(packed)
          ? unpackNames(packed)
          : packed
        : unpackRuns(packed, field);
  if (!Array.isArray(values) || values.length !== columns.n)
    throw new Error(`wire frame: column ${field} is missing or has the wrong length`);
  return kind === 'str' || kind === 'str?' || kind === 'json'
    ? values
    : values.map((v) => decodeValue(kind, v));
}

/** A record's fields at their spec's precision, as plain JSON values (booleans, numbers, text). */
function quantizeRecord<T extends object>(record: T, spec: Spec<T>): T {
  const out = { ...record } as Record<string, unknown>;
  for (const field of Object.keys(spec) as (keyof T & string)[]) {
    const kind = spec[field];
    // An optional figure an older frame lacks stays absent.
    if (record[field] === undefined) continue;
    if (typeof kind === 'object' && 'd' in kind)
      out[field] = decodeValue(kind, encodeValue(kind, record[field]));
  }
  return out as T;
}

/** The cluster's summary at wire precision (what the frames carry; also the cluster listing's copy). */
export function quantizeCluster(cluster: ClusterFrame): ClusterFrame {
  return quantizeRecord(cluster, clusterSpec as Spec<ClusterFrame>);
}

/** An exercise's own figures (its objectives and response have their specs); the rest as is. */
const exerciseSpec: Spec<ExerciseFrame> = {
  elapsedSeconds: seconds,
  durationSeconds: 'json',
  finished: 'bool',
  points: pct,
  maxPoints: 'json',
  objectives: 'json',
  response: 'json',
};

function quantizeExercise(exercise: ExerciseFrame): ExerciseFrame {
  return {
    ...quantizeRecord(exercise, exerciseSpec),
    objectives: exercise.objectives.map((o) => quantizeRecord(o, objectiveSpec)),
    response: quantizeRecord(exercise.response, responseSpec),
  };
}

interface WireFrame {
  v: number;
  tick: number;
  time: number;
  stepSeconds: number;
  cluster: Frame['cluster'];
  hosts: Columns;
  /** NUMA nodes of every host, in host order; `count` says how many each host has. */
  numa: Columns & { count: number[] };
  alarms: Columns;
  events: FrameEvent[];
  /** An exercise's score (a few numbers per objective), quantized in place. */
  exercise?: ExerciseFrame;
}

/** The frame as one compact JSON string (per-VM metrics travel on their own: `encodeVms`). */
export function encodeFrame(frame: Frame): string {
  const wire: WireFrame = {
    v: WIRE_VERSION,
    tick: frame.tick,
    time: decodeValue(time, encodeValue(time, frame.time)) as number,
    stepSeconds: frame.stepSeconds,
    cluster: quantizeCluster(frame.cluster),
    hosts: toColumns(frame.hosts, hostSpec),
    numa: {
      ...toColumns(
        frame.hosts.flatMap((h) => h.numa),
        numaSpec,
      ),
      count: frame.hosts.map((h) => h.numa.length),
    },
    alarms: toColumns(frame.alarms, alarmSpec),
    events: frame.events,
  };
  if (frame.exercise) wire.exercise = quantizeExercise(frame.exercise);
  return JSON.stringify(wire);
}

/** The frame at the precision it travels with, as plain rows (the wire's round trip). */
export function quantizeFrame(frame: Frame): Frame {
  return decodeFrame(encodeFrame(frame));
}

/** The per-VM table at the precision it travels with. */
export function quantizeVms(vms: readonly VmFrame[]): VmFrame[] {
  return decodeVms(encodeVms(vms));
}

function parseWire(text: string, what: string): Record<string, unknown> {
  const parsed = JSON.parse(text) as Record<string, unknown>;
  if (parsed['v'] !== WIRE_VERSION)
    throw new Error(
      `${what}: wire version ${String(parsed['v'])}, expected ${WIRE_VERSION} (client and server differ: reload)`,
    );
  return parsed;
}

/** A wire frame's tick, read without decoding the rest (the layout starts `{"v":1,"tick":N,`). */
export function wireTick(text: string): number {
  const match = /^\{"v":\d+,"tick":(\d+),/.exec(text);
  return match ? Number(match[1]) : decodeFrame(text).tick;
}

/**
 * A table read column by column: each column decoded once, when first asked for; a row built
 * only when asked for. What the dashboard keeps from the wire to its charts (Grafana's data
 * frames: a panel reads the fields it draws, not objects per row).
 */
export interface Table<T> {
  /** How many rows. */
  readonly length: number;
  /** One field of every row, in order (decoded once). */
  column<K extends keyof T>(field: K): readonly T[K][];
  /** The i-th row as an object (a new one each call). */
  row(i: number): T;
  /** Every row as an object, built field by field (for a panel that lists them all). */
  rows(): T[];
}

function tableOf<T>(columns: Columns, spec: Spec<T>, what: string): Table<T> {
  if (typeof columns?.n !== 'number') throw new Error(`${what}: wire form without a count`);
  const decoded = new Map<keyof T, unknown[]>();
  const fields = Object.keys(spec) as (keyof T & string)[];
  const column = <K extends keyof T>(field: K): T[K][] => {
    let values = decoded.get(field);
    if (!values) {
      values = columnOf(columns, spec, field as keyof T & string);
      decoded.set(field, values);
    }
    return values as T[K][];
  };
  return {
    length: columns.n,
    column,
    row(i) {
      const row: Record<string, unknown> = {};
      for (const field of fields) row[field] = column(field)[i];
      return row as T;
    },
    rows() {
      const rows: Record<string, unknown>[] = Array.from({ length: columns.n }, () => ({}));
      for (const field of fields) {
        const values = column(field);
        for (let i = 0; i < columns.n; i++) rows[i]![field] = values[i];
      }
      return rows as T[];
    },
  };
}

/** A host's row without its NUMA nodes (they are a table of their own). */
export type HostRow = Omit<HostFrame, 'numa'>;

/** A frame as its wire form holds it: the summary as is, the hosts and their NUMA nodes as tables. */
export interface FrameColumns {
  tick: number;
  time: number;
  stepSeconds: number;
  cluster: ClusterFrame;
  hosts: Table<HostRow>;
  /** Every host's NUMA nodes, in host order; `numaCount[h]` says how many host h has. */
  numa: Table<NumaNodeFrame>;
  numaCount: readonly number[];
  alarms: Table<AlarmFrame>;
  events: FrameEvent[];
  exercise?: ExerciseFrame;
}

/** The frame's tables from its wire form, decoded column by column as they are read. */
export function decodeFrameColumns(text: string): FrameColumns {
  const wire = parseWire(text, 'frame') as unknown as WireFrame;
  const hosts = tableOf(wire.hosts, hostSpec, 'frame hosts');
  const numaCount = wire.numa?.count;
  if (!Array.isArray(numaCount) || numaCount.length !== hosts.length)
    throw new Error('wire frame: numa counts missing or not one per host');
  return {
    tick: wire.tick,
    time: wire.time,
    stepSeconds: wire.stepSeconds,
    cluster: wire.cluster,
    hosts,
    numa: tableOf(wire.numa, numaSpec, 'frame numa'),
    numaCount,
    alarms: tableOf(wire.alarms, alarmSpec, 'frame alarms'),
    events: wire.events,
    ...(wire.exercise ? { exercise: wire.exercise } : {}),
  };
}

/** The frame as rows (what panels listing hosts and alarms read), from its tables. */
export function frameRows(columns: FrameColumns): Frame {
  const numa = columns.numa.rows();
  const hosts = columns.hosts.rows() as HostFrame[];
  let next = 0;
  hosts.forEach((host, i) => {
    const count = columns.numaCount[i] ?? 0;
    host.numa = numa.slice(next, next + count);
    next += count;
  });
  return {
    tick: columns.tick,
    time: columns.time,
    stepSeconds: columns.stepSeconds,
    cluster: columns.cluster,
    hosts,
    alarms: columns.alarms.rows(),
    events: columns.events,
    ...(columns.exercise ? { exercise: columns.exercise } : {}),
  };
}

/** The frame back from its wire form, with numbers at the precision they travelled with. */
export function decodeFrame(text: string): Frame {
  return frameRows(decodeFrameColumns(text));
}

/** One tick's per-VM metrics as one compact JSON string. */
export function encodeVms(vms: readonly VmFrame[]): string {
  // A migration travels as a small object (most VMs have none), at its spec's precision.
  const rows = vms.map((vm) =>
    vm.migration ? { ...vm, migration: quantizeRecord(vm.migration, migrationSpec) } : vm,
  );
  return JSON.stringify({ v: WIRE_VERSION, ...toColumns(rows, vmSpec) });
}

export function decodeVms(text: string): VmFrame[] {
  return tableOf(parseWire(text, 'vms') as unknown as Columns, vmSpec, 'vms').rows();
}

/**
 * The VMs as columns, decoded at once (where the message arrives, not where a
 * panel draws), and rows built only when asked for: a page that sorts a
 * thousand VMs every second to show 25 builds 25 objects instead of a
 * thousand.
 */
export type VmColumns = Table<VmFrame>;

export function decodeVmColumns(text: string): VmColumns {
  const table = tableOf(parseWire(text, 'vms') as unknown as Columns, vmSpec, 'vms');
  for (const field of Object.keys(vmSpec) as (keyof VmFrame)[]) table.column(field);
  return table;
}
