import {
  type Command,
  type Frame,
  type HostFrame,
  type Scenario,
  type ScenarioInput,
  type VmFrame,
  commandSchema,
  scenarioSchema,
} from '@overcommit/contracts';
import type { z } from 'zod';
import { createCluster, step } from '../step';
import type { SimState } from '../state';

/** A parsed scenario from a literal, with the format's defaults applied. */
export function scenario(
  input: Omit<ScenarioInput, 'version' | 'name'> & { name?: string },
): Scenario {
  return scenarioSchema.parse({ version: 1, name: 'test', ...input });
}

/**
 * What a test looks at after a tick: the frame, with the tick's per-VM table beside it (the
 * engine hands them apart; tests read both of one tick at once).
 */
export type Observed = Frame & { vms: VmFrame[] };

/** One tick with the per-VM table, for a test to read. */
export function observe(state: SimState, commands: readonly Command[] = []): Observed {
  const { frame, vms } = step(state, commands, { vmMetrics: true });
  return { ...frame, vms: vms ?? [] };
}

/** Runs `ticks` ticks; `commands` maps a tick number to the commands sent before it. */
export function run(
  s: Scenario,
  ticks: number,
  commands: Record<number, Command[]> = {},
): { state: SimState; frames: Observed[] } {
  const state = createCluster(s);
  const frames: Observed[] = [];
  for (let t = 1; t <= ticks; t++) frames.push(observe(state, commands[t] ?? []));
  return { state, frames };
}

export const events = (frames: Frame[], type: string) =>
  frames.flatMap((f) => f.events).filter((e) => e.type === type);

type CommandInput = z.input<typeof commandSchema>;
type LooseCommand<T> = T extends unknown
  ? Omit<T, 'id' | 'by'> & { id?: string; by?: string }
  : never;

let commandSeq = 0;

/** A command from a literal, defaults applied; `id` defaults to a fresh one and `by` to "tester". */
export function cmd(input: LooseCommand<CommandInput>): Command {
  return commandSchema.parse({ id: `c${++commandSeq}`, by: 'tester', ...input });
}

/** One VM's metrics in a tick. */
export function vmIn(frame: Observed, name: string): VmFrame {
  const vm = frame.vms.find((v) => v.name === name);
  if (!vm) throw new Error(`no VM ${name} in frame ${frame.tick}`);
  return vm;
}

/** One host's metrics in a frame. */
export function hostIn(frame: Frame, name: string): HostFrame {
  const host = frame.hosts.find((h) => h.name === name);
  if (!host) throw new Error(`no host ${name} in frame ${frame.tick}`);
  return host;
}

/** The last frame of a run. */
export function last<T extends Frame>(frames: T[]): T {
  const frame = frames.at(-1);
  if (!frame) throw new Error('no frames');
  return frame;
}
