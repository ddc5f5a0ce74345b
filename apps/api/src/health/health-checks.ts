import { type BeforeApplicationShutdown, Injectable } from '@nestjs/common';

/** What one readiness check answers: up, or down with why. */
export type CheckResult =
  { up: true; detail?: Record<string, unknown> } | { up: false; reason: string };

/** A readiness check, registered by the part that knows (the tick queue, the worker). */
export interface ReadinessCheck {
  name: string;
  run(): Promise<CheckResult>;
}

/**
 * The readiness checks of this process: Redis here, the queue and the tick worker registered by the
 * ticks module (only a process with ROLE=worker or all registers the worker's), so that each part
 * reports on itself and the health module knows none of their insides.
 */
@Injectable()
export class HealthChecks implements BeforeApplicationShutdown {
  private readonly checks: ReadinessCheck[] = [];
  private shuttingDown = false;

  register(check: ReadinessCheck): void {
    this.checks.push(check);
  }

  get all(): readonly ReadinessCheck[] {
    return this.checks;
  }

  /** From SIGTERM on, readiness fails, so the front door and the orchestrator send nothing new. */
  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }
}

/** The promise's result, or `fallback` when it takes longer than `ms` (a hung Redis must not hang a probe). */
export async function within<T>(ms: number, work: Promise<T>, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
