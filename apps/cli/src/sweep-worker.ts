// A worker thread of `sweep` (sweep-pool.ts): runs the points it is sent, one at a time, with the
// engine's runPoint, and posts each result back. Pure computation: the figures are the same in
// any thread.
import type { Scenario, SweepPointResult } from '@overcommit/contracts';
import { type PlannedPoint, type PointSettings, runPoint } from '@overcommit/sim';
import { parentPort, workerData } from 'node:worker_threads';

export interface WorkerSetup {
  scenario: Scenario;
  settings: PointSettings;
}
export interface PointJob {
  index: number;
  point: PlannedPoint;
}
export type PointDone =
  { index: number; result: SweepPointResult } | { index: number; error: string };

const { scenario, settings } = workerData as WorkerSetup;
parentPort!.on('message', (job: PointJob) => {
  let reply: PointDone;
  try {
    reply = { index: job.index, result: runPoint(scenario, job.point, settings) };
  } catch (error) {
    reply = { index: job.index, error: (error as Error).message };
  }
  parentPort!.postMessage(reply);
});
