import { SkipThrottle } from '@nestjs/throttler';
import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  type HealthIndicatorResult,
  HealthIndicatorService,
} from '@nestjs/terminus';
import type { Health } from '@overcommit/contracts';
import type { Response } from 'express';
import { apiVersion } from '../common/version';
import { HealthChecks } from './health-checks';
import { HealthService } from './health.service';

// Probes and scrapes are not rate-limited.
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthService,
    private readonly terminus: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly checks: HealthChecks,
  ) {}

  /** The summary the dashboard shows: 200 when Redis answers, 503 (same body) when it does not. */
  @Get()
  async get(@Res({ passthrough: true }) res: Response): Promise<Health> {
    const health = await this.health.check();
    res.status(health.status === 'ok' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return health;
  }

  /** Liveness: the process serves HTTP. Restart it when this fails; nothing outside it is checked. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.terminus.check([
      () =>
        this.indicator.check('process').up({
          version: apiVersion,
          pid: process.pid,
          uptimeSeconds: Math.round(process.uptime()),
        }),
    ]);
  }

  /**
   * Readiness: Redis answers, the tick queue answers and, in a process that runs ticks, the worker is
   * taking them. 503 with each check's state while one fails, and from SIGTERM on.
   */
  @Get('ready')
  @HealthCheck()
  ready() {
    const session = (name: string) => this.indicator.check(name);
    return this.terminus.check([
      () =>
        this.checks.isShuttingDown
          ? session('process').down({ reason: 'shutting down' })
          : session('process').up(),
      async () =>
        (await this.health.redisUp())
          ? session('redis').up()
          : session('redis').down({ reason: this.health.redisDownReason }),
      ...this.checks.all.map((check) => async (): Promise<HealthIndicatorResult> => {
        const result = await check.run();
        return result.up
          ? session(check.name).up(result.detail)
          : session(check.name).down({ reason: result.reason });
      }),
    ]);
  }
}
