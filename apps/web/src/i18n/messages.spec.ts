import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { DEFAULT_LOCALE, LOCALES } from './locales';
import { NAMESPACES } from './namespaces';

// Every language says everything, with the same arguments: a key missing in one locale, or a
// message that drops or renames an argument, would show a key or a hole to its readers.

const root = join(__dirname, '../../messages');
const read = (locale: string, ns: string): unknown =>
  JSON.parse(readFileSync(join(root, locale, `${ns}.json`), 'utf8'));

/** Every message of a namespace as key path -> text. */
function flatten(value: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof value === 'string') out.set(prefix, value);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value))
      for (const [kk, vv] of flatten(v, prefix ? `${prefix}.${k}` : k)) out.set(kk, vv);
  else
    throw new Error(`${prefix}: expected a message or an object, found ${JSON.stringify(value)}`);
  return out;
}

/** The arguments a message uses: values, selects and tags (`count:value`, `state:select`, `b:tag`). */
function argumentsOf(elements: MessageFormatElement[], into = new Set<string>()): Set<string> {
  for (const e of elements) {
    switch (e.type) {
      // A value's kind may differ between languages (Chinese needs no plural form, English does),
      // its name may not.
      case TYPE.argument:
      case TYPE.number:
      case TYPE.date:
      case TYPE.time:
        into.add(`${e.value}:value`);
        break;
      case TYPE.plural:
      case TYPE.select:
        into.add(`${e.value}:${e.type === TYPE.select ? 'select' : 'value'}`);
        for (const option of Object.values(e.options)) argumentsOf(option.value, into);
        break;
      case TYPE.tag:
        into.add(`${e.value}:tag`);
        argumentsOf(e.children, into);
        break;
      default:
        break;
    }
  }
  return into;
}

describe('message files', () => {
  it('have one file per namespace in every locale, and nothing else', () => {
    for (const locale of LOCALES)
      expect(readdirSync(join(root, locale)).sort()).toEqual(
        NAMESPACES.map((ns) => `${ns}.json`).sort(),
      );
  });

  describe.each(NAMESPACES)('%s', (ns) => {
    const english = flatten(read(DEFAULT_LOCALE, ns));

    it.each(LOCALES.filter((l) => l !== DEFAULT_LOCALE))(
      '%s has every English key and no other',
      (locale) => {
        const other = flatten(read(locale, ns));
        expect([...other.keys()].sort()).toEqual([...english.keys()].sort());
      },
    );

    it.each(LOCALES)('%s: every message is valid ICU with the English arguments', (locale) => {
      const messages = flatten(read(locale, ns));
      const wrong: string[] = [];
      for (const [key, text] of messages) {
        let args: string[];
        try {
          args = [...argumentsOf(parse(text))].sort();
        } catch (error) {
          wrong.push(`${key}: not valid ICU (${(error as Error).message})`);
          continue;
        }
        const base = english.get(key);
        if (base === undefined) continue;
        const expected = [...argumentsOf(parse(base))].sort();
        if (args.join() !== expected.join())
          wrong.push(
            `${key}: arguments ${args.join(', ')} where English has ${expected.join(', ')}`,
          );
        if (locale !== DEFAULT_LOCALE && text.trim() === '' && base.trim() !== '')
          wrong.push(`${key}: empty`);
      }
      expect(wrong).toEqual([]);
    });
  });

  it('Chinese files are written in Chinese: most messages with words hold Han characters', () => {
    // A file copied from English would pass the key checks; this catches it.
    const untranslated: string[] = [];
    for (const locale of ['zh-Hans', 'zh-Hant'])
      for (const ns of NAMESPACES) {
        const worded = [...flatten(read(locale, ns)).values()].filter((m) => /\p{L}{3}/u.test(m));
        const han = worded.filter((m) => /\p{Script=Han}/u.test(m));
        // Names (Overcommit, NUMA, vCPU) stay as they are: the rule counts once a file has ten.
        if (worded.length >= 10 && han.length < worded.length * 0.8)
          untranslated.push(`${locale}/${ns}: ${han.length} of ${worded.length} in Chinese`);
      }
    expect(untranslated).toEqual([]);
  });
});
