import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { SweepPointResult } from '@overcommit/contracts';
import { planSweep, type SweepPlan, summarizeSweep } from '@overcommit/sim';
import { type ConnectionOptions, type Job, Queue, Worker } from 'bullmq';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Worker as Thread } from 'node:worker_threads';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { createRedis, onCluster, type RedisClient } from '../redis/redis.module';
import type { SweepThreadJob, SweepThreadReply, SweepThreadSetup } from './sweep-thread';
import { type SweepRecord, SweepsRepository } from './sweeps.repository';

export const SWEEPS_QUEUE = 'sweeps';
/** Set by SweepsModule: whether this process takes sweep jobs (ROLE=worker or all). */
export const RUNS_SWEEPS = Symbol('RUNS_SWEEPS');

interface SweepJobData {
  sweepId: string;
}

/** The compiled thread: beside this file once built; from the sources (jest), the built one. */
function threadFile(): string {
  const here = join(__dirname, 'sweep-thread.js');
  return existsSync(here) ? here : join(__dirname, '../../dist/sweeps/sweep-thread.js');
}

/**
 * The `sweeps` BullMQ queue (every role adds to it) and, for ROLE=worker or all, its worker:
 * concurrency 1 per process. A job computes its points on one worker thread (sweep-thread.ts), a
 * point at a time, so the process's event loop stays free for its tick jobs: on two cores a
 * sweep takes one and the ticks the other. Before each point it reads the sweep's status (a
 * DELETE stops it there) and after each it records and publishes the progress.
 */
@Injectable()
export class SweepQueue implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly queue: Queue<SweepJobData>;
  private worker: Worker<SweepJobData> | null = null;
  private readonly logger = new Logger('Sweeps');
  private readonly shared: RedisClient | undefined;
  private readonly connection: ConnectionOptions;
  private readonly prefix: string;

  constructor(
    @Inject(API_CONFIG) config: ApiConfig,
    @Inject(RUNS_SWEEPS) private readonly runs: boolean,
    private readonly repo: SweepsRepository,
  ) {
    if (onCluster(config)) {
      this.shared = createRedis(config, { logger: this.logger, use: 'queue' });
      this.connection = this.shared;
      this.prefix = `{${config.REDIS_PREFIX}:sweeps}`;
    } else {
      this.connection = {
        url: config.REDIS_URL,
        maxRetriesPerRequest: null,
        retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
      };
      this.prefix = `${config.REDIS_PREFIX}:bull`;
    }
    this.queue = new Queue<SweepJobData>(SWEEPS_QUEUE, {
      connection: this.connection,
      prefix: this.prefix,
    });
  }

  onApplicationBootstrap(): void {
    if (!this.runs) return;
    this.worker = new Worker<SweepJobData>(SWEEPS_QUEUE, (job) => this.process(job), {
      connection: this.connection,
      prefix: this.prefix,
      name: `${hostname()}:${process.pid}`,
      concurrency: 1,
    });
    this.worker.on('error', (error) => this.logger.warn(`sweeps worker: ${error.message}`));
  }

  async add(sweepId: string): Promise<void> {
    await this.queue.add(
      'sweep',
      { sweepId },
      { jobId: sweepId, removeOnComplete: true, removeOnFail: true, attempts: 1 },
    );
  }

  /** Drops a queued job (a running one sees its cancelled status before its next point). */
  async remove(sweepId: string): Promise<void> {
    await this.queue.remove(sweepId).catch(() => 0);
  }

  async process(job: Job<SweepJobData>): Promise<void> {
    const id = job.data.sweepId;
    const record = await this.repo.get(id);
    if (!record) return;
    // A job taken again after its worker died starts over.
    if (!(await this.repo.transition(id, ['queued', 'running'], 'running', { done: 0 }))) return;
    try {
      const planned = planSweep(record.scenario, record.request);
      if (!planned.ok) throw new Error(planned.errors.map((e) => e.message).join('; '));
      const outcome = await this.runPoints(record, planned.plan);
      if (outcome === 'cancelled') return;
      const result = summarizeSweep(planned.plan, outcome.points, outcome.reference);
      if (
        await this.repo.transition(id, ['running'], 'done', {
          result: JSON.stringify(result),
          finishedAt: Date.now(),
          done: planned.plan.runs,
        })
      )
        await this.repo.publishProgress({
          sweepId: id,
          status: 'done',
          done: planned.plan.runs,
          total: planned.plan.runs,
        });
    } catch (error) {
      const message = (error as Error).message;
      this.logger.warn({ sweepId: id }, `sweep ${id} failed: ${message}`);
      await this.repo.transition(id, ['running'], 'failed', {
        error: message,
        finishedAt: Date.now(),
      });
      await this.repo
        .publishProgress({ sweepId: id, status: 'failed', done: 0, total: record.total })
        .catch(() => undefined);
    } finally {
      await this.repo.release(id, record.creator);
    }
  }

  /** Every run of the plan on one thread, in order; 'cancelled' when the sweep was cancelled. */
  private async runPoints(
    record: SweepRecord,
    plan: SweepPlan,
  ): Promise<{ points: SweepPointResult[]; reference: SweepPointResult } | 'cancelled'> {
    const runs = plan.referenceIndex === null ? [...plan.points, plan.reference] : plan.points;
    const setup: SweepThreadSetup = { scenario: record.scenario, settings: plan.settings };
    const thread = new Thread(threadFile(), { workerData: setup });
    const results: SweepPointResult[] = [];
    try {
      for (let index = 0; index < runs.length; index++) {
        if ((await this.repo.status(record.id)) !== 'running') return 'cancelled';
        const reply = await new Promise<SweepThreadReply>((resolve, reject) => {
          const onMessage = (message: SweepThreadReply) => {
            thread.off('error', onError);
            resolve(message);
          };
          const onError = (error: Error) => {
            thread.off('message', onMessage);
            reject(error);
          };
          thread.once('message', onMessage);
          thread.once('error', onError);
          const job: SweepThreadJob = { index, point: runs[index]! };
          thread.postMessage(job);
        });
        if ('error' in reply) throw new Error(reply.error);
        results.push(reply.result);
        await this.repo.update(record.id, { done: index + 1 });
        await this.repo.publishProgress({
          sweepId: record.id,
          status: 'running',
          done: index + 1,
          total: runs.length,
        });
      }
    } finally {
      await thread.terminate();
    }
    const points = results.slice(0, plan.points.length);
    const reference =
      plan.referenceIndex === null ? results[plan.points.length]! : points[plan.referenceIndex]!;
    return { points, reference };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
    if (this.shared) await this.shared.quit().catch(() => this.shared?.disconnect());
  }
}
