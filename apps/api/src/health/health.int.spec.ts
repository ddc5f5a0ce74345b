import type { INestApplication } from '@nestjs/common';
import { healthSchema } from '@overcommit/contracts';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../app';
import { loadApiConfig } from '../config/api-config';
import { httpRequest } from '../testing/http';
import { apiVersion } from '../version';

async function start(env: NodeJS.ProcessEnv): Promise<{ app: INestApplication; url: string }> {
  const app = await createApp(loadApiConfig(env), false);
  await app.listen(0, '127.0.0.1');
  const server = app.getHttpServer() as Server;
  const { port } = server.address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}` };
}

describe('GET /api/health against a real Redis', () => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('answers 200 with redis "up" and the package version when Redis answers PING', async () => {
    const started = await start(process.env);
    app = started.app;
    const response = await httpRequest(`${started.url}/api/health`);
    expect(response.status).toBe(200);
    const body = healthSchema.parse(response.body);
    expect(body).toEqual({ status: 'ok', redis: 'up', version: apiVersion });
    expect(apiVersion).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('answers 503 with redis "down" when nothing answers at REDIS_URL, and keeps serving', async () => {
    // Port 1 on loopback: nothing listens there, so the connection is refused.
    const started = await start({ ...process.env, REDIS_URL: 'redis://127.0.0.1:1' });
    app = started.app;
    for (let i = 0; i < 2; i++) {
      const response = await httpRequest(`${started.url}/api/health`);
      expect(response.status).toBe(503);
      expect(response.body).toEqual({ status: 'degraded', redis: 'down', version: apiVersion });
    }
  });

  it('lets the web app call it from the browser (CORS for the web origin)', async () => {
    const started = await start({ ...process.env, WEB_PORT: '3999' });
    app = started.app;
    const response = await httpRequest(`${started.url}/api/health`, {
      headers: { Origin: 'http://localhost:3999' },
    });
    expect(response.headers['access-control-allow-origin']).toBe('http://localhost:3999');
  });
});
