import { Inject, Injectable } from '@nestjs/common';
import {
  type ClusterCommandRequest,
  commandIdSchema,
  type ClusterSummary,
  type CommandOutcome,
  type CreateClusterResponse,
  clock,
  type ForkClusterResponse,
  type InputError,
  type Role,
  type Scenario,
  parseCommand,
  liveActionSchema,
  parseScenario,
  type ScenarioParseOptions,
  ROOT_PATH,
  type Visibility,
  zodIssuesToInputErrors,
} from '@overcommit/contracts';
import { createCluster, type SimState } from '@overcommit/sim';
import { decodeState } from '../storage/state-codec';
import { createHash, randomBytes } from 'node:crypto';
import { API_CONFIG, type ApiConfig, publicUrl } from '../config/api-config';
import { clusterNotFound, NotAllowed, TooMany } from '../common/service-errors';
import { Metrics } from '../observability/metrics';
import { type ClusterMeta, ClusterStateRepository } from '../storage/cluster-state.repository';
import { PresenceRepository } from '../storage/presence.repository';
import { tickMs, TicksScheduler } from '../ticks/ticks.scheduler';
import { newToken, tokenHash, tokenMatches } from '../common/tokens';

/**
 * A person's command from HTTP or a socket: a live action (pause, resume,
 * set-speed) or an engine action, with an optional `id`, every error at its path.
 */
