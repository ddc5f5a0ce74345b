import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Metrics } from '../observability/metrics';
import { ClusterStateRepository } from '../storage/cluster-state.repository';
import { FrameHistoryRepository } from '../storage/frame-history.repository';

/** At each scrape, every cluster's latest frame from Redis into the metrics' cluster and host gauges. */
@Injectable()
export class ClusterMetrics implements OnModuleInit {
  private readonly logger = new Logger('Metrics');

  constructor(
    private readonly metrics: Metrics,
    private readonly state: ClusterStateRepository,
    private readonly frames: FrameHistoryRepository,
  ) {}

  onModuleInit(): void {
    this.metrics.onScrape(() => this.refresh());
  }

  async refresh(): Promise<void> {
    try {
      const ids = await this.state.ids();
      const clusters = await Promise.all(
        ids.map(async (id) => {
          const [meta, frame] = await Promise.all([
            this.state.meta(id),
            this.frames.latestFrame(id),
          ]);
          return meta
            ? { id, name: meta.name, paused: meta.paused, speed: meta.speed, frame }
            : null;
        }),
      );
      this.metrics.setClusters(clusters.filter((c) => c !== null));
      this.metrics.clusterMetricsUp.set(1);
    } catch (error) {
      this.metrics.clusterMetricsUp.set(0);
      this.logger.warn(
        `cluster metrics not refreshed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
