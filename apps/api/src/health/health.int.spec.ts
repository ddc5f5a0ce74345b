import type { INestApplication } from '@nestjs/common';
import { healthSchema } from '@overcommit/contracts';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../app';
import { loadApiConfig } from '../config/api-config';
import { httpRequest } from '../testing/http';
import { freePort, TestRedisServer } from '../testing/redis-server';
import { apiVersion } from '../common/version';

async function start(env: NodeJS.ProcessEnv): Promise<{ app: INestApplication; url: string }> {
  const app = await createApp(loadApiConfig(env), false);
  await app.listen(0, '127.0.0.1');
  const server = app.getHttpServer() as Server;
  const { port } = server.address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}` };
}

jest.setTimeout(20_000);

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

  it('answers 503 with redis "down" while Redis is away, keeps serving, and recovers when it is back', async () => {
    const redis = new TestRedisServer(await freePort());
    await redis.start();
    try {
      const started = await start({ ...process.env, REDIS_URL: redis.url });
      app = started.app;
      expect((await httpRequest(`${started.url}/api/health`)).status).toBe(200);
      await redis.kill();
      for (let i = 0; i < 2; i++) {
        const response = await httpRequest(`${started.url}/api/health`);
        expect(response.status).toBe(503);
        expect(response.body).toEqual({ status: 'degraded', redis: 'down', version: apiVersion });
      }
      await redis.start();
      let status = 0;
      for (let i = 0; i < 40 && status !== 200; i++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        status = (await httpRequest(`${started.url}/api/health`)).status;
      }
      expect(status).toBe(200);
      await app.close();
      app = undefined;
    } finally {
      await redis.kill();
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
