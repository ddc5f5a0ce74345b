// docs/model.md, section 12 (Power): SPECpower's table (or a scenario's linear
// model) from CPU usage to watts, and the energy it adds up to.
import type { HostRt } from './state';

/** Watts at CPU usage u (0..1): the SPECpower table, linear between 0, 50 and 100%. */
export function powerAt(host: HostRt, u: number): number {
  const [p0, p50, p100] = host.power;
  return u <= 0.5 ? p0 + (p50 - p0) * (u / 0.5) : p50 + (p100 - p50) * ((u - 0.5) / 0.5);
}

/** kWh used by `watts` over `dt` simulated seconds. */
export function energyKWh(watts: number, dt: number): number {
  return (watts * dt) / 3.6e6;
}
