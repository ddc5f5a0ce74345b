import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import {
  formatInputErrors,
  type SweepProgress,
  sweepSocketEvents,
  watchSweepRequestSchema,
  zodIssuesToInputErrors,
} from '@overcommit/contracts';
import { Inject } from '@nestjs/common';
import type { Namespace, Socket } from 'socket.io';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { createRedis, type RedisClient } from '../redis/redis.module';
import { SweepsService } from './sweeps.service';
import { SweepsRepository } from './sweeps.repository';

const sweepRoom = (id: string) => `sweep:${id}`;

/**
 * `watch-sweep` over socket.io (ROLE=api or all): checks the sweep's token like GET, puts the
 * socket in the sweep's room and answers with its progress now; the workers' progress messages
 * (one Redis channel, subscribed once the first socket watches) go to the room as `sweep-progress`.
 */
@Injectable()
export class SweepsLive implements OnApplicationShutdown {
  private readonly logger = new Logger('SweepsLive');
  private sub: RedisClient | null = null;
  private nsp: Namespace | null = null;

  constructor(
    private readonly sweeps: SweepsService,
    private readonly repo: SweepsRepository,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  private listen(nsp: Namespace): void {
    if (this.sub) return;
    this.nsp = nsp;
    this.sub = createRedis(this.config, { logger: this.logger, use: 'subscriber' });
    this.sub.on('message', (_channel: string, payload: string) => {
      const message = JSON.parse(payload) as SweepProgress;
      this.nsp?.local.to(sweepRoom(message.sweepId)).emit(sweepSocketEvents.sweepProgress, message);
    });
    void this.sub
      .subscribe(this.repo.channel)
      .catch((error: Error) =>
        this.logger.warn(`sweep progress subscription failed: ${error.message}`),
      );
  }

  async watch(socket: Socket, body: unknown): Promise<unknown> {
    const parsed = watchSweepRequestSchema.safeParse(body);
    if (!parsed.success) {
      const details = formatInputErrors(zodIssuesToInputErrors(parsed.error.issues), '; ');
      return {
        ok: false,
        error: `bad watch-sweep: ${details}`,
        code: 'join-invalid',
        params: { details },
      };
    }
    const { sweepId, token } = parsed.data;
    const record = await this.sweeps.open(sweepId, token).catch(() => null);
    if (!record)
      return {
        ok: false,
        error: `no sweep ${sweepId}`,
        code: 'sweep-not-found',
        params: { id: sweepId },
      };
    this.listen(socket.nsp);
    await socket.join(sweepRoom(sweepId));
    const progress: SweepProgress = {
      sweepId,
      status: record.status,
      done: record.done,
      total: record.total,
    };
    return { ok: true, progress };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.sub) await this.sub.quit().catch(() => this.sub?.disconnect());
  }
}
