import type { INestApplication } from '@nestjs/common';
import { type CreateClusterResponse, decodeFrame } from '@overcommit/contracts';
import { execFile } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createApp } from '../app';
import { loadApiConfig } from '../config/api-config';
import { httpRequest } from '../testing/http';

// A socket.io client that is not ours: Debian's python-socketio over WebSocket only. It sends an
// Origin equal to the address it connects to (the API's own origin), which must be let in, while
// a page on another origin is still refused. `npm test` installs python3-socketio when missing.
const run = promisify(execFile);
const watcher = join(__dirname, '../testing/python-watcher.py');

const scenario = {
  version: 1,
  name: 'python client',
  seed: 2,
  clock: { tickMs: 100, stepSeconds: 1 },
  hosts: [{ name: 'esx', count: 4, cpu: { sockets: 2, coresPerSocket: 8 }, memoryGiB: 128 }],
  vms: [{ name: 'vm', count: 12, vcpus: 4, memoryGiB: 16 }],
};

jest.setTimeout(60_000);

interface WatcherResult {
  error?: string;
  joined?: boolean;
  ticks?: number[];
  frames?: string[];
}

describe('a python-socketio client', () => {
  let app: INestApplication;
  let url: string;
  let clusterId: string;

  beforeAll(async () => {
    app = await createApp(
      loadApiConfig({ ...process.env, PUBLIC_URL: 'https://overcommit.example.org' }),
      false,
    );
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
    const created = await httpRequest(`${url}/api/clusters`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scenario, visibility: 'public' }),
    });
    expect(created.status).toBe(201);
    clusterId = (created.body as CreateClusterResponse).id;
  });
  afterAll(async () => {
    await app.close();
  });

  async function python(...args: string[]): Promise<WatcherResult> {
    const { stdout } = await run('/usr/bin/python3', [watcher, url, clusterId, ...args], {
      timeout: 45_000,
    });
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as WatcherResult;
  }

  it('joins over WebSocket with its own Origin and reads every frame in order', async () => {
    const result = await python('8');
    expect(result.error).toBeUndefined();
    expect(result.joined).toBe(true);
    const ticks = result.ticks!;
    expect(ticks.length).toBeGreaterThanOrEqual(8);
    expect(ticks).toEqual(Array.from({ length: ticks.length }, (_, i) => ticks[0]! + i));
    // The frame it read is the wire frame every client decodes.
    expect(decodeFrame(result.frames![0]!).tick).toBe(ticks[0]);
  });

  it("is let in from the front door's origin (PUBLIC_URL), and refused from any other", async () => {
    const front = await python('2', 'https://overcommit.example.org');
    expect(front.error).toBeUndefined();
    expect(front.ticks!.length).toBeGreaterThanOrEqual(2);
    const other = await python('2', 'https://evil.example.com');
    expect(other.error).toBeDefined();
    expect(other.ticks).toBeUndefined();
  });
});
