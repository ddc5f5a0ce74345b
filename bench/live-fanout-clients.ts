// The live benchmark's load generator: many light clients in one process,
// each speaking the socket.io protocol (engine.io v4 over a bare `ws`
// websocket, no polling, no socket.io-client) just far enough to connect with
// auth, join a cluster with an ack'ed `join`, answer pings and time every
// `frame` event: receipt (Date.now()) minus the frame's sentAt, both clocks
// being this machine's. A frame is read only as far as its tick and sentAt
// (the first bytes), so a client costs little more than the kernel's copy.
//
// Every client checks that it gets every tick in order: a jump in tick numbers
// counts the ticks it missed (lost), a tick it already had counts as doubled,
// an older one as out of order (frames no newer than its join's snapshot
// excepted: the snapshot covered them).
//
// Driven by bench/live.ts over IPC (LoadRequest / LoadReply in
// live-fanout-common.ts); for many clients there are several of these
// processes, each with its share of every group, all pinned to the core the
// servers do not use.
import { type Socket } from 'node:net';
import { WebSocket } from 'ws';
import { type GroupStats, type LoadReply, type LoadRequest } from './live-fanout-common';

interface Group {
  clients: Client[];
  stats: GroupStats;
}

interface Client {
  ws: WebSocket;
  group: Group;
  lastTick: number;
  /** It has had a frame newer than its join's snapshot: from then on, every tick must follow the last. */
  counting: boolean;
  open: boolean;
  /** Lifts a slow client's throttle: it reads at full speed from then on. */
  release?: () => void;
}

const groups = new Map<string, Group>();
/** TCP bytes read by a group's sockets so far (the window's wire bytes are the difference). */
const socketBytesRead = (group: Group) =>
  group.clients.reduce(
    (total, c) => total + ((c.ws as unknown as { _socket?: Socket })._socket?.bytesRead ?? 0),
    0,
  );
const wireAtStart = new Map<string, number>();
let recording = false;
let windowStart = 0;
let cpuStart = 0;

function emptyStats(clients: number): GroupStats {
  return {
    clients,
    connected: 0,
    latencies: [],
    deliveries: 0,
    frameBytes: 0,
    otherMessages: 0,
    otherBytes: 0,
    skippedInWindow: 0,
    skippedTotal: 0,
    doubledInWindow: 0,
    doubledTotal: 0,
    outOfOrderInWindow: 0,
    outOfOrderTotal: 0,
    disconnects: 0,
    bytesRead: 0,
    wireBytes: 0,
    windowFirstTick: -1,
    lastTickMax: -1,
    lastTickMin: -1,
    lastTicks: {},
  };
}

