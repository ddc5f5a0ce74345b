// The two baselines of the live fan-out benchmark, each one process serving
// the same frames as our pipeline, once a tick, to every connected client:
//   --kind ws        a bare `ws` server: speaks just enough engine.io/socket.io
//                    (open packet, connect reply) for the same load generator,
//                    then loops over its sockets sending the exact
//                    `42["frame",{...}]` text, encoded to bytes once per tick;
//   --kind socketio  a bare socket.io server: `io.emit('frame', payload)`, no
//                    Redis, no middleware, no rooms.
// Frames come from --frames (a JSON array of wire strings, cycled), with
// sentAt set at send time. Started by bench/live.ts; tells it on IPC when it
// listens, and answers its probes (live-fanout-probe.ts).
import './live-fanout-probe';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { Server } from 'socket.io';
import { type WebSocket, WebSocketServer } from 'ws';

const { values } = parseArgs({
  options: {
    kind: { type: 'string' },
    port: { type: 'string' },
    frames: { type: 'string' },
    cluster: { type: 'string', default: 'bench' },
    'tick-ms': { type: 'string', default: '1000' },
    'first-tick': { type: 'string', default: '1' },
  },
});
const kind = values.kind;
if (kind !== 'ws' && kind !== 'socketio') throw new Error('--kind ws|socketio');
const port = Number(values.port);
const tickMs = Number(values['tick-ms']);
const frames = JSON.parse(readFileSync(values.frames ?? '', 'utf8')) as string[];
const clusterId = values.cluster ?? 'bench';

const firstTick = Number(values['first-tick']);
let sent = 0;
/** The `frame` event's payload, as the API sends it (same keys, same order). */
function nextPayload(): { clusterId: string; tick: number; sentAt: number; frame: string } {
  const frame = frames[sent % frames.length]!;
  const tick = firstTick + sent++;
  return { clusterId, tick, sentAt: Date.now(), frame };
}

const http = createServer((_req, res) => {
  res.writeHead(404).end();
});

if (kind === 'ws') {
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false, maxPayload: 65_536 });
  const sockets = new Set<WebSocket>();
  wss.on('connection', (ws) => {
    const sid = randomBytes(15).toString('base64url');
    ws.send(
      `0${JSON.stringify({ sid, upgrades: [], pingInterval: 25000, pingTimeout: 20000, maxPayload: 1e6 })}`,
    );
    ws.on('message', (data: Buffer) => {
      // "40" (+ auth): the socket.io connect; answer it and start sending frames.
      if (data[0] === 0x34 && data[1] === 0x30) {
        ws.send(`40{"sid":"${randomBytes(15).toString('base64url')}"}`);
        sockets.add(ws);
      }
    });
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', () => sockets.delete(ws));
  });
  setInterval(() => {
    const bytes = Buffer.from(`42${JSON.stringify(['frame', nextPayload()])}`);
    for (const ws of sockets) ws.send(bytes, { binary: false });
  }, tickMs);
} else {
  const io = new Server(http, { maxHttpBufferSize: 65_536, cors: { origin: true } });
  setInterval(() => io.emit('frame', nextPayload()), tickMs);
}

http.listen(port, '127.0.0.1', () => process.send?.({ ready: true }));
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(0));
