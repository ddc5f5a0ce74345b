import { redactTokens } from './logging';

describe('redactTokens', () => {
  const secret = 'Xq3_vT9-secret-token-value-abcdef';

  it.each([
    [`/api/clusters/abc?token=${secret}`, '/api/clusters/abc?token=***'],
    [
      `/api/clusters/abc/history?from=1&token=${secret}&every=2`,
      '/api/clusters/abc/history?from=1&token=***&every=2',
    ],
    [`/api/clusters/abc?TOKEN=${secret}`, '/api/clusters/abc?TOKEN=***'],
    [`/x?viewerToken=${secret}&operatorToken=${secret}`, '/x?viewerToken=***&operatorToken=***'],
    [`/x?token[]=${secret}&token[]=${secret}`, '/x?token[]=***&token[]=***'],
    [`/x?%74oken=${secret}`, '/x?%74oken=***'],
    [`/x?%74oken%5B%5D=${secret}`, '/x?%74oken%5B%5D=***'],
    [`/x?token=${secret}&token=${secret}`, '/x?token=***&token=***'],
    [`/x?a=1&token`, '/x?a=1&token=***'],
    [`/x?%zz=1&token=${secret}`, '/x?%zz=1&token=***'],
  ])('%s', (url, expected) => {
    expect(redactTokens(url)).toBe(expected);
    expect(redactTokens(url)).not.toContain(secret);
  });

  it('leaves URLs without a token as they are', () => {
    for (const url of [
      '/api/clusters',
      '/api/clusters/abc?from=1&to=2',
      '/api/health?',
      '/metrics',
    ])
      expect(redactTokens(url)).toBe(url);
  });
});
