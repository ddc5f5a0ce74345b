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

/** Runs `ticks` ticks; `commands` maps a tick number to the commands sent before it. */
export function run(
  s: Scenario,
  ticks: number,
  commands: Record<number, Command[]> = {},
): { state: SimState; frames: Frame[] } {
  const state = createCluster(s);
  const frames: Frame[] = [];
  for (let t = 1; t <= ticks; t++) frames.push(step(state, commands[t] ?? [], { vmMetrics: true }));
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

/** One VM's metrics in a frame (taken with vmMetrics). */
export function vmIn(frame: Frame, name: string): VmFrame {
  const vm = frame.vms?.find((v) => v.name === name);
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
export function last(frames: Frame[]): Frame {
  const frame = frames.at(-1);
  if (!frame) throw new Error('no frames');
  return frame;
}
