import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CodedReason, refusalCodes } from '@overcommit/contracts';
import { createTranslator } from 'next-intl';
import { type Locale, LOCALES } from './locales';
import { type ReasonTranslator, sayReason } from './reasons';

const read = (locale: string) =>
  JSON.parse(
    readFileSync(join(__dirname, '../../messages', locale, 'reasons.json'), 'utf8'),
  ) as Record<string, string>;

const translator = (locale: Locale) =>
  createTranslator({
    locale,
    messages: { reasons: read(locale) },
    namespace: 'reasons',
  }) as unknown as ReasonTranslator;

// Every reason the engine gives (contracts' refusalCodes) is said in every language, and a message
// for a code the engine does not send is a leftover; `separator` joins a reason's causes.
describe('reason messages', () => {
  it.each(LOCALES)('%s says every refusal code and no other', (locale) => {
    expect(Object.keys(read(locale)).sort()).toEqual([...refusalCodes, 'separator'].sort());
  });

  // The engine's English (libs/sim's tests hold these texts), said again from code and params.
  const cases: [CodedReason, string][] = [
    [
      { code: 'vm-unknown-closest', params: { name: 'web-7', closest: 'web-07' } },
      'no VM named web-7; did you mean web-07?',
    ],
    [{ code: 'host-already-failed', params: { host: 'esx-03' } }, 'esx-03 has already failed'],
    [
      { code: 'host-not-failed', params: { host: 'esx-01', state: 'up' } },
      'esx-01 has not failed (it is up)',
    ],
    [
      { code: 'hyperthreading-unavailable', params: { host: 'plain', turn: 'on' } },
      'plain has one thread per core: there is no hyper-threading to turn on',
    ],
    [
      { code: 'hyperthreading-already', params: { host: 'esx-01', turn: 'off' } },
      'hyper-threading is already off on esx-01',
    ],
    [
      { code: 'vm-not-running', params: { vm: 'db', state: 'down' } },
      'db is down; only a running VM migrates live',
    ],
    [
      {
        code: 'destination-refused',
        params: {},
        causes: [
          {
            code: 'admission-memory',
            params: { host: 'esx-02', memoryGiB: '70', capacityGiB: '64', ratio: '1.5' },
          },
        ],
      },
      'destination refused: esx-02: memory 70/64 GiB at ratio 1.5',
    ],
    [
      {
        code: 'no-host-fits',
        params: { vm: 'huge', vcpus: 2, memoryGiB: '500' },
        causes: [
          {
            code: 'admission-memory',
            params: { host: 'esx-01', memoryGiB: '516', capacityGiB: '96', ratio: '1.5' },
          },
          { code: 'admission-host-failed', params: { host: 'esx-02' } },
          {
            code: 'admission-vcpus',
            params: { host: 'big', vcpus: 4100, capacity: 4096, ratio: '16' },
          },
        ],
      },
      'no host can take huge (2 vCPUs, 500 GiB): esx-01: memory 516/96 GiB at ratio 1.5; esx-02: host failed; big: vCPUs 4100/4096 at ratio 16',
    ],
    [
      { code: 'alarm-already-acked', params: { alarm: 'a3', by: 'Lin' } },
      'alarm a3 was already acknowledged by Lin',
    ],
  ];

  it.each(cases)('English reads as the engine wrote it: %j', (reason, text) => {
    expect(sayReason(translator('en'), reason)).toBe(text);
  });

  it('says a nested reason whole in Chinese, and gives up on a code it does not know', () => {
    const [nested] = cases[6]!;
    expect(sayReason(translator('zh-Hans'), nested)).toBe(
      '目标主机拒绝：esx-02：内存 70/64 GiB，分配比 1.5',
    );
    expect(sayReason(translator('zh-Hant'), nested)).toBe(
      '目標主機拒絕：esx-02：記憶體 70/64 GiB，分配比 1.5',
    );
    expect(
      sayReason(translator('zh-Hans'), {
        code: 'destination-refused',
        params: {},
        causes: [{ code: 'from-the-future', params: {} }],
      }),
    ).toBeNull();
  });
});
