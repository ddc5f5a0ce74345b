import { Injectable } from '@nestjs/common';
import {
  type Briefing,
  briefingTexts,
  type ExerciseReport,
  type ExerciseState,
  localizedBriefingSchema,
} from '@overcommit/contracts';
import { exerciseKeys } from './keys';
import { RedisRepository } from './redis-repository';

/** What the exercise hash in Redis holds, parsed. */
export interface ExerciseMeta {
  id: string;
  name: string;
  state: ExerciseState;
  instructorHash: string;
  teams: Array<{ team: string; clusterId: string }>;
  /** The scenario's briefing: Markdown, or `{ en, zh-Hans?, zh-Hant? }`. */
  briefing: Briefing;
  durationSeconds: number;
  createdAt: number;
}

/** A record's briefing: its languages when it holds them (and they read back), else its text. */
function storedBriefing(text: string | undefined, languages: string | undefined): Briefing {
  if (languages) {
    try {
      const parsed = localizedBriefingSchema.safeParse(JSON.parse(languages));
      if (parsed.success) return parsed.data;
    } catch {
      // Not JSON: the English text below is still true.
    }
  }
  return text ?? '';
}

/**
 * Exercise records: the exercise hash (its teams' cluster ids, state, instructor token hash) and
 * the after-action report kept once it ends. The teams' clusters are cluster state like any other.
 */
@Injectable()
export class ExerciseRepository extends RedisRepository {
  private keys(id: string) {
    return exerciseKeys(this.prefix, id);
  }

  async create(meta: ExerciseMeta): Promise<void> {
    // `briefing` holds the English text (what records written before briefings had languages
    // hold); `briefings`, the languages as JSON when the scenario wrote several.
    const { briefing, ...rest } = meta;
    await this.redis.hset(this.keys(meta.id).record, {
      ...rest,
      briefing: briefingTexts(briefing).en,
      ...(typeof briefing === 'string' ? {} : { briefings: JSON.stringify(briefing) }),
      teams: JSON.stringify(meta.teams),
      durationSeconds: String(meta.durationSeconds),
      createdAt: String(meta.createdAt),
    });
  }

  /** The exercise, or null when there is none by that id. */
  async find(id: string): Promise<ExerciseMeta | null> {
    const raw = await this.redis.hgetall(this.keys(id).record);
    if (!raw['id']) return null;
    return {
      id: raw['id'],
      name: raw['name'] ?? '',
      state: (raw['state'] ?? 'ready') as ExerciseState,
      instructorHash: raw['instructorHash'] ?? '',
      teams: JSON.parse(raw['teams'] ?? '[]') as ExerciseMeta['teams'],
      briefing: storedBriefing(raw['briefing'], raw['briefings']),
      durationSeconds: Number(raw['durationSeconds'] ?? 0),
      createdAt: Number(raw['createdAt'] ?? 0),
    };
  }

  async setState(id: string, state: ExerciseState): Promise<void> {
    await this.redis.hset(this.keys(id).record, 'state', state);
  }

  /** The report kept when the exercise ended, or null. */
  async report(id: string): Promise<ExerciseReport | null> {
    const stored = await this.redis.get(this.keys(id).report);
    return stored ? (JSON.parse(stored) as ExerciseReport) : null;
  }

  async keepReport(id: string, report: ExerciseReport): Promise<void> {
    await this.redis.set(this.keys(id).report, JSON.stringify(report));
  }

  /**
   * Deletes the record, then its report (the teams' clusters are deleted by their own repository).
   * One key at a time: on a Redis Cluster the two are in different slots (keys.ts). A report
   * whose record is gone is never read.
   */
  async delete(id: string): Promise<void> {
    const keys = this.keys(id);
    await this.redis.del(keys.record);
    await this.redis.del(keys.report);
  }
}
