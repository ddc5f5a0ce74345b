// Runs a sweep's points on worker threads (sweep-worker.ts), each point where a thread is free,
// results kept by index: the same figures whatever the number of threads, or none (workers 1
// runs the points in this thread).
import type { Scenario, SweepPointResult } from '@overcommit/contracts';
import { type PlannedPoint, type PointSettings, runPoint } from '@overcommit/sim';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PointDone, PointJob, WorkerSetup } from './sweep-worker';

/** The compiled worker: beside this file once built; from the sources (jest), the built one. */
function workerFile(): string {
  const here = join(__dirname, 'sweep-worker.js');
  return existsSync(here) ? here : join(__dirname, '../dist/sweep-worker.js');
}

/**
 * Runs `points` (in any order, on up to `workers` threads) and resolves with their results in the
 * points' order; `onDone` after each. Rejects with the first point that failed.
 */
export async function runPoints(
  scenario: Scenario,
  points: readonly PlannedPoint[],
  settings: PointSettings,
  workers: number,
  onDone: (done: number) => void = () => {},
): Promise<SweepPointResult[]> {
  const results: SweepPointResult[] = new Array<SweepPointResult>(points.length);
  if (workers <= 1 || points.length <= 1) {
    for (let i = 0; i < points.length; i++) {
      results[i] = runPoint(scenario, points[i]!, settings);
      onDone(i + 1);
      // Let the progress bar and signals through between points.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return results;
  }
  const file = workerFile();
  const threads = Math.min(workers, points.length);
  let next = 0;
  let done = 0;
  const setup: WorkerSetup = { scenario, settings };
  const pool: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const feed = (worker: Worker) => {
        if (next >= points.length) return;
        const job: PointJob = { index: next, point: points[next]! };
        next++;
        worker.postMessage(job);
      };
      for (let t = 0; t < threads; t++) {
        const worker = new Worker(file, { workerData: setup });
        pool.push(worker);
        worker.on('message', (message: PointDone) => {
          if (failed) return;
          if ('error' in message) {
            failed = true;
            reject(new Error(message.error));
            return;
          }
          results[message.index] = message.result;
          done++;
          onDone(done);
          if (done === points.length) resolve();
          else feed(worker);
        });
        worker.on('error', (error) => {
          if (!failed) {
            failed = true;
            reject(error);
          }
        });
        worker.on('exit', (code) => {
          if (!failed && done < points.length && code !== 0) {
            failed = true;
            reject(new Error(`a sweep worker stopped (exit ${code})`));
          }
        });
        feed(worker);
      }
    });
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return results;
}
