import { createTranslator } from 'next-intl';
import help from '../../messages/en/help.json';
import type { HelpT } from './t';

/** The help namespace's translator in English, outside React: for the unit tests. */
export function englishHelp(): HelpT {
  return createTranslator({ locale: 'en', messages: { help }, namespace: 'help' });
}
