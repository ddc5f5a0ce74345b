import { Inject, Injectable } from '@nestjs/common';
import {
  type ClusterSweep,
  type CreateSweepRequest,
  type CreateSweepResponse,
  type InputError,
  parseSweepRequest,
  type Scenario,
  sweepPointCount,
  type SweepInfo,
} from '@overcommit/contracts';
import { loadScenarioText } from '@overcommit/scenario-files';
import { planSweep, pointScenario, runTicks, scenarioFromState } from '@overcommit/sim';
import { createHash, randomBytes } from 'node:crypto';
import { ClustersService } from '../clusters/clusters.service';
import { API_CONFIG, type ApiConfig, publicUrl } from '../config/api-config';
import {
  BadInput,
  clusterNotFound,
  Conflict,
  NotAllowed,
  NotFound,
  ServiceError,
  TooMany,
} from '../common/service-errors';
import { newToken, tokenHash, tokenMatches } from '../common/tokens';
import { ScenariosService } from '../scenarios/scenarios.service';
import { ClusterStateRepository } from '../storage/cluster-state.repository';
import { SweepQueue } from './sweep-queue';
import { type SweepRecord, SweepsRepository } from './sweeps.repository';

const fmt = (n: number) => n.toLocaleString('en-US');

/** No such sweep, or a private one this link does not open: the same answer for both. */
export function sweepNotFound(id: string): NotFound {
  return new NotFound('sweep-not-found', `no sweep ${id}`, { id: id.slice(0, 64) });
}

/** A sweep larger than this server runs (SWEEP_MAX_POINTS, SWEEP_MAX_VM_STEPS): 413. */
export class SweepTooLarge extends ServiceError {
  constructor(field: 'points' | 'vmSteps', value: number, limit: number, setting: string) {
    const what =
      field === 'points'
        ? 'runs (points, plus the 1:1 reference)'
        : 'VM-steps (runs x VMs x ticks)';
    super(
      'sweep-too-large',
      `the sweep takes ${fmt(value)} ${what}; this server runs at most ${fmt(limit)} (${setting}): use fewer points, fewer minutes or a larger stepSeconds, or the command line (npm run sim -- sweep)`,
      413,
      [
        {
          path: field === 'points' ? 'request.cpu' : 'request.minutes',
          message: `${fmt(value)} > ${fmt(limit)}`,
        },
      ],
      undefined,
      { field, limit, value },
    );
  }
}

/**
 * Sweeps as background jobs (docs/api.md, "Sweeps"): checks a request against its scenario and
 * this server's limits, queues it on the `sweeps` queue (SweepQueue runs it on a worker), and
 * answers its status, result, cancellation and a cluster's list.
 */
