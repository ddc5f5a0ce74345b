import { logicalCpus, physicalCores } from './topology';

describe('host topology', () => {
  const seedHost = { sockets: 2, coresPerSocket: 6, threadsPerCore: 2 };

  it("counts the seed's 2 sockets x 6 cores x 2 threads as 24 logical CPUs on 12 cores", () => {
    expect(logicalCpus(seedHost)).toBe(24);
    expect(physicalCores(seedHost)).toBe(12);
  });

  it('shows one logical CPU per core when hyper-threading is off', () => {
    expect(logicalCpus(seedHost, false)).toBe(12);
  });
});
