import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { httpRequest } from './http';
import { freePort } from './redis-server';

/** The built API (`npx nx run api:build`; the api's test-int target depends on it). */
export const builtMain = join(__dirname, '../../dist/main.js');

/**
 * The built API or worker as an OS process of its own (`node dist/main.js`),
 * for tests that kill one for real. Its output is kept (the last 64 KiB) for
 * failure messages.
 */
export class ApiProcess {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    /** How much of its output to keep (the last this many characters). */
    keepChars = 65_536,
  ) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-keepChars);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  /** Starts `node dist/main.js` with the given environment (on a free API_PORT) and waits until its health answers. */
  static async start(
    env: NodeJS.ProcessEnv,
    options: { keepChars?: number } = {},
  ): Promise<ApiProcess> {
    if (!existsSync(builtMain)) {
      throw new Error(
        `${builtMain} is missing: build the API first (npx nx run api:build, which api:test-int runs first)`,
      );
    }
    const port = await freePort();
    const child = spawn(process.execPath, [builtMain], {
      env: { ...env, API_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const proc = new ApiProcess(child, port, options.keepChars);
    await proc.waitReady();
    return proc;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The exit code once it has exited (null while running, or when a signal ended it). */
  get exitCode(): number | null {
    return this.child.exitCode;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** What it printed (the last 64 KiB). */
  get log(): string {
    return this.output;
  }

  private async waitReady(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`the API process exited at start:\n${this.output}`);
      const status = await httpRequest(`${this.url}/api/health`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await this.stop();
    throw new Error(`the API process did not answer within ${timeoutMs} ms:\n${this.output}`);
  }

  /** Sends a signal (SIGSTOP freezes it, SIGCONT resumes it). */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGKILL, as a crash would, and waits until it is gone. */
  async kill(): Promise<void> {
    await this.stop('SIGKILL');
  }

  /** SIGTERM (Nest's shutdown hooks), SIGKILL after `graceMs`; waits until it is gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 5_000): Promise<void> {
    if (!this.running) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill(signal);
    // A frozen (SIGSTOP) process handles SIGTERM only once resumed; SIGKILL needs no resume.
    if (signal !== 'SIGKILL') this.child.kill('SIGCONT');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