const frameHead = /^42\["frame",\{.*?"tick":(\d+),"sentAt":(\d+)/;
const snapshotTick = /^\{"v":\d+,"tick":(\d+),/;

/**
 * Throttles a socket's reads to `bytesPerSecond` on average: after each chunk,
 * when more has been read than the budget allows, the socket is paused (the
 * kernel's buffers fill, then TCP tells the server to wait) until the budget
 * catches up. `ws` pauses and resumes the socket for its own flow control; its
 * resume waits for ours.
 */
function throttle(socket: Socket, bytesPerSecond: number, group: Group): () => void {
  const start = performance.now();
  let read = 0;
  let blockedUntil = 0;
  let released = false;
  const resume = socket.resume.bind(socket);
  socket.resume = () => (performance.now() < blockedUntil ? socket : resume());
  socket.on('data', (chunk: Buffer) => {
    read += chunk.length;
    group.stats.bytesRead += chunk.length;
    if (released) return;
    if (bytesPerSecond <= 0) {
      // A stalled client: never reads again.
      blockedUntil = Infinity;
      socket.pause();
      return;
    }
    const now = performance.now();
    const allowed = (bytesPerSecond * (now - start)) / 1000;
    if (read <= allowed) return;
    const waitMs = ((read - allowed) / bytesPerSecond) * 1000;
    blockedUntil = now + waitMs;
    socket.pause();
    setTimeout(() => {
      blockedUntil = 0;
      resume();
    }, waitMs).unref();
  });
  return () => {
    released = true;
    blockedUntil = 0;
    resume();
  };
}

/** Connects one client; resolves when connected (and joined, for our API) or rejects with why not. */
function connect(
  url: string,
  name: string,
  group: Group,
  clusterId: string | undefined,
  slowBytesPerSecond: number | undefined,
  deflate: boolean,
): Promise<{ client: Client; snapshotBytes: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}/socket.io/?EIO=4&transport=websocket`, {
      perMessageDeflate: deflate,
    });
    const client: Client = { ws, group, lastTick: -1, counting: false, open: false };
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      ws.terminate();
      reject(new Error(why));
    };
    const timer = setTimeout(() => fail(`${name}: no connect/join within 60 s`), 60_000);
    const done = (snapshotBytes: number) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.open = true;
      resolve({ client, snapshotBytes });
    };
    ws.on('open', () => {
      const socket = (ws as unknown as { _socket?: Socket })._socket;
      if (slowBytesPerSecond !== undefined && socket)
        client.release = throttle(socket, slowBytesPerSecond, group);
    });
    ws.on('message', (data: Buffer) => {
      const at = Date.now();
      const length = data.length;
      const stats = group.stats; // replaced at each window's start
      if (slowBytesPerSecond === undefined) stats.bytesRead += length;
      const c0 = data[0];
      if (c0 === 0x34 /* 4: message */) {
        const c1 = data[1];
        if (c1 === 0x32 /* 2: event */) {
          const match = frameHead.exec(data.toString('latin1', 0, Math.min(length, 200)));
          if (match) {
            const tick = Number(match[1]);
            if (tick <= client.lastTick) {
              // Before its first newer frame: already in the join's snapshot.
              if (!client.counting) return;
              if (tick === client.lastTick) {
                stats.doubledTotal++;
                if (recording) stats.doubledInWindow++;
              } else {
                stats.outOfOrderTotal++;
                if (recording) stats.outOfOrderInWindow++;
              }
              return;
            }
            client.counting = true;
            if (client.lastTick >= 0 && tick > client.lastTick + 1) {
              stats.skippedTotal += tick - client.lastTick - 1;
              if (recording) stats.skippedInWindow += tick - client.lastTick - 1;
            }
            client.lastTick = tick;
            if (recording) {
              if (stats.windowFirstTick < 0 || tick < stats.windowFirstTick)
                stats.windowFirstTick = tick;
              stats.latencies.push(at - Number(match[2]));
              stats.deliveries++;
              stats.frameBytes += length;
            }
            return;
          }
          if (recording) {
            stats.otherMessages++;
            stats.otherBytes += length;
          }
          return;
        }
        if (c1 === 0x33 /* 3: ack, the join's reply */) {
          const text = data.toString('utf8');
          const reply = (JSON.parse(text.slice(text.indexOf('['))) as unknown[])[0] as {
            ok?: boolean;
            error?: string;
            snapshot?: string | null;
          };
          if (!reply?.ok)
            return fail(`${name}: join refused: ${reply?.error ?? text.slice(0, 200)}`);
          const m = reply.snapshot ? snapshotTick.exec(reply.snapshot) : null;
          // Frames up to the snapshot's tick may still follow (published before it was read):
          // the snapshot covers them.
          if (m && Number(m[1]) > client.lastTick) {
            client.lastTick = Number(m[1]);
            client.counting = false;
          }
          return done(length);
        }
        if (c1 === 0x30 /* 0: connected */) {
          if (clusterId === undefined) return done(0);
          ws.send(`420${JSON.stringify(['join', { clusterId, name }])}`);
          return;
        }
        if (c1 === 0x34 /* 4: connect error */) return fail(`${name}: ${data.toString('utf8')}`);
        if (c1 === 0x31 /* 1: disconnect */) {
          ws.close();
          return;
        }
        if (recording) {
          stats.otherMessages++;
          stats.otherBytes += length;
        }
        return;
      }
      if (c0 === 0x32 /* 2: ping */) {
        ws.send('3');
        return;
      }
      if (c0 === 0x30 /* 0: open */) {
        ws.send(`40${JSON.stringify({ name })}`);
        return;
      }
    });
    ws.on('close', () => {
      if (client.open) group.stats.disconnects++;
      client.open = false;
      fail(`${name}: closed before it was connected`);
    });
    ws.on('error', (error) => fail(`${name}: ${error.message}`));
  });
}

async function handle(message: LoadRequest): Promise<LoadReply> {
  switch (message.op) {
    case 'connect': {
      const group = groups.get(message.group) ?? { clients: [], stats: emptyStats(0) };
      groups.set(message.group, group);
      const started = performance.now();
      let next = 0;
      let snapshotBytes = 0;
      const base = message.offset;
      const bytesBefore = group.stats.bytesRead;
      await Promise.all(
        Array.from({ length: Math.min(message.concurrency, message.count) }, async () => {
          while (next < message.count) {
            const index = base + next++;
            const { client, snapshotBytes: bytes } = await connect(
              message.urls[index % message.urls.length]!,
              `${message.group}-${index}`,
              group,
              message.clusterId,
              message.slowBytesPerSecond,
              message.deflate ?? false,
            );
            group.clients.push(client);
            snapshotBytes = Math.max(snapshotBytes, bytes);
          }
        }),
      );
      group.stats.clients = group.clients.length;
      return {
        ok: true,
        op: 'connect',
        connected: group.clients.length,
        ms: performance.now() - started,
        snapshotBytes,
        bytesPerClient: (group.stats.bytesRead - bytesBefore) / Math.max(1, message.count),
      };
    }
    case 'start': {
      for (const [name, group] of groups) wireAtStart.set(name, socketBytesRead(group));
      for (const group of groups.values()) {
        const { skippedTotal, doubledTotal, outOfOrderTotal, disconnects, bytesRead } = group.stats;
        group.stats = {
          ...emptyStats(group.clients.length),
          skippedTotal,
          doubledTotal,
          outOfOrderTotal,
          disconnects,
          bytesRead,
        };
      }
      const cpu = process.cpuUsage();
      cpuStart = cpu.user + cpu.system;
      windowStart = performance.now();
      recording = true;
      return { ok: true, op: 'start' };
    }
    case 'stop': {
      recording = false;
      const cpu = process.cpuUsage();
      const out: Record<string, GroupStats> = {};
      for (const [name, group] of groups) {
        const lastTicks: Record<string, number> = {};
        let lastTickMax = -1;
        let lastTickMin = Infinity;
        for (const c of group.clients) {
          lastTicks[c.lastTick] = (lastTicks[c.lastTick] ?? 0) + 1;
          lastTickMax = Math.max(lastTickMax, c.lastTick);
          lastTickMin = Math.min(lastTickMin, c.lastTick);
        }
        out[name] = {
          ...group.stats,
          wireBytes: socketBytesRead(group) - (wireAtStart.get(name) ?? 0),
          connected: group.clients.filter((c) => c.open).length,
          lastTickMax,
          lastTickMin: group.clients.length ? lastTickMin : -1,
          lastTicks,
        };
      }
      return {
        ok: true,
        op: 'stop',
        seconds: (performance.now() - windowStart) / 1000,
        cpuMicros: cpu.user + cpu.system - cpuStart,
        groups: out,
      };
    }
    case 'close': {
      const names = message.group === undefined ? [...groups.keys()] : [message.group];
      await Promise.all(
        names.flatMap((name) =>
          (groups.get(name)?.clients ?? []).map(
            (c) =>
              new Promise<void>((resolve) => {
                c.open = false;
                if (c.ws.readyState === WebSocket.CLOSED) return resolve();
                c.ws.once('close', () => resolve());
                c.ws.terminate();
              }),
          ),
        ),
      );
      for (const name of names) groups.delete(name);
      return { ok: true, op: 'close' };
    }
    case 'release': {
      for (const client of groups.get(message.group)?.clients ?? []) client.release?.();
      return { ok: true, op: 'release' };
    }
    case 'ports': {
      const ports = (groups.get(message.group)?.clients ?? []).flatMap((c) => {
        const port = (c.ws as unknown as { _socket?: Socket })._socket?.localPort;
        return port === undefined ? [] : [port];
      });
      return { ok: true, op: 'ports', ports };
    }
  }
}

process.on('message', (message: LoadRequest & { id: number }) => {
  handle(message).then(
    (reply) => process.send?.({ ...reply, id: message.id }),
    (error: unknown) =>
      process.send?.({
        ok: false,
        error: error instanceof Error ? error.message : String(error),
        id: message.id,
      }),
  );
});
// The benchmark is gone: so are we.
process.once('disconnect', () => process.exit(0));
