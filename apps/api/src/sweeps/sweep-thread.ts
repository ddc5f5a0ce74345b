// The thread a sweep job computes its points on (sweep-queue.ts): runs each point it is sent with
// the engine's runPoint and posts the result back, so the worker's event loop (its tick jobs,
// its BullMQ lock renewals) never waits for a point. The same figures as in any other thread.
import type { Scenario, SweepPointResult } from '@overcommit/contracts';
import { type PlannedPoint, type PointSettings, runPoint } from '@overcommit/sim';
import { parentPort, workerData } from 'node:worker_threads';

export interface SweepThreadSetup {
  scenario: Scenario;
  settings: PointSettings;
}
export interface SweepThreadJob {
  index: number;
  point: PlannedPoint;
}
export type SweepThreadReply =
  { index: number; result: SweepPointResult } | { index: number; error: string };

if (parentPort) {
  const { scenario, settings } = workerData as SweepThreadSetup;
  const port = parentPort;
  port.on('message', (job: SweepThreadJob) => {
    let reply: SweepThreadReply;
    try {
      reply = { index: job.index, result: runPoint(scenario, job.point, settings) };
    } catch (error) {
      reply = { index: job.index, error: (error as Error).message };
    }
    port.postMessage(reply);
  });
}
