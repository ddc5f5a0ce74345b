export * from './env/env.schema';
export * from './health/health.schema';
