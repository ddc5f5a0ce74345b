import { type INestApplicationContext, Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import type { Server, ServerOptions } from 'socket.io';
import type { IncomingMessage } from 'node:http';
import { createRedis, isCluster, type RedisClient, type RedisTarget } from '../redis/redis.module';

const logger = new Logger('SocketIoAdapter');

/** Who may open a socket, and how frames travel. */
export interface LiveAccess {
  /** Browser origins allowed (CORS_ORIGINS, or the dashboard on WEB_PORT). */
  origins: readonly string[];
  /** The dashboard's address as people reach it (PUBLIC_URL): the front door's origin is allowed too. */
  publicUrl: string;
  /** LIVE_COMPRESSION: negotiate permessage-deflate, so frames can go out compressed. */
  compression: boolean;
}

/**
 * permessage-deflate, negotiated but never run by ws itself: the frame broadcast compresses each
 * frame once for every socket (frame-broadcast.ts); ws would compress per socket and keep a zlib
 * context of about 256 KiB for each one. Other packets (acks, presence, pings) go out plain.
 */
const NEGOTIATE_ONLY_DEFLATE = {
  threshold: Number.MAX_SAFE_INTEGER,
  clientNoContextTakeover: true,
  serverNoContextTakeover: true,
};

/**
 * socket.io across API instances: a broadcast to a room (`server.to(room)`, not `server.local`)
 * reaches every instance through Redis. Frames, presence and command outcomes do not use it: each
 * instance subscribes to the clusters its own sockets watch (LiveSubscriber) and emits locally.
 * Connects before use, as NestJS's sample gateway does.
 *
 * On a Redis Cluster it is socket.io's sharded adapter (createShardedAdapter: SPUBLISH and
 * SSUBSCRIBE), in its `static` mode: two channels per instance, each on one shard, whatever the
 * rooms. Its `dynamic` mode would SSUBSCRIBE every instance to a channel per room it holds (one
 * per watched cluster) for broadcasts nothing sends; the classic adapter's PUBLISH would copy
 * every message to every node over the cluster bus.
 */
export class RedisIoAdapter extends IoAdapter {
  private adapterConstructor:
    ReturnType<typeof createAdapter | typeof createShardedAdapter> | undefined;
  private readonly clients: RedisClient[] = [];

  constructor(
    app: INestApplicationContext,
    private readonly redis: RedisTarget,
    private readonly key: string,
    private readonly access: LiveAccess,
  ) {
    super(app);
  }

  connectToRedis(): void {
    const pub = createRedis(this.redis);
    if (isCluster(pub)) {
      const sub = createRedis(this.redis, { use: 'subscriber' });
      // The same nodes as `pub`, whose listeners (createRedis) report an outage: not twice.
      sub.removeAllListeners('error').removeAllListeners('node error');
      sub.on('error', () => undefined);
      handleRejections(pub, ['spublish']);
      handleRejections(sub, ['ssubscribe', 'sunsubscribe']);
      this.clients.push(pub, sub);
      this.adapterConstructor = createShardedAdapter(pub, sub, {
        channelPrefix: this.key,
        subscriptionMode: 'static',
      });
      return;
    }
    const sub = pub.duplicate();
    // The same server as `pub`, whose listener (createRedis) reports an outage once: not twice.
    sub.on('error', () => undefined);
    handleRejections(pub, ['publish']);
    handleRejections(sub, ['subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe']);
    this.clients.push(pub, sub);
    this.adapterConstructor = createAdapter(pub, sub, { key: this.key });
  }

  /**
   * The CORS allow-list (CORS_ORIGINS) for socket.io too: long-polling gets CORS headers for those
   * origins only, and a handshake from a browser page on any other origin (WebSocket upgrades are
   * not covered by CORS) is refused. Also allowed: the front door's origin (PUBLIC_URL), the API's
   * own (an Origin whose host is the request's Host: what python-socketio and other WebSocket
   * clients send), and no Origin at all (programs, not browsers).
   */
  override createIOServer(port: number, options?: ServerOptions): Server {
    const origins = new Set([...this.access.origins, new URL(this.access.publicUrl).origin]);
    const server = super.createIOServer(port, {
      ...options,
      cors: { origin: [...origins] },
      perMessageDeflate: this.access.compression ? NEGOTIATE_ONLY_DEFLATE : false,
      allowRequest: (req: IncomingMessage, callback: (err: string | null, ok: boolean) => void) => {
        const origin = req.headers.origin;
        if (origin === undefined || origins.has(origin) || sameHost(origin, req.headers.host))
          callback(null, true);
        else callback(`origin ${origin} is not in CORS_ORIGINS`, false);
      },
    }) as Server;
    if (this.adapterConstructor) server.adapter(this.adapterConstructor);
    return server;
  }

  override async dispose(): Promise<void> {
    await super.dispose();
    // Quit (after pending replies), not disconnect, so nothing in flight rejects.
    await Promise.all(
      this.clients.map((client) =>
        client
          .quit()
          .catch((error: Error) =>
            logger.debug(`closing a socket.io adapter connection failed: ${error.message}`),
          ),
      ),
    );
  }
}

/**
 * The adapter sends these commands without awaiting them, so when Redis is
 * away (or the app closes while it connects) their rejections would be
 * unhandled and end the process. Each call's promise gets a handler here;
 * the outage itself is reported once by the connection's error listener.
 */
function handleRejections(client: RedisClient, methods: readonly string[]): void {
  const target = client as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const method of methods) {
    const original = target[method]!.bind(client);
    target[method] = (...args: unknown[]) => {
      const result = original(...args);
      if (result instanceof Promise)
        result.catch((error: Error) =>
          logger.debug(`socket.io adapter ${method} failed: ${error.message}`),
        );
      return result;
    };
  }
}

/** Whether an Origin names the host the request was sent to (the API's own origin). */
function sameHost(origin: string, host: string | undefined): boolean {
  if (host === undefined || !URL.canParse(origin)) return false;
  return new URL(origin).host === host.toLowerCase();
}
