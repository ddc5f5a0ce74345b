import { acceptedLanguages, chooseLocale } from './locales';

describe('chooseLocale', () => {
  it('keeps a person’s own choice over the browser’s languages', () => {
    expect(chooseLocale('zh-Hant', 'en-US,en;q=0.9')).toBe('zh-Hant');
    expect(chooseLocale('en', 'zh-CN')).toBe('en');
  });

  it('ignores a cookie that names no language of ours', () => {
    expect(chooseLocale('fr', 'zh-TW')).toBe('zh-Hant');
    expect(chooseLocale('<script>', null)).toBe('en');
  });

  it('reads Chinese regions and scripts as the script they write', () => {
    expect(chooseLocale(undefined, 'zh-CN,zh;q=0.9,en;q=0.8')).toBe('zh-Hans');
    expect(chooseLocale(undefined, 'zh-TW')).toBe('zh-Hant');
    expect(chooseLocale(undefined, 'zh-HK')).toBe('zh-Hant');
    expect(chooseLocale(undefined, 'zh-Hant-CN')).toBe('zh-Hant');
    expect(chooseLocale(undefined, 'zh-Hans-TW')).toBe('zh-Hans');
    expect(chooseLocale(undefined, 'zh')).toBe('zh-Hans');
  });

  it('follows the browser’s order and weights, past languages it does not have', () => {
    expect(chooseLocale(undefined, 'fr-FR,fr;q=0.9,zh-TW;q=0.8,en;q=0.7')).toBe('zh-Hant');
    expect(chooseLocale(undefined, 'en;q=0.5,zh-CN;q=0.9')).toBe('zh-Hans');
    expect(chooseLocale(undefined, 'en-GB')).toBe('en');
  });

  it('falls back to English for no header, nothing it has, or a malformed header', () => {
    expect(chooseLocale(undefined, null)).toBe('en');
    expect(chooseLocale(undefined, 'de-DE,ja;q=0.5')).toBe('en');
    expect(chooseLocale(undefined, ';;;,q=,zh-TW;q=0')).toBe('en');
    expect(chooseLocale(undefined, 'x'.repeat(10_000))).toBe('en');
  });
});

describe('acceptedLanguages', () => {
  it('drops refused and malformed entries and sorts by weight, then order', () => {
    expect(acceptedLanguages('a;q=0.1, zh-TW , en;q=0, de;q=0.5, bad tag, fr;q=2')).toEqual([
      'zh-TW',
      'de',
      'a',
    ]);
  });
});
