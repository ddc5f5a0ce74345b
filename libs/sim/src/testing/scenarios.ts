import {
  type CodedReason,
  type Command,
  type Frame,
  type FrameEvent,
  type HostFrame,
  type Scenario,
  type ScenarioInput,
  type VmFrame,
  commandSchema,
  isRefusalCode,
  scenarioSchema,
} from '@overcommit/contracts';
import type { z } from 'zod';
import { refusalText } from '../refusals';
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

/**
 * The English text an event's (or outcome's) coded reason rebuilds to, through refusals.ts, from
 * its code, params and causes alone; throws on a code that is not in contracts' refusalCodes.
 */
export function textOfCoded(reason: CodedReason): string {
  if (!isRefusalCode(reason.code)) throw new Error(`unknown refusal code ${reason.code}`);
  return refusalText(
    reason.code,
    reason.params,
    (reason.causes ?? []).map((c) => ({ text: textOfCoded(c) })),
  );
}

/** Every event with a reason carries a known code whose rebuilt text is the reason, byte for byte. */
export function reasonProblems(events: readonly FrameEvent[]): string[] {
  const problems: string[] = [];
  for (const e of events) {
    if (e.reason === undefined) continue;
    if (e.reasonCode === undefined || e.reasonParams === undefined) {
      problems.push(`${e.type} ${e.target}: reason without code: ${e.reason}`);
      continue;
    }
    const coded: CodedReason = { code: e.reasonCode, params: e.reasonParams };
    if (e.reasonCauses) coded.causes = e.reasonCauses;
    const text = textOfCoded(coded);
    if (text !== e.reason) problems.push(`${e.type} ${e.reasonCode}: ${text} != ${e.reason}`);
  }
  return problems;
}
