export * from './env/env.schema';
export * from './health/health.schema';
export * from './scenario/scenario.schema';
export * from './scenario/scenario-errors';
export * from './frame/frame.schema';
export * from './frame/wire';
export * from './live/live.schema';
export * from './cluster/cluster-config.schema';
