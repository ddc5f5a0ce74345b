// docs/sweep.md, "The figures": percentiles over millions of VM-ticks in bounded memory.

/**
 * A fixed histogram of percentages 0..100 in steps of 0.01 (10,001 bins). A value goes to the bin
 * of its upper edge (ceil to 0.01), so a percentile read back is at most 0.01 above the exact one
 * and never below it: an objective "below 5 %" is never passed by rounding.
 */
export class PercentHistogram {
  static readonly RESOLUTION = 0.01;
  private readonly bins = new Float64Array(10_001);
  count = 0;

  add(pct: number): void {
    const bin = pct <= 0 ? 0 : pct >= 100 ? 10_000 : Math.ceil(pct * 100 - 1e-9);
    this.bins[bin]! += 1;
    this.count++;
  }

  /** Nearest rank: the smallest value with at least p % of the samples at or below it; 0 when empty. */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count - 1e-9));
    let seen = 0;
    for (let b = 0; b < this.bins.length; b++) {
      seen += this.bins[b]!;
      if (seen >= rank) return b / 100;
    }
    return 100;
  }
}
