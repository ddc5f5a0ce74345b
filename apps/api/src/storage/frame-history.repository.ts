import { Injectable } from '@nestjs/common';
import {
  type CommandOutcome,
  decodeFrame,
  type Frame,
  type LiveMessage,
  type VmsEventPayload,
} from '@overcommit/contracts';
import { clusterKeys } from './keys';
import { RedisRepository } from './redis-repository';
import { publish } from '../redis/pubsub';

/** Frames kept per cluster: one hour at one tick a second. */
export const FRAME_HISTORY_LENGTH = 3600;

/**
 * What a cluster's live channel carries for one tick: the frame event as sockets get it (the
 * gateway relays it as is) and the outcomes of the commands the tick settled. The tick's commit
 * (cluster-state.repository.ts) publishes it with the tick, atomically.
 */
export function liveMessage(
  clusterId: string,
  frame: Pick<Frame, 'tick'>,
  wire: string,
  lagMs: number,
  outcomes: CommandOutcome[],
): LiveMessage {
  return {
    event: {
      clusterId,
      tick: frame.tick,
      sentAt: Date.now(),
      lagMs: Math.round(lagMs),
      frame: wire,
    },
    outcomes,
  };
}

/**
 * A cluster's frames: the capped history stream (one entry `<tick>-1` a tick, written by the
 * tick's commit) and the per-VM channel. Frames stay in their wire form (encodeFrame) from the
 * worker to the socket; only HTTP's JSON answers decode them.
 */
@Injectable()
export class FrameHistoryRepository extends RedisRepository {
  private key(id: string): string {
    return clusterKeys(this.prefix, id).frames;
  }

  /**
   * Wire frames between two ticks (inclusive), oldest first, every `every`th
   * tick counted from `from`, from at most `limit` ticks of the history.
   * Every tick is one entry `<tick>-1` and ticks are consecutive, so with
   * `every > 1` only the wanted entries are read (one `XRANGE t-1 t-1` each,
   * pipelined) instead of the whole range: a 60-minute window of a 50-host
   * cluster at every=10 reads a tenth of the bytes.
   */
  async wireFramesBetween(
    id: string,
    from: number,
    to: number,
    every = 1,
    limit = FRAME_HISTORY_LENGTH,
  ): Promise<string[]> {
    const key = this.key(id);
    if (every <= 1) {
      const entries = await this.redis.xrange(key, `${from}-0`, `${to}-1`, 'COUNT', limit);
      return entries.map(([, fields]) => fields[1]!);
    }
    // What the history holds of the range: the same span one XRANGE with COUNT `limit` would read.
    const bounds = await this.redis
      .pipeline()
      .xrange(key, `${from}-0`, `${to}-1`, 'COUNT', 1)
      .xrevrange(key, `${to}-1`, `${from}-0`, 'COUNT', 1)
      .exec();
    const tickOf = (reply: [Error | null, unknown] | undefined) => {
      if (reply?.[0]) throw reply[0];
      const [entry] = (reply?.[1] as [string, string[]][] | undefined) ?? [];
      return entry ? Number(entry[0].split('-')[0]) : null;
    };
    const first = tickOf(bounds?.[0]);
    const last = tickOf(bounds?.[1]);
    if (first === null || last === null) return [];
    const end = Math.min(last, first + limit - 1);
    const pipeline = this.redis.pipeline();
    // The first wanted tick at or after the oldest one kept.
    for (let t = from + Math.ceil((first - from) / every) * every; t <= end; t += every)
      pipeline.xrange(key, `${t}-1`, `${t}-1`);
    if (pipeline.length === 0) return [];
    const replies = (await pipeline.exec()) ?? [];
    const frames: string[] = [];
    for (const [error, entries] of replies) {
      if (error) throw error;
      for (const [, fields] of entries as [string, string[]][]) frames.push(fields[1]!);
    }
    return frames;
  }

  /** The oldest tick still in the history, or null when it is empty. */
  async oldestTick(id: string): Promise<number | null> {
    const [first] = await this.redis.xrange(this.key(id), '-', '+', 'COUNT', 1);
    return first ? Number(first[0].split('-')[0]) : null;
  }

  async latestWireFrame(id: string): Promise<string | null> {
    const [last] = await this.redis.xrevrange(this.key(id), '+', '-', 'COUNT', 1);
    return last ? last[1][1]! : null;
  }

  async latestFrame(id: string): Promise<Frame | null> {
    const wire = await this.latestWireFrame(id);
    return wire === null ? null : decodeFrame(wire);
  }

  /** Per-VM metrics go on their own channel, so the frame stream and its subscribers stay host-level. */
  async publishVms(id: string, tick: number, vms: string): Promise<void> {
    const payload: VmsEventPayload = { clusterId: id, tick, vms };
    await publish(this.redis, clusterKeys(this.prefix, id).vmChannel, JSON.stringify(payload));
  }
}
