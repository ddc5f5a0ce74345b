// The message files: apps/web/messages/<locale>/<namespace>.json, one namespace per part of the
// dashboard, every locale with the same keys (messages.spec.ts holds it). Components take their
// words from these through next-intl (useTranslations('<namespace>')), never from literals.
export const NAMESPACES = [
  /** Words shared by every page: the header's language switch, units, roles, severities. */
  'common',
  /** The API's error codes (contracts' errorCodes), as the dashboard says them. */
  'errors',
  /** The engine's refusals and event reasons (contracts' refusalCodes), as the dashboard says them. */
  'reasons',
  /** The cluster page and the host page: header, charts, alarms, tables, actions, activity. */
  'cluster',
  /** Explanations: metrics, alarm rules, thresholds, the glossary, hover help. */
  'help',
  /** The home page: the cluster list, new cluster, new exercise. */
  'home',
  /** Exercises: the team's panel, the instructor's page, the report. */
  'exercise',
  /** The host page (topology, its VMs and alarms) and the VM actions' dialogs. */
  'host',
  /** The sweep's pages: a new sweep, its progress and result (answer, chart, grid, table). */
  'sweep',
  /** What-if forks: the Fork button, a fork's panel (run-ahead, the comparison with its source). */
  'fork',
] as const;
export type Namespace = (typeof NAMESPACES)[number];
