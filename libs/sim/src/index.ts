export * from './topology/topology';
