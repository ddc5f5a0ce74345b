import { type Scenario, type ScenarioInput, scenarioSchema } from '@overcommit/contracts';
import { createCluster, step } from '../step';
import type { Command, Frame } from '@overcommit/contracts';
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
