export * from './scenario-file';
