// The glossary page's words beyond the metrics (those are in metrics.ts): the domain's terms as the
// seed notes teach them (/work/shared/DOMAIN.md; docs/model.md has the equations). The words are
// help.json's `terms.<id>` and `glossary`; the order and the anchors are here.
import type { HelpT } from './t';

export const TERM_IDS = [
  'host',
  'hypervisor',
  'virtualization',
  'hyper-threading',
  'overcommit',
  'allocation-ratio',
  'reclamation',
  'numa',
  'live-migration',
  'ha',
  'hysteresis',
] as const;
export type TermId = (typeof TERM_IDS)[number];

export interface Term {
  id: TermId;
  term: string;
  definition: string;
}

/** The terms in the reader's language, in the glossary's order. */
export function terms(t: HelpT): Term[] {
  return TERM_IDS.map((id) => ({
    id,
    term: t(`terms.${id}.term`),
    definition: t(`terms.${id}.definition`),
  }));
}
