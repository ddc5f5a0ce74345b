// Watchers for the benchmarks that run whole stacks (bench/chaos-run.ts, bench/soak-run.ts):
// light raw-websocket socket.io clients, each on one cluster. Every client reconnects when its
// connection drops (to the next API first) and resumes with `join { sinceTick }` = the last tick
// it has, filling the hole from the join reply's `frames`; a jump in tick numbers on a live
// connection sends the same join. Each counts what it missed, got twice or out of order.
import type { Socket } from 'node:net';
import { WebSocket } from 'ws';

const frameHead = /^42\["frame",\{"clusterId":"[^"]*","tick":(\d+),"sentAt":(\d+),"lagMs":(-?\d+)/;
const wireTick = /^\{"v":\d+,"tick":(\d+),/;

export interface Client {
  index: number;
  name: string;
  clusterId: string;
  /** The API it connects to next. */
  api: number;
  ws?: WebSocket;
  joined: boolean;
  joinAck?: number;
  nextAck: number;
  /** Frames that arrived while a join was pending. */
  buffered: { tick: number }[];
  lastTick: number;
  /** Live frames up to this tick may repeat what the last join's reply gave. */
  overlapUpTo: number;
  missed: number;
  /** Holes on a live connection, filled by a join with sinceTick. */
  holes: number;
  doubled: number;
  outOfOrder: number;
  reconnects: number;
  /** Live frames taken in order (not those filled from the history). */
  frames: number;
  /** No reconnect before this time (the dropped-network fault). */
  holdUntil: number;
  recoverFrom: number;
  recoveredAt: number | undefined;
  connectTimer?: NodeJS.Timeout;
  stopped: boolean;
}

export class Fleet {
  readonly clients: Client[] = [];
  private added = 0;
  /** What clients that left had counted (counters() includes them). */
  private readonly retired = { missed: 0, holes: 0, doubled: 0, outOfOrder: 0, frames: 0 };
  /** Per cluster: tick -> lagMs, from every live frame any client got. */
  readonly lags = new Map<string, Map<number, number>>();

  constructor(
    private readonly urls: () => string[],
    private readonly tickMs: number,
  ) {}

  add(clusterId: string, api: number): Client {
    const index = this.added++;
    const client: Client = {
      index,
      name: `chaos-${index}`,
      clusterId,
      api,
      joined: false,
      nextAck: 0,
      buffered: [],
      lastTick: -1,
      overlapUpTo: -1,
      missed: 0,
      holes: 0,
      doubled: 0,
      outOfOrder: 0,
      reconnects: 0,
      frames: 0,
      holdUntil: 0,
      recoverFrom: 0,
      recoveredAt: undefined,
      stopped: false,
    };
    this.clients.push(client);
    if (!this.lags.has(clusterId)) this.lags.set(clusterId, new Map());
    return client;
  }

  connect(client: Client): void {
    if (client.stopped) return;
    const urls = this.urls();
    const url = urls[client.api % urls.length]!.replace(/^http/, 'ws');
    const ws = new WebSocket(`${url}/socket.io/?EIO=4&transport=websocket`, {
      perMessageDeflate: false,
    });
    client.ws = ws;
    client.joined = false;
    client.buffered = [];
    // A connection that has not joined within 5 s (an API or Redis that does not answer) is
    // dropped and tried again.
    clearTimeout(client.connectTimer);
    client.connectTimer = setTimeout(() => {
      if (!client.joined) ws.terminate();
    }, 5_000);
    ws.on('message', (data: Buffer) => this.onMessage(client, ws, data));
    ws.on('error', () => undefined);
    ws.on('close', () => {
      if (client.ws !== ws) return;
      client.ws = undefined;
      client.joined = false;
      clearTimeout(client.connectTimer);
      if (client.stopped) return;
      client.reconnects++;
      // To the other API first; then alternate.
      client.api++;
      const delay = Math.max(client.holdUntil - Date.now(), 0) + 100 + Math.random() * 200;
      setTimeout(() => this.connect(client), delay).unref();
    });
  }

  private sendJoin(client: Client, ws: WebSocket): void {
    const id = client.nextAck++;
    client.joinAck = id;
    const payload: Record<string, unknown> = { clusterId: client.clusterId, name: client.name };
    if (client.lastTick >= 0) payload['sinceTick'] = client.lastTick;
    ws.send(`42${id}${JSON.stringify(['join', payload])}`);
  }

  private onMessage(client: Client, ws: WebSocket, data: Buffer): void {
    if (client.ws !== ws) return;
    const c0 = data[0];
    if (c0 === 0x32 /* ping */) return void ws.send('3');
    if (c0 === 0x30 /* open */) return void ws.send(`40${JSON.stringify({ name: client.name })}`);
    if (c0 !== 0x34) return;
    const c1 = data[1];
    if (c1 === 0x30 /* connected */) return this.sendJoin(client, ws);
    if (c1 === 0x32 /* event */) {
      const m = frameHead.exec(data.toString('latin1', 0, Math.min(data.length, 200)));
      if (!m) return;
      const tick = Number(m[1]);
      this.lags.get(client.clusterId)?.set(tick, Number(m[3]));
      if (client.joinAck !== undefined) {
        client.buffered.push({ tick });
        return;
      }
      this.live(client, ws, tick);
      return;
    }
    if (c1 === 0x33 /* ack */) {
      const text = data.toString('utf8');
      const ack = /^43(\d+)/.exec(text);
      if (!ack || Number(ack[1]) !== client.joinAck) return;
      const reply = (JSON.parse(text.slice(ack[0].length)) as unknown[])[0] as {
        ok?: boolean;
        snapshot?: string | null;
        frames?: string[];
      };
      client.joinAck = undefined;
      if (!reply?.ok) {
        ws.terminate();
        return;
      }
      clearTimeout(client.connectTimer);
      const snapshot = reply.snapshot ? Number(wireTick.exec(reply.snapshot)?.[1]) : NaN;
      if (client.lastTick < 0) {
        if (Number.isFinite(snapshot)) client.lastTick = snapshot;
      } else {
        for (const wire of reply.frames ?? []) {
          const tick = Number(wireTick.exec(wire)?.[1]);
          if (!(tick > client.lastTick)) continue;
          if (tick > client.lastTick + 1) client.missed += tick - client.lastTick - 1;
          client.lastTick = tick;
        }
        if (Number.isFinite(snapshot) && snapshot > client.lastTick) {
          client.missed += snapshot - client.lastTick - 1;
          client.lastTick = snapshot;
        }
      }
      client.overlapUpTo = client.lastTick;
      client.joined = true;
      const buffered = client.buffered;
      client.buffered = [];
      for (const f of buffered) this.live(client, ws, f.tick);
    }
  }

  /** A live frame on a joined connection. */
  private live(client: Client, ws: WebSocket, tick: number): void {
    if (tick <= client.lastTick) {
      if (tick <= client.overlapUpTo) return; // the join's reply had it already
      if (tick === client.lastTick) client.doubled++;
      else client.outOfOrder++;
      return;
    }
    if (tick > client.lastTick + 1) {
      // A hole on a live connection (a frame skipped, or published while this API's
      // subscription was away): ask the history for it, as the protocol says.
      client.holes++;
      client.buffered.push({ tick });
      this.sendJoin(client, ws);
      return;
    }
    client.lastTick = tick;
    client.frames++;
    const now = Date.now();
    if (client.recoveredAt === undefined && now >= client.recoverFrom) client.recoveredAt = now;
  }

  /** Destroys the client's TCP connection; it reconnects only after `holdMs`. */
  dropNetwork(client: Client, holdMs: number): void {
    client.holdUntil = Date.now() + holdMs;
    const socket = (client.ws as unknown as { _socket?: Socket } | undefined)?._socket;
    socket?.destroy();
  }

  markFaultEnd(at: number): void {
    for (const c of this.clients) {
      c.recoverFrom = at;
      c.recoveredAt = undefined;
    }
  }

  counters() {
    const sum = (f: (c: Client) => number) => this.clients.reduce((s, c) => s + f(c), 0);
    const r = this.retired;
    return {
      missed: r.missed + sum((c) => c.missed),
      holes: r.holes + sum((c) => c.holes),
      doubled: r.doubled + sum((c) => c.doubled),
      outOfOrder: r.outOfOrder + sum((c) => c.outOfOrder),
      reconnects: sum((c) => c.reconnects),
      joined: sum((c) => (c.joined ? 1 : 0)),
      frames: r.frames + sum((c) => c.frames),
    };
  }

  /** The client leaves for good (closes its connection as a closed tab does) and is forgotten. */
  leave(client: Client): void {
    client.stopped = true;
    clearTimeout(client.connectTimer);
    client.ws?.close();
    for (const key of Object.keys(this.retired) as (keyof typeof this.retired)[])
      this.retired[key] += client[key];
    const at = this.clients.indexOf(client);
    if (at >= 0) this.clients.splice(at, 1);
  }

  closeAll(): void {
    for (const c of this.clients) {
      c.stopped = true;
      clearTimeout(c.connectTimer);
      c.ws?.terminate();
    }
  }

  get tickIntervalMs(): number {
    return this.tickMs;
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP

export async function http(
  url: string,
  init: {
    method?: string;
    body?: unknown;
    token?: string;
    timeoutMs?: number;
    headers?: Record<string, string>;
  } = {},
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...init.headers,
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(init.timeoutMs ?? 5_000),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, body };
}
