// Loaded into every server the live benchmark measures (`node -r
// bench/dist/live-fanout-probe.js`, or imported by the baseline servers).
// On the IPC channel it answers:
//   { probe: true, gc?, id }  the process's own CPU time (process.cpuUsage,
//                             microseconds, every thread) and memory, the
//                             memory after full garbage collections when asked
//                             (and the process runs with --expose-gc);
//   { profile: 'start', id }  starts V8's CPU profiler (node:inspector);
//   { profile: 'stop', file, id }  stops it and writes the .cpuprofile.
// It does nothing without an IPC channel, keeps no event loop alive, and ends
// its process when the benchmark goes away.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const gc = (globalThis as { gc?: () => void }).gc;

let session: Session | undefined;

function post(method: string): Promise<unknown> {
  return new Promise((resolve, reject) =>
    session!.post(method, (error, result) => (error ? reject(error) : resolve(result))),
  );
}

async function profile(what: unknown, file: unknown): Promise<object> {
  if (what === 'start') {
    session ??= new Session();
    session.connect();
    await post('Profiler.enable');
    await post('Profiler.start');
    return {};
  }
  if (!session) throw new Error('the profiler was not started');
  const { profile } = (await post('Profiler.stop')) as { profile: object };
  session.disconnect();
  session = undefined;
  writeFileSync(String(file), JSON.stringify(profile));
  return { file };
}

if (typeof process.send === 'function') {
  process.on('message', (message: unknown) => {
    const m = message as {
      probe?: unknown;
      gc?: unknown;
      profile?: unknown;
      file?: unknown;
      id?: unknown;
    } | null;
    if (m?.profile !== undefined) {
      profile(m.profile, m.file).then(
        (reply) => process.send?.({ id: m.id, ok: true, ...reply }),
        (error: unknown) => process.send?.({ id: m.id, ok: false, error: String(error) }),
      );
      return;
    }
    if (m?.probe !== true) return;
    const cpu = process.cpuUsage();
    const reply = () => {
      const memory = process.memoryUsage();
      process.send?.({
        id: m.id,
        cpuMicros: cpu.user + cpu.system,
        rss: memory.rss,
        heapUsed: memory.heapUsed,
        external: memory.external,
      });
    };
    if (m.gc !== true || !gc) return reply();
    // Twice, a moment apart: the sweeper frees pages after the first returns.
    gc();
    setTimeout(() => {
      gc();
      reply();
    }, 300);
  });
  (process.channel as { unref?: () => void } | undefined)?.unref?.();
  // The benchmark died without stopping us: stop as on Ctrl-C.
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
