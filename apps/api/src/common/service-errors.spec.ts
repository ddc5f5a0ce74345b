import { BadInput, NotAllowed, NotFound } from './service-errors';

describe('a service error as its HTTP answer', () => {
  it('is { statusCode, message } with the errors of bad input, as Nest wrote them before', () => {
    expect(new NotFound('no cluster x').body).toEqual({ statusCode: 404, message: 'no cluster x' });
    const bad = new BadInput('bad query', [{ path: 'from', message: '5 > 3' }]);
    expect(JSON.stringify(bad.body)).toBe(
      '{"statusCode":400,"message":"bad query","errors":[{"path":"from","message":"5 > 3"}]}',
    );
  });

  it("puts a refused command's outcome before the message", () => {
    const refused = { id: 'c1', status: 'refused', reason: 'a viewer link can watch but not act' };
    expect(JSON.stringify(new NotAllowed(refused.reason, refused).body)).toBe(
      '{"statusCode":403,"id":"c1","status":"refused","reason":"a viewer link can watch but not act","message":"a viewer link can watch but not act"}',
    );
  });
});
