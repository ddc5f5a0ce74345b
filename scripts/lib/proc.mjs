// Child processes that die with the launcher: each runs in its own process
// group, its output is prefixed, and stopAll() ends every group it started.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

const children = new Set();

/** Starts a long-running child; `onExit(code, signal)` fires if it ends by itself. */
export function startChild(name, command, args, { cwd, env, onExit }) {
  const child = spawn(command, args, {
    cwd,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const entry = { name, child, stopping: false, tail: [] };
  children.add(entry);
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        entry.tail.push(line);
        if (entry.tail.length > 20) entry.tail.shift();
        process.stdout.write(`[${name}] ${line}\n`);
      }
    });
  }
  child.on('exit', (code, signal) => {
    children.delete(entry);
    if (!entry.stopping) onExit?.(code, signal, entry.tail);
  });
  return child;
}

/** Ends every child's process group: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopAll(graceMs = 5000) {
  await Promise.all(
    [...children].map(
      (entry) =>
        new Promise((resolve) => {
          entry.stopping = true;
          if (entry.child.exitCode !== null || entry.child.signalCode !== null) return resolve();
          entry.child.once('exit', resolve);
          const kill = (signal) => {
            try {
              process.kill(-entry.child.pid, signal);
            } catch {
              // already gone
            }
          };
          kill('SIGTERM');
          setTimeout(() => kill('SIGKILL'), graceMs).unref();
        }),
    ),
  );
}

/** Resolves to true when nothing listens on `port` (IPv4 and IPv6 wildcard). */
export function portIsFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Polls `url` until it answers with a status below 500 or `timeoutMs` passes. */
export async function waitForHttp(url, timeoutMs, isAlive = () => true) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && isAlive()) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status < 500 || url.includes('/health')) return true;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}
