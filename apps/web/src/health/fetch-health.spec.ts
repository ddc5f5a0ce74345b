import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchHealth } from './fetch-health';

/** A real HTTP server on loopback that answers /api/health with the given status and body. */
async function serve(status: number, body: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    res.writeHead(req.url === '/api/health' ? status : 404, {
      'content-type': 'application/json',
      connection: 'close',
    });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('fetchHealth', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  it('reads a healthy API', async () => {
    const started = await serve(
      200,
      JSON.stringify({ status: 'ok', redis: 'up', version: '0.1.0' }),
    );
    server = started.server;
    await expect(fetchHealth(started.url)).resolves.toEqual({
      kind: 'ok',
      health: { status: 'ok', redis: 'up', version: '0.1.0' },
    });
  });

  it('reads a 503 whose body says Redis is down as a report, not a failure', async () => {
    const started = await serve(
      503,
      JSON.stringify({ status: 'degraded', redis: 'down', version: '0.1.0' }),
    );
    server = started.server;
    await expect(fetchHealth(started.url)).resolves.toMatchObject({
      kind: 'ok',
      health: { redis: 'down' },
    });
  });

  it('says the API cannot be reached when nothing listens', async () => {
    const started = await serve(200, '{}');
    const { url } = started;
    await new Promise((resolve) => started.server.close(resolve));
    await expect(fetchHealth(url)).resolves.toEqual({
      kind: 'unreachable',
      reason: 'connection',
      timeoutMs: 3_000,
    });
  });

  it('says so when something else answers', async () => {
    const started = await serve(200, JSON.stringify({ hello: 'world' }));
    server = started.server;
    await expect(fetchHealth(started.url)).resolves.toEqual({
      kind: 'invalid',
      status: 200,
      problem: 'unexpected',
    });
  });
});
