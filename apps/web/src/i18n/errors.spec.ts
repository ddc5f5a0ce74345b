import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorCodes } from '@overcommit/contracts';
import { CLIENT_ERROR_CODES } from '../api';
import { LOCALES } from './locales';

// Every code the API answers with (contracts' errorCodes), and every one the dashboard finds
// itself, is said in every language; a message for a code nobody sends is a leftover.
describe('error messages', () => {
  it.each(LOCALES)('%s says every error code and no other', (locale) => {
    const messages = JSON.parse(
      readFileSync(join(__dirname, '../../messages', locale, 'errors.json'), 'utf8'),
    ) as Record<string, string>;
    expect(Object.keys(messages).sort()).toEqual([...errorCodes, ...CLIENT_ERROR_CODES].sort());
  });
});
