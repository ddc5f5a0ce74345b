import { refusalCodes } from '@overcommit/contracts';
import { coded, reasonFields, refusal, refusalText, ticksSkipped, unknownName } from './refusals';
import { textOfCoded } from './testing/scenarios';

describe('refusals: code, params and the English text from one place', () => {
  it('has an English text for every code of contracts, kebab-case', () => {
    for (const code of refusalCodes) {
      expect(code).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(refusalText(code, {}, [{ text: 'x' }]).length).toBeGreaterThan(0);
    }
    expect(new Set(refusalCodes).size).toBe(refusalCodes.length);
  });

  it.each([
    [
      unknownName('vm', 'web-7', 'web-07'),
      'vm-unknown-closest',
      'no VM named web-7; did you mean web-07?',
    ],
    [unknownName('vm', 'zz', undefined), 'vm-unknown', 'no VM named zz'],
    [
      unknownName('host', 'esx-1', 'esx-01'),
      'host-unknown-closest',
      'no host named esx-1; did you mean esx-01?',
    ],
    [
      refusal('host-already-failed', { host: 'esx-03' }),
      'host-already-failed',
      'esx-03 has already failed',
    ],
    [
      refusal('destination-refused', {}, [
        refusal('admission-memory', {
          host: 'esx-02',
          memoryGiB: '70',
          capacityGiB: '64',
          ratio: '1.5',
        }),
      ]),
      'destination-refused',
      'destination refused: esx-02: memory 70/64 GiB at ratio 1.5',
    ],
    [
      refusal('cannot-evacuate', {}, [
        refusal('no-host-fits', { vm: 'db', vcpus: 4, memoryGiB: '16' }, [
          refusal('admission-host-failed', { host: 'a' }),
          refusal('admission-maintenance', { host: 'b' }),
        ]),
      ]),
      'cannot-evacuate',
      'cannot evacuate: no host can take db (4 vCPUs, 16 GiB): a: host failed; b: in maintenance',
    ],
    [
      refusal('no-host-fits', { vm: 'x', vcpus: 1, memoryGiB: '1' }, [refusal('no-hosts')]),
      'no-host-fits',
      'no host can take x (1 vCPUs, 1 GiB): no hosts',
    ],
    [
      ticksSkipped(90, 18),
      'ticks-skipped',
      'no worker ran this cluster for 90 s (18 ticks); it resumes where it stopped instead of replaying them',
    ],
  ])('%#: %s', (r, code, text) => {
    expect(r.code).toBe(code);
    expect(r.text).toBe(text);
    // What goes on the wire (no English in the causes) rebuilds the same sentence.
    expect(textOfCoded(coded(r))).toBe(text);
    const fields = reasonFields(r);
    expect(fields.reason).toBe(text);
    expect(fields.reasonCode).toBe(code);
    expect(JSON.stringify(fields.reasonCauses ?? [])).not.toContain('text');
  });
});
