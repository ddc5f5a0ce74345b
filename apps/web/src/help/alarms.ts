import type { AlarmRuleId } from '@overcommit/contracts';
import type HelpMessages from '../../messages/en/help.json';
import type { HelpT } from './t';

// Each alarm rule explained for the person who sees it fire: what it measures, what usually causes
// it, what an operator does about it, and the one-click actions that fit. The structure lives here,
// the prose in messages/<locale>/help.json (`alarms`, `alarmImages`, `alarmClears`), keyed by rule id (docs/model.md section 13 has the rules' numbers and sources;
// the images are the seed notes': "one cook, two stoves", the gambler's bet, the 150% memory line).

/** What a button under an explanation does. */
export type AlarmActionId =
  /** Live-migrate the alarm's VM (opens the migration dialog for it). */
  | 'migrate-vm'
  /** Pick a VM on the alarm's host and live-migrate it elsewhere. */
  | 'migrate-off-host'
  /** The actions on the alarm's VM (power on, migrate with auto-converge...). */
  | 'vm-actions'
  /** The host's page (topology, its VMs, recover, maintenance). */
  | 'open-host'
  /** The overcommit policy (allocation ratios). */
  | 'open-policy';

export interface AlarmHelp {
  /** The one-click actions that fit the rule. */
  actions: readonly AlarmActionId[];
  /** Whether the seed notes have an image for it (help.json `alarmImages.<rule>`). */
  image: boolean;
  /**
   * Whether it clears on a flag or a level rather than below a figure (help.json
   * `alarmClears.<rule>`, in words).
   */
  clears: boolean;
}

type ImageRule = keyof (typeof HelpMessages)['alarmImages'];
type ClearsRule = keyof (typeof HelpMessages)['alarmClears'];

/** What a button under an explanation does, and which carry an image or clear on a flag. */
export const ALARM_HELP: Record<AlarmRuleId, AlarmHelp> = {
  'vm-cpu-ready': {
    actions: ['migrate-vm', 'open-host', 'open-policy'],
    image: true,
    clears: false,
  },
  'vm-costop': { actions: ['migrate-vm', 'open-host'], image: false, clears: false },
  'host-cpu-usage': {
    actions: ['migrate-off-host', 'open-host', 'open-policy'],
    image: true,
    clears: false,
  },
  'vcpu-overcommit': { actions: ['open-policy'], image: true, clears: false },
  'mem-overcommit': { actions: ['open-policy'], image: true, clears: false },
  'host-mem-state': {
    actions: ['migrate-off-host', 'open-host', 'open-policy'],
    image: true,
    clears: true,
  },
  'host-swap-in': { actions: ['migrate-off-host', 'open-host'], image: false, clears: false },
  'vm-swap-full': { actions: ['vm-actions', 'open-host'], image: false, clears: true },
  'numa-remote': {
    actions: ['migrate-vm', 'open-host', 'open-policy'],
    image: false,
    clears: false,
  },
  migration: { actions: ['vm-actions'], image: false, clears: false },
  'host-down': { actions: ['open-host', 'open-policy'], image: false, clears: true },
  'ha-restart-failed': { actions: ['vm-actions', 'open-policy'], image: false, clears: true },
  'vm-memory-starved': {
    actions: ['migrate-vm', 'open-host', 'open-policy'],
    image: true,
    clears: false,
  },
};

/** An explanation's words in the reader's language. */
export interface AlarmHelpText {
  measures: string;
  cause: string;
  action: string;
  /** The seed notes' image for it, when one fits. */
  image?: string;
  /** How it clears, in words, for rules whose value is a flag or a level rather than a figure. */
  clears?: string;
}

export function alarmHelpText(rule: AlarmRuleId, t: HelpT): AlarmHelpText {
  const help = ALARM_HELP[rule];
  return {
    measures: t(`alarms.${rule}.measures`),
    cause: t(`alarms.${rule}.cause`),
    action: t(`alarms.${rule}.action`),
    image: help.image ? t(`alarmImages.${rule as ImageRule}`) : undefined,
    clears: help.clears ? t(`alarmClears.${rule as ClearsRule}`) : undefined,
  };
}

/** A button's words ("Migrate vm-3…"). */
export const alarmActionLabel = (action: AlarmActionId, target: string, t: HelpT): string =>
  t(`alarmActions.${action}`, { target });

/** The parts of an explanation, in order (their headings are help.json `alarmHeadings`). */
export const ALARM_HELP_PARTS = ['state', 'measures', 'cause', 'image', 'action'] as const;
