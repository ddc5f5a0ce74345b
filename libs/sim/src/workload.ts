// docs/model.md, section 11 (Workloads): each profile's CPU demand over time
// (constant, diurnal, bursty, step) with its noise.
import type { Workload } from '@overcommit/contracts';
import { MODEL } from './model';
import { draw } from './prng';

const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);

/**
 * CPU demand per vCPU (0..1) of a workload at simulated second `time`:
 * - constant: the mean;
 * - diurnal: mean + amplitude x sin(2 pi t / period);
 * - bursty: the mean, plus the amplitude during burst windows (each window of
 *   30 s is a burst with probability 30 / periodSeconds);
 * - step: the mean until stepAtSeconds after the workload was set, then stepTo.
 * Plus uniform noise of +-0.02 from the VM's own random stream.
 */
export function cpuDemand(
  w: Workload,
  time: number,
  since: number,
  seed: number,
  key: number,
  tick: number,
): number {
  let d = w.cpu;
  switch (w.profile) {
    case 'constant':
      break;
    case 'diurnal':
      d = w.cpu + w.amplitude * Math.sin((2 * Math.PI * time) / w.periodSeconds);
      break;
    case 'bursty': {
      const window = Math.floor(time / MODEL.burstWindowSeconds);
      const p = Math.min(1, MODEL.burstWindowSeconds / w.periodSeconds);
      if (draw(seed, key, window, 2) < p) d = w.cpu + w.amplitude;
      break;
    }
    case 'step':
      d = time - since >= w.stepAtSeconds ? w.stepTo : w.cpu;
      break;
  }
  return clamp01(d + (draw(seed, key, tick, 1) - 0.5) * 2 * MODEL.demandNoise);
}