@Injectable()
export class SweepsService {
  constructor(
    private readonly repo: SweepsRepository,
    private readonly queue: SweepQueue,
    private readonly clusters: ClustersService,
    private readonly scenarios: ScenariosService,
    private readonly state: ClusterStateRepository,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /** The scenario a request names: bundled, given (JSON or YAML text), or a live cluster's now. */
  private async scenarioOf(
    body: CreateSweepRequest,
  ): Promise<{ scenario: Scenario; clusterId: string | null }> {
    if ('scenarioName' in body) {
      const bundled = this.scenarios.get(body.scenarioName);
      if (!bundled) {
        const names = this.scenarios.list().map((s) => s.name);
        throw new BadInput(
          'scenario-unknown',
          `no bundled scenario named ${body.scenarioName}`,
          [{ path: 'scenarioName', message: `unknown; expected one of: ${names.join(', ')}` }],
          { name: body.scenarioName },
        );
      }
      return { scenario: bundled.scenario, clusterId: null };
    }
    if ('scenario' in body) {
      let parsed: Scenario | { errors: InputError[] };
      if (typeof body.scenario === 'string') {
        const loaded = loadScenarioText(body.scenario, 'scenario', this.clusters.scenarioOptions);
        parsed = loaded.ok ? loaded.scenario : { errors: loaded.errors };
      } else parsed = this.clusters.parse(body.scenario);
      if ('errors' in parsed)
        throw new BadInput(
          'scenario-invalid',
          'the scenario is not valid; nothing was started',
          parsed.errors.map((e) => ({ ...e, path: `scenario.${e.path}` })),
        );
      return { scenario: parsed, clusterId: null };
    }
    const meta = await this.clusters.meta(body.clusterId);
    if (this.clusters.roleFor(meta, body.token) === null) throw clusterNotFound(body.clusterId);
    const state = await this.state.state(body.clusterId);
    if (!state) throw clusterNotFound(body.clusterId);
    return { scenario: scenarioFromState(state), clusterId: body.clusterId };
  }

  async create(body: CreateSweepRequest, address: string): Promise<CreateSweepResponse> {
    const { scenario, clusterId } = await this.scenarioOf(body);
    const request = parseSweepRequest(body.request);
    if (!request.ok) throw this.invalid(request.errors);
    // This server's limits first, from the grid's size, before any point is planned: the
    // refusal names the setting whatever the command line's own (larger) limits would say.
    const points = sweepPointCount(request.request);
    const maxPoints = this.config.SWEEP_MAX_POINTS;
    if (points > maxPoints)
      throw new SweepTooLarge('points', points, maxPoints, 'SWEEP_MAX_POINTS');
    let vms = 0;
    for (const spec of scenario.vms) vms += spec.count;
    const ticks = runTicks(
      request.request.minutes,
      request.request.stepSeconds ?? scenario.clock.stepSeconds,
    );
    const maxSteps = this.config.SWEEP_MAX_VM_STEPS;
    if (points * vms * ticks > maxSteps)
      throw new SweepTooLarge('vmSteps', points * vms * ticks, maxSteps, 'SWEEP_MAX_VM_STEPS');
    const planned = planSweep(scenario, body.request);
    if (!planned.ok) throw this.invalid(planned.errors);
    const plan = planned.plan;
    if (plan.runs > maxPoints)
      throw new SweepTooLarge('points', plan.runs, maxPoints, 'SWEEP_MAX_POINTS');
    const vmSteps = plan.runs * plan.vms * plan.ticks;
    if (vmSteps > maxSteps)
      throw new SweepTooLarge('vmSteps', vmSteps, maxSteps, 'SWEEP_MAX_VM_STEPS');

    const id = randomBytes(6).toString('hex');
    const creator = createHash('sha256').update(address).digest('hex').slice(0, 16);
    const reserved = await this.repo.reserve(id, creator, {
      total: this.config.SWEEP_MAX_ACTIVE,
      perCreator: this.config.SWEEP_MAX_ACTIVE_PER_ADDRESS,
    });
    if (reserved === 'full')
      throw new TooMany(
        'sweeps-full',
        `this server runs or queues at most ${this.config.SWEEP_MAX_ACTIVE} sweeps at once (SWEEP_MAX_ACTIVE): try again when one has finished`,
        { max: this.config.SWEEP_MAX_ACTIVE },
      );
    if (reserved === 'creator-full')
      throw new TooMany(
        'sweeps-full-address',
        `one address may run or queue at most ${this.config.SWEEP_MAX_ACTIVE_PER_ADDRESS} sweeps at once (SWEEP_MAX_ACTIVE_PER_ADDRESS): wait for one of yours to finish, or cancel it`,
        { max: this.config.SWEEP_MAX_ACTIVE_PER_ADDRESS },
      );
    const token = newToken();
    const now = Date.now();
    try {
      await this.repo.create({
        id,
        status: 'queued',
        done: 0,
        total: plan.runs,
        tokenHash: tokenHash(token),
        creator,
        clusterId,
        visibility: body.visibility,
        createdAt: now,
        finishedAt: null,
        scenario,
        request: body.request,
        error: null,
        result: null,
        expiresAt: now + this.config.SWEEP_TTL_SECONDS * 1000,
      });
      await this.queue.add(id);
    } catch (error) {
      await this.repo.release(id, creator);
      throw error;
    }
    return {
      id,
      token,
      link: `${publicUrl(this.config)}/sweeps/${id}?token=${token}`,
      total: plan.runs,
      vmSteps,
    };
  }

  private invalid(errors: InputError[]): BadInput {
    return new BadInput(
      'sweep-invalid',
      'the sweep request is not valid for this scenario; nothing was started',
      errors.map((e) => ({ ...e, path: e.path === '(root)' ? 'request' : `request.${e.path}` })),
    );
  }

  /** The sweep, if this token opens it: its own, any for a public sweep, or the cluster's links. */
  async open(id: string, token: string | undefined): Promise<SweepRecord> {
    const record = await this.repo.get(id);
    if (!record) throw sweepNotFound(id);
    if (tokenMatches(token, record.tokenHash) || record.visibility === 'public') return record;
    if (record.clusterId) {
      const meta = await this.clusters.meta(record.clusterId).catch(() => null);
      if (meta && this.clusters.roleFor(meta, token) !== null) return record;
    }
    throw sweepNotFound(id);
  }

  info(record: SweepRecord): SweepInfo {
    const parsed = parseSweepRequest(record.request);
    return {
      sweepId: record.id,
      status: record.status,
      done: record.done,
      total: record.total,
      scenario: record.scenario.name,
      clusterId: record.clusterId,
      visibility: record.visibility,
      createdAt: record.createdAt,
      finishedAt: record.finishedAt,
      request: parsed.ok ? parsed.request : record.request,
      error: record.error,
      result: record.result,
      expiresAt: record.expiresAt,
    };
  }

  /** Cancels a queued or running sweep (a running one stops before its next point). */
  async cancel(id: string, token: string | undefined): Promise<SweepInfo> {
    const record = await this.open(id, token);
    if (!tokenMatches(token, record.tokenHash))
      throw new NotAllowed('sweep-not-owner', "only the sweep's own token may cancel it");
    const changed = await this.repo.transition(id, ['queued', 'running'], 'cancelled', {
      finishedAt: Date.now(),
    });
    if (!changed) {
      const status = (await this.repo.status(id)) ?? record.status;
      throw new Conflict('sweep-finished', `the sweep has finished already (${status})`, {
        status,
      });
    }
    await this.repo.release(id, record.creator);
    await this.queue.remove(id);
    const after = (await this.repo.get(id)) ?? record;
    await this.repo.publishProgress({
      sweepId: id,
      status: 'cancelled',
      done: after.done,
      total: after.total,
    });
    return this.info(after);
  }

  /**
   * The scenario of one point of a finished sweep (`points[index]`, or `reference`): the swept
   * scenario at the point's policy, host count and step (pointScenario, as the point ran), ready
   * for POST /api/clusters ("open as a new cluster").
   */
  async pointScenario(id: string, index: string, token: string | undefined): Promise<Scenario> {
    const record = await this.open(id, token);
    const result = record.result;
    if (!result)
      throw new BadInput('invalid-request', `the sweep has no result (it is ${record.status})`, [
        { path: 'id', message: `status ${record.status}: points open once it is done` },
      ]);
    const point =
      index === 'reference'
        ? result.reference
        : /^\d+$/.test(index)
          ? result.points[Number(index)]
          : undefined;
    if (!point)
      throw new BadInput('invalid-request', `no point ${index.slice(0, 20)} in this sweep`, [
        {
          path: 'index',
          message: `expected 0 to ${result.points.length - 1}, or reference`,
        },
      ]);
    return pointScenario(record.scenario, point, point.hosts, result.stepSeconds);
  }

  /** A live cluster's sweeps (the same token rules as the cluster), newest first. */
  async ofCluster(clusterId: string, token: string | undefined): Promise<ClusterSweep[]> {
    const meta = await this.clusters.meta(clusterId);
    if (this.clusters.roleFor(meta, token) === null) throw clusterNotFound(clusterId);
    return (await this.repo.ofCluster(clusterId)).map((r) => ({
      sweepId: r.id,
      status: r.status,
      done: r.done,
      total: r.total,
      createdAt: r.createdAt,
      answer: r.result?.answer ?? null,
    }));
  }
}
