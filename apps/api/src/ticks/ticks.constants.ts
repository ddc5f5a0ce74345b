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
/**
 * A run-ahead job's batch (TickRunner.runAhead): ticks stepped for at most this long, then committed
 * at once and the last frame published, so watchers get a few frames a second and other clusters'
 * jobs wait at most one batch (the loop yields to them between ticks as well).
 */
export const AHEAD_BATCH_MS = 250;
/** And at most this many ticks (the history keeps 3,600; one script's arguments stay a few MB). */
export const AHEAD_BATCH_TICKS = 500;
