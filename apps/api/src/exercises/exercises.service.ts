import { Injectable } from '@nestjs/common';
import {
  type ClusterCommandRequest,
  type CreateClusterResponse,
  type CreateExerciseResponse,
  createExerciseRequestSchema,
  type ExerciseControl,
  exerciseControlSchema,
  type ExerciseState,
  type Scenario,
  type Scoreboard,
  decodeFrame,
  type ExerciseReport,
  nestInputErrors,
  zodIssuesToInputErrors,
} from '@overcommit/contracts';
import { randomBytes } from 'node:crypto';
import { ClustersService } from '../clusters/clusters.service';
import { newToken, tokenHash, tokenMatches } from '../common/tokens';
import { BadInput, Conflict, NotFound } from '../common/service-errors';
import { ScenariosService } from '../scenarios/scenarios.service';
import { ClusterStateRepository } from '../storage/cluster-state.repository';
import { type ExerciseMeta, ExerciseRepository } from '../storage/exercise.repository';
import { FrameHistoryRepository } from '../storage/frame-history.repository';
import { PresenceRepository } from '../storage/presence.repository';
import { reportCommands, reportPoint, TIMELINE_POINTS } from './report';

/** Which states each control may leave from, and where it goes. */
const TRANSITIONS: Record<
  ExerciseControl['do'],
  { from: ExerciseState[]; to: ExerciseState | null }
> = {
  start: { from: ['ready'], to: 'running' },
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  end: { from: ['ready', 'running', 'paused'], to: 'ended' },
  'set-speed': { from: ['ready', 'running', 'paused'], to: null },
  inject: { from: ['running', 'paused'], to: null },
};

const EXERCISE_ID = /^[0-9a-f]{12}$/;

/**
 * Exercises: one private cluster per team from the same scenario and seed, created paused and
 * started together; an instructor token that watches every team's cluster and controls them all;
 * the scoreboard from each team's latest frame (the engine scores, frame by frame).
 */
@Injectable()
export class ExercisesService {
  constructor(
    private readonly clusters: ClustersService,
    private readonly scenarios: ScenariosService,
    private readonly records: ExerciseRepository,
    private readonly state: ClusterStateRepository,
    private readonly frames: FrameHistoryRepository,
    private readonly presence: PresenceRepository,
  ) {}

  /** Creates the exercise and its teams' clusters (paused until the instructor starts it). */
  async create(body: unknown, address: string): Promise<CreateExerciseResponse> {
    const parsed = createExerciseRequestSchema.safeParse(body);
    if (!parsed.success)
      throw new BadInput(
        'invalid-body',
        'the body must be { scenarioName | scenario, teams: N | [names], name? }',
        zodIssuesToInputErrors(parsed.error.issues),
      );
    const request = parsed.data;
    let scenario: Scenario;
    if (request.scenarioName !== undefined) {
      const bundled = this.scenarios.get(request.scenarioName);
      if (!bundled) {
        const names = this.scenarios
          .list()
          .filter((s) => s.exercise)
          .map((s) => s.name);
        throw new BadInput(
          'scenario-unknown',
          `no bundled scenario named ${request.scenarioName}`,
          [
            {
              path: 'scenarioName',
              message: `unknown; the bundled exercises are: ${names.join(', ')}`,
            },
          ],
          { name: request.scenarioName },
        );
      }
      scenario = bundled.scenario;
    } else {
      const own = this.clusters.parse(request.scenario);
      if ('errors' in own)
        throw new BadInput(
          'scenario-invalid',
          'the scenario is not valid; nothing was created',
          nestInputErrors(own.errors, ['scenario']),
        );
      scenario = own;
    }
    if (!scenario.exercise)
      throw new BadInput(
        'scenario-not-exercise',
        'this scenario is not an exercise; nothing was created',
        [
          {
            path: request.scenarioName !== undefined ? 'scenarioName' : 'scenario.exercise',
            message: 'an exercise needs a scenario with an exercise: section (docs/scenarios.md)',
          },
        ],
      );
    const teams =
      typeof request.teams === 'number'
        ? Array.from({ length: request.teams }, (_, i) => `Team ${i + 1}`)
        : request.teams;
    const id = randomBytes(6).toString('hex');
    const instructorToken = newToken();
    const instructorHash = tokenHash(instructorToken);
    const name = request.name ?? scenario.name;
    const links: CreateExerciseResponse['teams'] = [];
    // Every team's place at once: the exercise gets all its clusters or none.
    const places = await this.clusters.reserve(teams.length, address);
    for (const [i, team] of teams.entries()) {
      let created: CreateClusterResponse;
      try {
        created = await this.clusters.create(
          { ...scenario, name: `${name} · ${team}` },
          'private',
          places[i]!,
          { paused: true, exercise: { id, team, instructorHash } },
        );
      } catch (error) {
        await Promise.all(links.map((l) => this.clusters.removeAsOwner(l.clusterId)));
        await this.clusters.release(places.slice(i));
        throw error;
      }
      links.push({
        team,
        clusterId: created.id,
        operatorToken: created.operatorToken,
        viewerToken: created.viewerToken,
        operatorLink: created.operatorLink,
        viewerLink: created.viewerLink,
      });
    }
    const meta: ExerciseMeta = {
      id,
      name,
      state: 'ready',
      instructorHash,
      teams: links.map(({ team, clusterId }) => ({ team, clusterId })),
      briefing: scenario.exercise.briefing,
      durationSeconds: scenario.exercise.durationSeconds,
      createdAt: Date.now(),
    };
    await this.records.create(meta);
    return {
      id,
      name,
      instructorToken,
      instructorLink: `${this.clusters.publicUrl}/exercises/${id}?token=${instructorToken}`,
      teams: links,
    };
  }

