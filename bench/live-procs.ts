// Process helpers shared by the live benchmarks (bench/live.ts, bench/live-ticks.ts).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** A child process the benchmark started: its exit, and the tail of its output. */
export interface Watched {
  tail: string[];
  exited: boolean;
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `ready` answers true, or fails with the process's last output. */
export async function waitFor(
  what: string,
  proc: Watched,
  ready: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !proc.exited) {
    if (await ready().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${what} did not start:\n${proc.tail.join('\n')}`);
}

/** Whether the API on this port answers its health check with 200. */
export async function healthy(port: number): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${port}/api/health`, {
    signal: AbortSignal.timeout(2000),
  });
  await response.arrayBuffer();
  return response.status === 200;
}

/** utime + stime of a process from /proc, in seconds (10 ms resolution). */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ": state is field 3, utime 14, stime 15 (1-based) -> indexes 11, 12.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}
