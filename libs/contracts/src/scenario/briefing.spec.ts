import { formatInputErrors } from '../errors/input-error';
import { briefingIn, briefingTexts } from './briefing';
import { parseScenario } from './parse-scenario';

/** A small exercise scenario whose briefing is `briefing` (left out when undefined). */
function scenario(briefing?: unknown) {
  return {
    version: 1,
    name: 'test',
    hosts: [{ name: 'esx', count: 2, cpu: { sockets: 2, coresPerSocket: 4 }, memoryGiB: 64 }],
    vms: [{ name: 'web', count: 2, vcpus: 2, memoryGiB: 4 }],
    exercise: {
      durationSeconds: 600,
      ...(briefing === undefined ? {} : { briefing }),
      objectives: [
        {
          id: 'up',
          text: 'Keep the VMs running',
          metric: 'cluster.vmsRunning',
          above: 1,
          weight: 1,
        },
      ],
    },
  };
}

function briefingOf(input: unknown) {
  const result = parseScenario(input);
  if (!result.ok) throw new Error(formatInputErrors(result.errors));
  return result.scenario.exercise?.briefing;
}

function linesOf(input: unknown): string[] {
  const result = parseScenario(input);
  if (result.ok) throw new Error('expected the scenario to be refused');
  return formatInputErrors(result.errors).split('\n');
}

describe('exercise.briefing', () => {
  it('is a text, as before, or empty when left out', () => {
    expect(briefingOf(scenario('**Hello**'))).toBe('**Hello**');
    expect(briefingOf(scenario())).toBe('');
  });

  it('may be written in several languages, English required', () => {
    const all = { en: 'Hello', 'zh-Hans': '你好', 'zh-Hant': '你好' };
    expect(briefingOf(scenario(all))).toEqual(all);
    expect(briefingOf(scenario({ en: 'Hello', 'zh-Hant': '你好' }))).toEqual({
      en: 'Hello',
      'zh-Hant': '你好',
    });
  });

  it('refuses a language it does not know, at its path', () => {
    expect(linesOf(scenario({ en: 'Hello', fr: 'Bonjour' }))).toEqual([
      'exercise.briefing.fr: unknown key; expected one of: en, zh-Hans, zh-Hant',
    ]);
    expect(linesOf(scenario({ en: 'Hello', 'zh-hans': '你好' }))).toEqual([
      'exercise.briefing.zh-hans: unknown key, did you mean "zh-Hans"?',
    ]);
  });

  it('refuses a briefing without English, or of another kind', () => {
    expect(linesOf(scenario({ 'zh-Hans': '你好' }))).toEqual([
      'exercise.briefing: expected the briefing as text, or as { en, zh-Hans, zh-Hant } with at least en',
    ]);
    expect(linesOf(scenario(42))).toEqual([
      'exercise.briefing: expected the briefing as text, or as { en, zh-Hans, zh-Hant } with at least en',
    ]);
  });

  it('holds each language to the limits of a single briefing', () => {
    const long = 'x'.repeat(20_001);
    expect(linesOf(scenario({ en: 'Hello', 'zh-Hant': long }))).toEqual([
      'exercise.briefing.zh-Hant: briefing.zh-Hant is at most 20000 characters (got 20001 characters)',
    ]);
    expect(linesOf(scenario({ en: 'a\u0000b' }))[0]).toMatch(
      /^exercise\.briefing\.en: briefing\.en contains a control character \(U\+0000/,
    );
    expect(linesOf(scenario(long))[0]).toMatch(/^exercise\.briefing: briefing is at most 20000/);
  });
});

describe('briefingIn', () => {
  const all = { en: 'Hello', 'zh-Hans': '你好', 'zh-Hant': '' };

  it('gives the reader’s language, else English', () => {
    expect(briefingIn(all, 'zh-Hans')).toBe('你好');
    expect(briefingIn(all, 'zh-Hant')).toBe('Hello');
    expect(briefingIn(all, 'fr')).toBe('Hello');
    expect(briefingIn('Plain', 'zh-Hans')).toBe('Plain');
    expect(briefingIn(undefined, 'en')).toBe('');
  });

  it('reads a text as English', () => {
    expect(briefingTexts('Plain')).toEqual({ en: 'Plain' });
  });
});