  /** The exercise, for its instructor only (anyone else: as if it did not exist). */
  async forInstructor(id: string, token: string | undefined): Promise<ExerciseMeta> {
    if (!EXERCISE_ID.test(id))
      throw new NotFound('exercise-not-found', `no exercise ${id}`, { id: id.slice(0, 64) });
    const exercise = await this.records.find(id);
    if (!exercise || !tokenMatches(token, exercise.instructorHash))
      throw new NotFound('exercise-not-found', `no exercise ${id}`, { id });
    return exercise;
  }

  /** Every team's score side by side. */
  async scoreboard(id: string, token: string | undefined): Promise<Scoreboard> {
    const exercise = await this.forInstructor(id, token);
    const teams = await Promise.all(
      exercise.teams.map(async ({ team, clusterId }) => {
        const [meta, frame, present] = await Promise.all([
          this.state.meta(clusterId),
          this.frames.latestFrame(clusterId),
          this.presence.presence(clusterId),
        ]);
        return {
          team,
          clusterId,
          tick: meta?.tick ?? 0,
          paused: meta?.paused ?? true,
          watchers: present.length,
          members: present.slice(0, 50).map(({ name, role }) => ({ name, role })),
          score: frame?.exercise ?? null,
        };
      }),
    );
    const finished = teams.length > 0 && teams.every((t) => t.score?.finished === true);
    if (finished && exercise.state !== 'ended') await this.end(exercise);
    return {
      id: exercise.id,
      name: exercise.name,
      state: finished ? 'ended' : exercise.state,
      briefing: exercise.briefing,
      durationSeconds: exercise.durationSeconds,
      createdAt: exercise.createdAt,
      teams,
    };
  }

  /**
   * Start, pause, resume, speed, end or inject an event: every team's cluster at once, as the
   * system's `@instructor` (teams cannot pause or resume their own cluster in an exercise). A
   * control that does not fit the state is a conflict; an injected event whose target a team's
   * cluster does not have is refused for that team, and a 400 when no team has it.
   */
  async control(
    id: string,
    token: string | undefined,
    body: unknown,
  ): Promise<{
    ok: true;
    state: ExerciseState;
    teams: Array<{ team: string; status: string; reason?: string }>;
  }> {
    const exercise = await this.forInstructor(id, token);
    const parsed = exerciseControlSchema.safeParse(body);
    if (!parsed.success)
      throw new BadInput(
        'invalid-control',
        'not a valid control',
        zodIssuesToInputErrors(parsed.error.issues),
      );
    const control: ExerciseControl = parsed.data;
    const rule = TRANSITIONS[control.do];
    if (!rule.from.includes(exercise.state))
      throw exercise.state === 'ended'
        ? new Conflict('exercise-ended', `the exercise has ended: ${control.do} refused`, {
            action: control.do,
          })
        : new Conflict(
            'exercise-state',
            `${control.do} refused: the exercise is ${exercise.state} (${control.do} works when it is ${rule.from.join(' or ')})`,
            { action: control.do, state: exercise.state },
          );
    const teams = await Promise.all(
      exercise.teams.map(async ({ team, clusterId }) => {
        const meta = await this.state.meta(clusterId);
        if (!meta) return { team, status: 'refused', reason: 'its cluster was deleted' };
        let request: ClusterCommandRequest | null;
        if (control.do === 'inject') {
          const missing = await this.missingTarget(clusterId, control.event);
          if (missing) return { team, status: 'refused', reason: missing };
          request = control.event;
        } else if (control.do === 'start' || control.do === 'resume')
          request = meta.paused ? { do: 'resume' } : null;
        else if (control.do === 'pause' || control.do === 'end')
          request = meta.paused ? null : { do: 'pause' };
        else request = { do: 'set-speed', speed: control.speed };
        if (request === null) return { team, status: 'accepted' };
        const outcome = await this.clusters.command(
          clusterId,
          request,
          '@instructor',
          'operator',
          true,
        );
        return {
          team,
          status: outcome.status,
          ...(outcome.reason ? { reason: outcome.reason } : {}),
        };
      }),
    );
    if (control.do === 'inject' && teams.every((t) => t.status === 'refused'))
      throw new BadInput('inject-refused', 'no team can take this event', [
        { path: 'event.target', message: teams[0]?.reason ?? 'no team' },
      ]);
    if (rule.to === 'ended') await this.end(exercise);
    else if (rule.to !== null) await this.records.setState(id, rule.to);
    return { ok: true, state: rule.to ?? exercise.state, teams };
  }

