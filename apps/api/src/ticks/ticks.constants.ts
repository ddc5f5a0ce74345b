export const TICKS_QUEUE = 'ticks';
export const TICK_JOB = 'tick';
/**
 * A job that does nothing but wake the workers of its queue (BullMQ adds a marker for every job,
 * which ends a worker's blocking wait): see TickQueues.wakeAfterError.
 */
export const WAKE_JOB = 'wake';
export interface TickJobData {
  clusterId: string;
}
/** Ticks owed beyond this are stepped over several jobs, so one slow cluster cannot hog a worker. */
export const MAX_CATCH_UP = 20;
/**
 * Ticks owed beyond this after an outage (every worker stopped) are not
 * replayed: the cluster resumes where it stopped, with a `ticks-skipped`
 * event saying how long it was away. Two minutes at one tick a second.
 */
export const MAX_REPLAY = 120;