export function parseClusterCommand(
  body: unknown,
): { ok: true; request: ClusterCommandRequest } | { ok: false; errors: InputError[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return {
      ok: false,
      errors: [{ path: ROOT_PATH, message: 'expected a command object { do: ... }' }],
    };
  const { id, ...action } = body as Record<string, unknown>;
  const errors: InputError[] = [];
  const parsedId = id === undefined ? undefined : commandIdSchema.safeParse(id);
  if (parsedId && !parsedId.success)
    errors.push(...zodIssuesToInputErrors(parsedId.error.issues, { at: ['id'] }));
  const withId = <T extends object>(request: T) =>
    parsedId?.success ? { ...request, id: parsedId.data } : request;
  if (
    action['do'] === 'pause' ||
    action['do'] === 'resume' ||
    action['do'] === 'set-speed' ||
    action['do'] === 'run-ahead'
  ) {
    const live = liveActionSchema.safeParse(action);
    if (!live.success) errors.push(...zodIssuesToInputErrors(live.error.issues));
    return errors.length > 0 || !live.success
      ? { ok: false, errors }
      : { ok: true, request: withId(live.data) };
  }
  // The engine's command schema, with the fields the server fills in given for it.
  const parsed = parseCommand({ ...action, id: 'pending', by: 'pending' });
  if (!parsed.ok) errors.push(...parsed.errors.filter((e) => e.path !== 'by' && e.path !== 'id'));
  if (errors.length > 0 || !parsed.ok) return { ok: false, errors };
  const { by: _by, id: _pending, ...rest } = parsed.command;
  return { ok: true, request: withId(rest) };
}

/**
 * How many of its source's newest frames a fork gets, so its charts have a past: five minutes at
 * one tick a second (what a cluster page's charts load first), a few MB for 200 hosts.
 */
export const FORK_HISTORY = 300;

/** The most characters of a cluster name (the scenario's `name` bound). */
const NAME_MAX = 200;

/** Where a cluster about to be created is counted: its id and its creator (a hash of the address). */
export interface ClusterPlace {
  id: string;
  creator: string;
}

@Injectable()
export class ClustersService {
  /** The cluster limits (SCENARIO_MAX_*) every scenario given to this API is held to. */
  readonly scenarioOptions: ScenarioParseOptions;
  /** The dashboard as people reach it: the base of every link handed out. */
  readonly publicUrl: string;

  constructor(
    private readonly repo: ClusterStateRepository,
    private readonly presence: PresenceRepository,
    private readonly scheduler: TicksScheduler,
    private readonly metrics: Metrics,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {
    this.scenarioOptions = {
      limits: {
        hosts: config.SCENARIO_MAX_HOSTS,
        vms: config.SCENARIO_MAX_VMS,
        logicalCpus: config.SCENARIO_MAX_LOGICAL_CPUS,
        events: config.SCENARIO_MAX_EVENTS,
      },
      limitNames: {
        hosts: 'SCENARIO_MAX_HOSTS',
        vms: 'SCENARIO_MAX_VMS',
        logicalCpus: 'SCENARIO_MAX_LOGICAL_CPUS',
        events: 'SCENARIO_MAX_EVENTS',
      },
    };
    this.publicUrl = publicUrl(config);
  }

  /**
   * Places for `count` new clusters created from `address`, within MAX_CLUSTERS and
   * MAX_CLUSTERS_PER_ADDRESS, reserved at once (an exercise gets all its teams or none).
   */
  async reserve(count: number, address: string): Promise<ClusterPlace[]> {
    const creator = createHash('sha256').update(address).digest('hex').slice(0, 16);
    const ids = Array.from({ length: count }, () => randomBytes(6).toString('hex'));
    const result = await this.repo.reserve(ids, creator, {
      total: this.config.MAX_CLUSTERS,
      perCreator: this.config.MAX_CLUSTERS_PER_ADDRESS,
    });
    const asked = count === 1 ? 'a cluster' : `${count} clusters`;
    const clusters = (n: number) => `${n} cluster${n === 1 ? '' : 's'}`;
    if (result === 'full')
      throw new TooMany(
        'clusters-full',
        `this server keeps at most ${clusters(this.config.MAX_CLUSTERS)} (MAX_CLUSTERS) and has no room for ${asked}: delete one first`,
        { max: this.config.MAX_CLUSTERS },
      );
    if (result === 'creator-full')
      throw new TooMany(
        'clusters-full-address',
        `one address may keep at most ${clusters(this.config.MAX_CLUSTERS_PER_ADDRESS)} (MAX_CLUSTERS_PER_ADDRESS), and yours has no room for ${asked}: delete one of yours first`,
        { max: this.config.MAX_CLUSTERS_PER_ADDRESS },
      );
    return ids.map((id) => ({ id, creator }));
  }

  /** Gives back places that were reserved but not used. */
  async release(places: readonly ClusterPlace[]): Promise<void> {
    if (places.length === 0) return;
    await this.repo.release(
      places.map((p) => p.id),
      places[0]!.creator,
    );
  }

  /** Parses, counts and creates one cluster for a client address; a bad scenario creates nothing. */
  async createFor(
    address: string,
    scenario: Scenario | { errors: InputError[] },
    visibility: Visibility,
  ): Promise<CreateClusterResponse | { errors: InputError[] }> {
    if ('errors' in scenario) return scenario;
    const [place] = await this.reserve(1, address);
    try {
      return await this.create(scenario, visibility, place!);
    } catch (error) {
      await this.release([place!]);
      throw error;
    }
  }

  /**
   * Creates and starts a cluster (or, with `paused`, creates it paused) in a reserved place. An
   * exercise's team cluster also knows its exercise, its team and the instructor's token hash
   * (the instructor may watch it).
   */
  async create(
    scenario: Scenario,
    visibility: Visibility,
    place: ClusterPlace,
    options: {
      paused?: boolean;
      exercise?: { id: string; team: string; instructorHash: string };
    } = {},
  ): Promise<CreateClusterResponse> {
    const { id } = place;
    const operatorToken = newToken();
    const viewerToken = newToken();
    const now = Date.now();
    const meta: ClusterMeta = {
      id,
      name: scenario.name,
      visibility,
      baseTickMs: scenario.clock.tickMs,
      speed: 1,
      paused: options.paused ?? false,
      createdAt: now,
      // On the cluster's own place in the interval, so each tick falls due when its job fires.
      anchorAt: await this.scheduler.newAnchor(
        tickMs({ baseTickMs: scenario.clock.tickMs, speed: 1 }),
        now,
      ),
      anchorTick: 0,
      tick: 0,
      time: 0,
      lastCommandId: '0',
      operatorHash: tokenHash(operatorToken),
      viewerHash: tokenHash(viewerToken),
      summary: '',
      lagMs: 0,
      exerciseId: options.exercise?.id ?? '',
      team: options.exercise?.team ?? '',
      instructorHash: options.exercise?.instructorHash ?? '',
      creator: place.creator,
      forkOfId: '',
      forkOfTick: 0,
      aheadUntil: 0,
    };
    await this.repo.create(meta, createCluster(scenario, { maxVms: this.config.SCENARIO_MAX_VMS }));
    if (!meta.paused) await this.scheduler.schedule(meta);
    const link = `${this.publicUrl}/clusters/${id}`;
    return {
      id,
      name: scenario.name,
      operatorToken,
      viewerToken,
      viewerLink: visibility === 'private' ? `${link}?token=${viewerToken}` : link,
      operatorLink: `${link}?token=${operatorToken}`,
    };
  }

  /**
   * A what-if fork: a new private cluster, paused, a copy of the source as its last committed tick
   * left it (engine state with its PRNG, policy, alarms, and its newest FORK_HISTORY frames), owned
   * by whoever forked it (new tokens, counted against their address's share). Any token that opens
   * the source may fork it, except a team's in an exercise that forbids it (`allowForks: false`);
   * a team's fork is not the exercise's (never scored, never on the scoreboard).
   */
  async fork(id: string, token: string | undefined, address: string): Promise<ForkClusterResponse> {
    const meta = await this.meta(id);
    if (this.roleFor(meta, token) === null) throw clusterNotFound(id);
    if (!meta.exerciseId && this.repo.copiesInPlace) {
      // One Redis and a plain cluster: its state and frames are copied inside Redis.
      const [place] = await this.reserve(1, address);
      try {
        const source = await this.repo.copyForFork(id, place!.id, FORK_HISTORY);
        // Deleted between the two reads: gone, as it would be a moment later.
        if (!source) throw clusterNotFound(id);
        return await this.writeFork(source, place!, null, []);
      } catch (error) {
        await this.repo.delete(place!.id);
        await this.release([place!]);
        throw error;
      }
    }
    // A Redis Cluster (the fork's keys are in another slot: read the source, then write the fork),
    // or a team's cluster, whose state is read for its exercise's allowForks.
    const snapshot = await this.repo.snapshot(id, FORK_HISTORY);
    if (!snapshot) throw clusterNotFound(id);
    const source = snapshot.meta;
    // A plain cluster's state is copied byte for byte (decoding 4,000 VMs' state costs ~50 ms); a
    // team's fork is nobody's exercise: not scored, and its time is its owner's.
    let state: SimState | Buffer = snapshot.state;
    if (source.exerciseId) {
      const decoded = decodeState(snapshot.state);
      const instructor = source.instructorHash !== '' && tokenMatches(token, source.instructorHash);
      if (decoded.exercise?.spec.allowForks === false && !instructor)
        throw new NotAllowed(
          'fork-forbidden',
          `exercise ${source.exerciseId} does not allow its teams to fork their clusters (allowForks: false)`,
          { exercise: source.exerciseId },
        );
      decoded.exercise = null;
      state = decoded;
    }
    const [place] = await this.reserve(1, address);
    try {
      return await this.writeFork(source, place!, state, snapshot.frames);
    } catch (error) {
      await this.release([place!]);
      throw error;
    }
  }

  /** The fork's meta (and, unless copied in Redis already, its state and frames), and its links. */
  private async writeFork(
    source: ClusterMeta,
    place: ClusterPlace,
    state: SimState | Buffer | null,
    frames: [string, string][],
  ): Promise<ForkClusterResponse> {
    const operatorToken = newToken();
    const viewerToken = newToken();
    const now = Date.now();
    const suffix = ` (fork at ${clock(source.time, { hours: true })})`;
    const fork: ClusterMeta = {
      id: place.id,
      name: source.name.slice(0, NAME_MAX - suffix.length) + suffix,
      visibility: 'private',
      baseTickMs: source.baseTickMs,
      speed: source.speed,
      paused: true,
      createdAt: now,
      anchorAt: await this.scheduler.newAnchor(tickMs(source), now),
      anchorTick: source.tick,
      tick: source.tick,
      time: source.time,
      lastCommandId: '0',
      operatorHash: tokenHash(operatorToken),
      viewerHash: tokenHash(viewerToken),
      summary: source.summary,
      lagMs: 0,
      exerciseId: '',
      team: '',
      instructorHash: '',
      creator: place.creator,
      forkOfId: source.id,
      forkOfTick: source.tick,
      aheadUntil: 0,
    };
    await this.repo.createFork(fork, state, frames.slice(-FORK_HISTORY));
    const link = `${this.publicUrl}/clusters/${fork.id}`;
    return {
      id: fork.id,
      name: fork.name,
      operatorToken,
      viewerToken,
      viewerLink: `${link}?token=${viewerToken}`,
      operatorLink: `${link}?token=${operatorToken}`,
      forkOf: { id: source.id, tick: source.tick },
      time: source.time,
    };
  }

  /** A scenario given to this API (JSON), held to its limits. */
  parse(input: unknown): Scenario | { errors: InputError[] } {
    const parsed = parseScenario(input, this.scenarioOptions);
    return parsed.ok ? parsed.scenario : { errors: parsed.errors };
  }

  async summaries(includePrivate = false): Promise<ClusterSummary[]> {
    const ids = await this.repo.ids();
    if (ids.length === 0) return [];
    // Both in flight at once: one round trip's wait, as for one pipeline.
    const [metas, watchers] = await Promise.all([
      this.repo.metas(ids),
      this.presence.watcherCounts(ids),
    ]);
    return ids
      .flatMap((_, i) => {
        const meta = metas[i];
        return meta ? [{ meta, watchers: watchers[i]! }] : [];
      })
      .filter(({ meta }) => meta.visibility === 'public' || includePrivate)
      .sort((a, b) => (a.meta.id < b.meta.id ? -1 : 1))
      .map(({ meta, watchers }) => this.summary(meta, watchers));
  }

  summary(meta: ClusterMeta, watchers: number): ClusterSummary {
    const figures = meta.summary
      ? (JSON.parse(meta.summary) as {
          hostsUp: number;
          hostsTotal: number;
          vmsRunning: number;
          alarms: { warning: number; critical: number };
        })
      : { hostsUp: 0, hostsTotal: 0, vmsRunning: 0, alarms: { warning: 0, critical: 0 } };
    return {
      id: meta.id,
      name: meta.name,
      visibility: meta.visibility,
      tick: meta.tick,
      time: meta.time,
      speed: meta.speed,
      paused: meta.paused,
      tickMs: Math.round(meta.baseTickMs / meta.speed),
      hostsUp: figures.hostsUp,
      hostsTotal: figures.hostsTotal,
      vmsRunning: figures.vmsRunning,
      alarms: figures.alarms,
      watchers,
      lagMs: meta.lagMs,
      createdAt: meta.createdAt,
      ...(meta.forkOfId ? { forkOf: { id: meta.forkOfId, tick: meta.forkOfTick } } : {}),
      ...(meta.aheadUntil > meta.time ? { aheadUntil: meta.aheadUntil } : {}),
    };
  }

  async meta(id: string): Promise<ClusterMeta> {
    const meta = await this.repo.meta(id);
    if (!meta) throw clusterNotFound(id);
    return meta;
  }

  /** What a token lets its holder do on a cluster: operate, watch, or nothing (private without a token). */
  roleFor(meta: ClusterMeta, token: string | undefined): Role | null {
    if (tokenMatches(token, meta.operatorHash)) return 'operator';
    if (meta.visibility === 'public' || tokenMatches(token, meta.viewerHash)) return 'viewer';
    // An exercise's instructor watches every team's cluster (and controls them through the exercise).
    if (meta.instructorHash && tokenMatches(token, meta.instructorHash)) return 'viewer';
    return null;
  }

  async remove(id: string, token: string | undefined): Promise<void> {
    const meta = await this.meta(id);
    const role = this.roleFor(meta, token);
    // A private cluster without its link looks like no cluster at all, as it does to GET.
    if (role === null) throw clusterNotFound(id);
    if (role !== 'operator')
      throw new NotAllowed('delete-not-operator', 'only the operator token may delete a cluster');
    if (meta.exerciseId)
      throw new NotAllowed(
        'delete-exercise-cluster',
        `this cluster is ${meta.team}'s in exercise ${meta.exerciseId}: the instructor deletes the exercise`,
        { team: meta.team ?? '', exercise: meta.exerciseId },
      );
    await this.removeAsOwner(id);
  }

  /** Deletes a cluster whose owner has been checked by the caller (an exercise deleting its teams'). */
  async removeAsOwner(id: string): Promise<void> {
    await this.scheduler.unschedule(id);
    await this.repo.delete(id);
  }

  /**
   * A person's command. Live commands (pause, resume, set-speed) apply at
   * once; engine commands are queued for the next tick, whose frame carries
   * the outcome. A viewer's command is refused with the reason.
   */
  async command(
    id: string,
    request: ClusterCommandRequest,
    by: string,
    role: Role,
    /** The system itself (an exercise's instructor controls): may act on exercise clusters' time. */
    system = false,
  ): Promise<CommandOutcome> {
    // A leading "@" names system actors (`@instructor`): people's names cannot take it.
    const who = system ? by : by.replace(/^@+/, '').trim() || 'someone';
    const outcome = await this.decide(id, request, who, role, system);
    // Queued commands are counted by the worker when the engine decides them.
    if (outcome.status === 'refused') this.metrics.commands.inc({ outcome: 'rejected' });
    else if (outcome.status === 'accepted') this.metrics.commands.inc({ outcome: 'accepted' });
    return outcome;
  }

  private async decide(
    id: string,
    request: ClusterCommandRequest,
    by: string,
    role: Role,
    system: boolean,
  ): Promise<CommandOutcome> {
    const meta = await this.meta(id);
    const commandId = request.id ?? randomBytes(8).toString('hex');
    if (role !== 'operator') {
      return {
        id: commandId,
        status: 'refused',
        reason: 'a viewer link can watch but not act: ask for the operator link',
        code: 'viewer-cannot-act',
      };
    }
    const { id: _ignored, ...action } = request;
    if (
      meta.exerciseId &&
      !system &&
      (action.do === 'pause' ||
        action.do === 'resume' ||
        action.do === 'set-speed' ||
        action.do === 'run-ahead')
    )
      return {
        id: commandId,
        status: 'refused',
        reason: `in an exercise the instructor controls time for every team (${action.do} refused)`,
        code: 'instructor-controls-time',
        params: { action: action.do },
      };
    switch (action.do) {
      case 'pause':
        if (meta.paused)
          return {
            id: commandId,
            status: 'refused',
            reason: 'the cluster is already paused',
            code: 'already-paused',
          };
        await this.repo.updateMeta(id, { paused: true });
        await this.scheduler.unschedule(id);
        return { id: commandId, status: 'accepted', tick: meta.tick };
      case 'resume':
        if (!meta.paused)
          return {
            id: commandId,
            status: 'refused',
            reason: 'the cluster is not paused',
            code: 'not-paused',
          };
        return this.reschedule(meta, meta.speed, commandId, { paused: false });
      case 'set-speed':
        return this.reschedule(meta, action.speed, commandId, {});
      case 'run-ahead': {
        // One at a time: the target is where the worker stops; another would move it under it.
        if (meta.aheadUntil > meta.time)
          return {
            id: commandId,
            status: 'refused',
            reason: `the cluster is already running ahead (to ${clock(meta.aheadUntil, { hours: true })} simulated)`,
            code: 'already-running-ahead',
            params: { until: meta.aheadUntil },
          };
        await this.repo.updateMeta(id, { aheadUntil: meta.time + action.seconds });
        await this.scheduler.kick(id, meta.tick);
        return { id: commandId, status: 'accepted', tick: meta.tick };
      }
      default: {
        // Queued once: a command sent again with its id answers with the outcome it has.
        const outcome = await this.repo.enqueueCommand(id, { ...action, id: commandId, by });
        if (outcome) return { ...(JSON.parse(outcome) as CommandOutcome), id: commandId };
        return { id: commandId, status: 'queued' };
      }
    }
  }

  private async reschedule(
    meta: ClusterMeta,
    speed: number,
    commandId: string,
    extra: Partial<ClusterMeta>,
  ): Promise<CommandOutcome> {
    const next: ClusterMeta = {
      ...meta,
      ...extra,
      speed,
      anchorAt: this.scheduler.restartAnchor(meta, tickMs({ baseTickMs: meta.baseTickMs, speed })),
      anchorTick: meta.tick,
    };
    await this.repo.updateMeta(meta.id, {
      ...extra,
      speed,
      anchorAt: next.anchorAt,
      anchorTick: next.anchorTick,
    });
    if (!next.paused) await this.scheduler.schedule(next);
    return { id: commandId, status: 'accepted', tick: meta.tick };
  }
}
