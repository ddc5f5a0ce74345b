import { BadInput, clusterNotFound, NotAllowed } from './service-errors';

describe('a service error as its HTTP answer', () => {
  it('is { statusCode, code, params?, message } with the errors of bad input', () => {
    expect(clusterNotFound('x').body).toEqual({
      statusCode: 404,
      code: 'cluster-not-found',
      params: { id: 'x' },
      message: 'no cluster x',
    });
    const bad = new BadInput(
      'history-range',
      'from is after to',
      [{ path: 'from', message: '5 > 3' }],
      {
        from: 5,
        to: 3,
      },
    );
    expect(JSON.stringify(bad.body)).toBe(
      '{"statusCode":400,"code":"history-range","params":{"from":5,"to":3},"message":"from is after to","errors":[{"path":"from","message":"5 > 3"}]}',
    );
  });

  it("puts a refused command's outcome before the code and the message", () => {
    const refused = { id: 'c1', status: 'refused', reason: 'a viewer link can watch but not act' };
    expect(
      JSON.stringify(
        new NotAllowed('command-refused', refused.reason, { reason: refused.reason }, refused).body,
      ),
    ).toBe(
      '{"statusCode":403,"id":"c1","status":"refused","reason":"a viewer link can watch but not act","code":"command-refused","params":{"reason":"a viewer link can watch but not act"},"message":"a viewer link can watch but not act"}',
    );
  });

  it('keeps a long id out of the params (an id is at most 64 characters)', () => {
    expect(clusterNotFound('x'.repeat(500)).params).toEqual({ id: 'x'.repeat(64) });
  });
});
