import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP link between the browser and the API that a test can cut: while it
 * is down, every open connection is destroyed and new ones are refused, as a
 * dropped network does to a WebSocket (Chromium's own offline emulation
 * leaves open WebSockets alone).
 */
export interface CuttableLink {
  /** The URL the browser should use for the API. */
  readonly url: string;
  /** Where the link leads (the API's port), set once the API runs. */
  setTarget(port: number): void;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function cuttableLink(): Promise<CuttableLink> {
  const open = new Set<Socket>();
  let down = false;
  let target = 0;
  const server = createServer((client) => {
    if (down || target === 0) {
      client.destroy();
      return;
    }
    const upstream = connect(target, '127.0.0.1');
    open.add(client);
    open.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port for the link');
  return {
    url: `http://127.0.0.1:${address.port}`,
    setTarget(port) {
      target = port;
    },
    cut() {
      down = true;
      for (const socket of open) socket.destroy();
      open.clear();
    },
    restore() {
      down = false;
    },
    close() {
      for (const socket of open) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
