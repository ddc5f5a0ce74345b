import { Inject, Injectable } from '@nestjs/common';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { REDIS, type RedisClient } from '../redis/redis.module';

/** What every repository starts from: the shared command connection and the deployment's key prefix. */
@Injectable()
export abstract class RedisRepository {
  protected readonly prefix: string;

  constructor(
    @Inject(REDIS) protected readonly redis: RedisClient,
    @Inject(API_CONFIG) config: ApiConfig,
  ) {
    this.prefix = config.REDIS_PREFIX;
  }
}
