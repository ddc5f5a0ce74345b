export const TICKS_QUEUE = 'ticks';
export const TICK_JOB = 'tick';
export interface TickJobData {
  clusterId: string;
}
/** Ticks owed beyond this are stepped over several jobs, so one slow cluster cannot hog a worker. */
export const MAX_CATCH_UP = 20;
