import { Injectable, Logger } from '@nestjs/common';
import { type Command, type CommandOutcome, encodeFrame, encodeVms } from '@overcommit/contracts';
import { reasonFields, type SimState, step, ticksSkipped } from '@overcommit/sim';
import { ClusterStateRepository } from '../storage/cluster-state.repository';
import { FrameHistoryRepository } from '../storage/frame-history.repository';
import { PresenceRepository } from '../storage/presence.repository';
import { MAX_CATCH_UP, MAX_REPLAY } from './ticks.constants';
import { tickMs, TicksScheduler } from './ticks.scheduler';
import { Metrics } from '../observability/metrics';

export interface TickResult {
  stepped: number;
  lagMs: number;
}

/** How early a job may run its tick (clock differences between machines). */
const EARLY_MARGIN_MS = 50;

/**
 * Runs a cluster's due ticks: loads the state (or keeps the warm copy when
 * the stored tick matches), drains the command stream in order, steps the
 * engine, and commits each tick with a compare-and-set on the tick number.
 * Idempotent: a job run twice finds no tick due, and a lost race is dropped.
 */
@Injectable()
export class TickRunner {
  private readonly logger = new Logger('Ticks');
  private readonly warm = new Map<string, SimState>();

  constructor(
    private readonly repo: ClusterStateRepository,
    private readonly frames: FrameHistoryRepository,
    private readonly presence: PresenceRepository,
    private readonly metrics: Metrics,
    private readonly scheduler: TicksScheduler,
  ) {}

  async run(clusterId: string, now = Date.now()): Promise<TickResult> {
    const meta = await this.repo.meta(clusterId);
    if (!meta || meta.paused) {
      this.warm.delete(clusterId);
      return { stepped: 0, lagMs: 0 };
    }
    const interval = tickMs(meta);
    // Ticks due by now, less those done. Jobs fire on the anchor's phase
    // (alignedAnchor); the margin only absorbs clocks a few ms apart, so a
    // frame is never published much before its time.
    const margin = Math.min(EARLY_MARGIN_MS, interval / 2);
    let due = Math.floor((now - meta.anchorAt + margin) / interval) - (meta.tick - meta.anchorTick);
    if (due <= 0) return { stepped: 0, lagMs: 0 };
    let skipped = 0;
    if (due > MAX_REPLAY) {
      // Back from an outage longer than is worth replaying: move the anchor along
      // the same phase so exactly one tick is due now, and say so in the frame.
      skipped = due - 1;
      meta.anchorAt += (meta.tick - meta.anchorTick + skipped) * interval;
      meta.anchorTick = meta.tick;
      await this.repo.updateMeta(clusterId, {
        anchorAt: meta.anchorAt,
        anchorTick: meta.anchorTick,
      });
      this.logger.warn(
        { clusterId },
        `cluster ${clusterId} was not ticked for ${Math.round((skipped * interval) / 1000)} s; resuming without replaying ${skipped} ticks`,
      );
      due = 1;
    }
    let state = this.warm.get(clusterId);
    if (!state || state.tick !== meta.tick) {
      const stored = await this.repo.state(clusterId);
      if (!stored) return { stepped: 0, lagMs: 0 };
      state = stored;
    }
    const steps = Math.min(due, MAX_CATCH_UP);
    // Per-VM metrics cost work and bytes: computed only while someone watches them.
    const vmMetrics = (await this.presence.vmWatchers(clusterId)) > 0;
    let lastCommandId = meta.lastCommandId;
    let lagMs = 0;
    for (let i = 0; i < steps; i++) {
      const fromTick = state.tick;
      let commands: Command[] = [];
      if (i === 0) {
        const pending = await this.repo.pendingCommands(clusterId, lastCommandId);
        commands = pending.commands;
        lastCommandId = pending.lastId;
      }
      const { frame, vms } = step(state, commands, { vmMetrics });
      if (skipped > 0 && i === 0) {
        const seconds = Math.round((skipped * interval) / 1000);
        frame.events.push({
          type: 'ticks-skipped',
          time: frame.time,
          target: clusterId,
          by: 'system',
          ...reasonFields(ticksSkipped(seconds, skipped)),
          ticks: skipped,
        });
      }
      // How late this tick is against its due time on the cluster's schedule.
      lagMs = Math.max(0, now - (meta.anchorAt + (frame.tick - meta.anchorTick) * interval));
      const outcomes: CommandOutcome[] = [];
      for (const event of frame.events) {
        if (event.commandId === undefined) continue;
        const accepted = event.type === 'command-accepted';
        if (!accepted && event.type !== 'command-refused') continue;
        outcomes.push({
          id: event.commandId,
          status: accepted ? 'accepted' : 'refused',
          reason: event.reason,
          // The engine's refusal as code and params (refusalCodes), for the dashboard's languages.
          ...(event.reasonCode !== undefined ? { code: event.reasonCode } : {}),
          ...(event.reasonParams !== undefined ? { params: event.reasonParams } : {}),
          ...(event.reasonCauses !== undefined ? { causes: event.reasonCauses } : {}),
          tick: frame.tick,
        });
      }
      const committed = await this.repo.commit(clusterId, {
        fromTick,
        state,
        frame,
        wire: encodeFrame(frame),
        lastCommandId,
        lagMs,
        outcomes,
      });
      if (committed) for (const o of outcomes) this.metrics.commands.inc({ outcome: o.status });
      if (committed && vms) await this.frames.publishVms(clusterId, frame.tick, encodeVms(vms));
      if (!committed) {
        // Another run applied this tick first: our copy is stale.
        this.warm.delete(clusterId);
        return { stepped: i, lagMs };
      }
    }
    this.warm.set(clusterId, state);
    if (state.exercise?.finished) {
      // The exercise's time is up: its score is final, so the cluster stops (the report reads it).
      await this.repo.updateMeta(clusterId, { paused: true });
      await this.scheduler.unschedule(clusterId);
      this.warm.delete(clusterId);
      this.logger.log({ clusterId }, `cluster ${clusterId}: its exercise has ended; paused`);
      return { stepped: steps, lagMs };
    }
    if (due > MAX_CATCH_UP)
      this.logger.warn(
        { clusterId },
        `cluster ${clusterId} is ${due} ticks behind; catching up ${MAX_CATCH_UP} per job`,
      );
    return { stepped: steps, lagMs };
  }
}