  /** Why a team's cluster cannot take an injected event (no such host or VM), or null. */
  private async missingTarget(
    clusterId: string,
    event: Extract<ExerciseControl, { do: 'inject' }>['event'],
  ): Promise<string | null> {
    const state = await this.state.state(clusterId);
    if (!state) return 'its cluster was deleted';
    const names = (event.do === 'set-workload' ? state.vms : state.hosts).map((x) => x.name);
    if (names.includes(event.target)) return null;
    const what = event.do === 'set-workload' ? 'VM' : 'host';
    return `no ${what} ${event.target} (${what}s: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', ...' : ''})`;
  }

  /** Marks the exercise ended and keeps its report (until the exercise is deleted). */
  private async end(exercise: ExerciseMeta): Promise<void> {
    await this.records.setState(exercise.id, 'ended');
    await this.buildReport({ ...exercise, state: 'ended' }, true);
  }

  /**
   * The after-action report: per team its score, a timeline sampled from its frame history, every
   * critical alarm as the team handled it and every command with its outcome. Kept (until the
   * exercise is deleted) once every team's time is up or the instructor ended it.
   */
  async report(id: string, token: string | undefined): Promise<ExerciseReport> {
    const exercise = await this.forInstructor(id, token);
    return (await this.records.report(id)) ?? this.buildReport(exercise, false);
  }

  private async buildReport(exercise: ExerciseMeta, keep: boolean): Promise<ExerciseReport> {
    const teams = await Promise.all(
      exercise.teams.map(async ({ team, clusterId }) => {
        const [meta, state] = await Promise.all([
          this.state.meta(clusterId),
          this.state.state(clusterId),
        ]);
        const tick = meta?.tick ?? 0;
        const frames = (
          tick > 0 ? await this.frames.wireFramesBetween(clusterId, 1, tick) : []
        ).map(decodeFrame);
        const every = Math.max(1, Math.ceil(frames.length / TIMELINE_POINTS));
        return {
          team,
          clusterId,
          score: frames.at(-1)?.exercise ?? null,
          timeline: frames
            .filter((_, i) => i % every === 0 || i === frames.length - 1)
            .map(reportPoint),
          alarms: state?.exercise?.alarms ?? [],
          commands: frames.flatMap(reportCommands),
        };
      }),
    );
    const finished = teams.every((t) => t.score?.finished === true);
    const report: ExerciseReport = {
      id: exercise.id,
      name: exercise.name,
      state: finished || keep ? 'ended' : exercise.state,
      briefing: exercise.briefing,
      durationSeconds: exercise.durationSeconds,
      generatedAt: Date.now(),
      teams,
    };
    if (keep) await this.records.keepReport(exercise.id, report);
    return report;
  }

  /** Deletes the exercise: its teams' clusters, its record and its report. */
  async remove(id: string, token: string | undefined): Promise<void> {
    const exercise = await this.forInstructor(id, token);
    for (const { clusterId } of exercise.teams) await this.clusters.removeAsOwner(clusterId);
    await this.records.delete(id);
  }
}
