import { SkipThrottle } from '@nestjs/throttler';
import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import { ServiceError } from '../common/service-errors';
import type { Response } from 'express';
import { secretsEqual } from '../common/tokens';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { Metrics } from './metrics';

/**
 * GET /metrics (outside /api: the front door does not route it; Prometheus scrapes each process on
 * the internal network). With METRICS_TOKEN set, it wants `Authorization: Bearer <token>`.
 */
// Probes and scrapes are not rate-limited.
@SkipThrottle()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  @Get()
  async get(
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const token = this.config.METRICS_TOKEN;
    if (token && !secretsEqual(authorization, `Bearer ${token}`))
      throw new ServiceError(
        'metrics-token',
        'GET /metrics wants Authorization: Bearer <METRICS_TOKEN>',
        401,
      );
    res.setHeader('content-type', this.metrics.registry.contentType);
    return this.metrics.scrape();
  }
}
