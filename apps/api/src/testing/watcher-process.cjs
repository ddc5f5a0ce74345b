// A watcher in a process of its own, for tests that crash a client for real
// (kill -9): it connects to the API with socket.io-client over WebSocket,
// joins the cluster, and reports each frame's tick on standard output.
//   node watcher-process.cjs <api url> <cluster id> <name>
// Lines out: `joined <snapshot tick>` once, then `frame <tick>` per frame.
const { io } = require('socket.io-client');

const [url, clusterId, name] = process.argv.slice(2);
const socket = io(url, { auth: { name }, transports: ['websocket'], reconnection: false });
socket.on('frame', (payload) => process.stdout.write(`frame ${payload.tick}\n`));
socket.on('connect', () => {
  socket.emit('join', { clusterId, name }, (reply) => {
    if (!reply || !reply.ok) {
      process.stderr.write(`join refused: ${JSON.stringify(reply)}\n`);
      process.exit(2);
    }
    const tick = reply.snapshot ? Number(/"tick":(\d+)/.exec(reply.snapshot)?.[1] ?? -1) : -1;
    process.stdout.write(`joined ${tick}\n`);
  });
});
socket.on('connect_error', (error) => {
  process.stderr.write(`connect failed: ${error.message}\n`);
  process.exit(2);
});
