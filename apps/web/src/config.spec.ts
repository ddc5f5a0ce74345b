import { apiUrlFromEnv } from './config';

describe('where the browser finds the API', () => {
  it('is API_URL, read when the page is served, without a trailing slash', () => {
    expect(apiUrlFromEnv({ API_URL: 'https://api.example.org/' })).toBe('https://api.example.org');
  });
  it('is the page’s own origin behind a front door', () => {
    expect(apiUrlFromEnv({ API_URL: 'same-origin' })).toBe('');
  });
  it('falls back to NEXT_PUBLIC_API_URL, then to the API’s default port', () => {
    expect(apiUrlFromEnv({ NEXT_PUBLIC_API_URL: 'http://api:3001' })).toBe('http://api:3001');
    expect(apiUrlFromEnv({})).toBe('http://localhost:3001');
  });
});
