import { z } from 'zod';
import { zodIssuesToInputErrors } from './zod-issues';

const schema = z.strictObject({
  name: z.string().min(1, { error: 'a name cannot be empty' }),
  hosts: z.array(z.object({ memoryGiB: z.number().positive() })),
});

function issuesOf(input: unknown): z.core.$ZodIssue[] {
  const parsed = schema.safeParse(input);
  if (parsed.success) throw new Error('expected the input to be refused');
  return parsed.error.issues;
}

describe('zodIssuesToInputErrors', () => {
  it('gives every issue at its path, with the schema message as written', () => {
    expect(zodIssuesToInputErrors(issuesOf({ name: '', hosts: [{ memoryGiB: -1 }] }))).toEqual([
      { path: 'name', message: 'a name cannot be empty' },
      { path: 'hosts[0].memoryGiB', message: 'Too small: expected number to be >0' },
    ]);
  });

  it('writes the input as a whole as (root)', () => {
    expect(zodIssuesToInputErrors(issuesOf('hello'))).toEqual([
      { path: '(root)', message: 'Invalid input: expected object, received string' },
    ]);
  });

  it('puts the place of the value in a larger input before every path', () => {
    expect(zodIssuesToInputErrors(issuesOf('hello'), { at: ['X-User-Name'] })).toEqual([
      { path: 'X-User-Name', message: 'Invalid input: expected object, received string' },
    ]);
    expect(
      zodIssuesToInputErrors(issuesOf({ name: 'a', hosts: [{}] }), { at: ['scenario'] }),
    ).toEqual([{ path: 'scenario.hosts[0].memoryGiB', message: expect.any(String) as string }]);
  });

  it('explains, given the input and its schema: what was given and the nearest key', () => {
    const input = { name: 'a', hosts: [{ memoryGiB: '64' }], host: [] };
    expect(zodIssuesToInputErrors(issuesOf(input), { explain: { input, schema } })).toEqual([
      { path: 'hosts[0].memoryGiB', message: 'expected a number, got the text "64"' },
      { path: 'host', message: 'unknown key; expected one of: name, hosts' },
    ]);
    const typo = { hosts: [], nme: 'b' };
    expect(
      zodIssuesToInputErrors(issuesOf(typo), { explain: { input: typo, schema }, at: ['s'] }),
    ).toEqual([
      { path: 's.name', message: 'missing; expected a text string' },
      { path: 's.nme', message: 'unknown key, did you mean "name"?' },
    ]);
  });
});
