import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Headers,
  Param,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import {
  isErrorCode,
  type ClusterConfig,
  type ClusterSummary,
  type CommandOutcome,
  type CreateClusterResponse,
  createClusterRequestSchema,
  decodeFrame,
  displayNameSchema,
  type ForkClusterResponse,
  type Frame,
  type InputError,
  type MigrationTargets,
  type Scenario,
  visibilities,
  type Visibility,
  zodIssuesToInputErrors,
} from '@overcommit/contracts';
import { clusterConfig, migrationTargets, type SimState } from '@overcommit/sim';
import type { Request } from 'express';
import { z } from 'zod';
import { loadScenarioText } from '@overcommit/scenario-files';
import { clientAddress, tokenOf } from '../common/http-input';
import { BadInput, clusterNotFound, NotAllowed, NotFound } from '../common/service-errors';
import { ScenariosService } from '../scenarios/scenarios.service';
import { ClusterStateRepository } from '../storage/cluster-state.repository';
import { FrameHistoryRepository } from '../storage/frame-history.repository';
import { PresenceRepository } from '../storage/presence.repository';
import { ClustersService, parseClusterCommand } from './clusters.service';

/** A YAML body says its visibility in the query: ?visibility=private. */
const yamlQuerySchema = z.object({
  visibility: z.enum(visibilities, { error: 'expected "public" or "private"' }).optional(),
});

@Controller('clusters')
export class ClustersController {
  constructor(
    private readonly clusters: ClustersService,
    private readonly scenarios: ScenariosService,
    private readonly state: ClusterStateRepository,
    private readonly frames: FrameHistoryRepository,
    private readonly presence: PresenceRepository,
  ) {}

  /** Public clusters, live figures. */
  @Get()
  list(): Promise<ClusterSummary[]> {
    return this.clusters.summaries();
  }

  /**
   * Creates and starts a cluster from `{ scenario }`, `{ scenarioName }` or a YAML body. The
   * scenario is held to the cluster limits before anything is expanded or stored, and the
   * deployment's and the address's cluster counts before anything is created.
   */
  @Post()
  async create(@Body() body: unknown, @Req() req: Request): Promise<CreateClusterResponse> {
    const address = clientAddress(req);
    const query = yamlQuerySchema.safeParse(req.query);
    if (!query.success)
      throw new BadInput('invalid-query', 'bad query', zodIssuesToInputErrors(query.error.issues));
    let scenario: Scenario | { errors: InputError[] };
    let visibility: Visibility;
    if (typeof body === 'string') {
      const parsed = loadScenarioText(body, 'the request body', this.clusters.scenarioOptions);
      scenario = parsed.ok ? parsed.scenario : { errors: parsed.errors };
      visibility = query.data.visibility ?? 'public';
    } else {
      if (query.data.visibility !== undefined) {
        throw new BadInput('invalid-query', 'bad query', [
          {
            path: 'visibility',
            message: 'only a YAML body takes its visibility in the query; put it in the JSON body',
          },
        ]);
      }
      const request = createClusterRequestSchema.safeParse(body);
      if (!request.success) {
        throw new BadInput(
          'invalid-body',
          'the body must be { scenario: {...} } or { scenarioName: "demo" }, or a YAML scenario',
          zodIssuesToInputErrors(request.error.issues),
        );
      }
      const r = request.data;
      visibility = r.visibility;
      if ('scenarioName' in r) {
        const bundled = this.scenarios.get(r.scenarioName);
        if (!bundled) {
          const names = this.scenarios.list().map((s) => s.name);
          throw new BadInput(
            'scenario-unknown',
            `no bundled scenario named ${r.scenarioName}`,
            [{ path: 'scenarioName', message: `unknown; expected one of: ${names.join(', ')}` }],
            { name: r.scenarioName },
          );
        }
        scenario = bundled.scenario;
      } else {
        scenario = this.clusters.parse(r.scenario);
      }
    }
    const result = await this.clusters.createFor(address, scenario, visibility);
    if ('errors' in result)
      throw new BadInput(
        'scenario-invalid',
        'the scenario is not valid; nothing was created',
        result.errors,
      );
    return result;
  }

  /** The latest frame, the cluster's figures and its configuration. Private clusters need a token. */
  @Get(':id')
  async get(
    @Param('id') id: string,
    @Headers('authorization') authorization?: string,
    @Query('token') token?: string,
  ): Promise<{ cluster: ClusterSummary; frame: Frame | null; config: ClusterConfig }> {
    const meta = await this.metaFor(id, tokenOf(authorization, token));
    const [watchers, frame, state] = await Promise.all([
      this.presence.watchers(id),
      this.frames.latestFrame(id),
      this.stateOf(id),
    ]);
    return { cluster: this.clusters.summary(meta, watchers), frame, config: clusterConfig(state) };
  }

  /**
   * The cluster's figures alone (name, tick, speed, paused, alarms, watchers):
   * what a dashboard polls, without reading the state or the latest frame.
   */
  @Get(':id/summary')
  async summary(
    @Param('id') id: string,
    @Headers('authorization') authorization?: string,
    @Query('token') token?: string,
  ): Promise<ClusterSummary> {
    const meta = await this.metaFor(id, tokenOf(authorization, token));
    return this.clusters.summary(meta, await this.presence.watchers(id));
  }

  /** Where a VM could live-migrate to now: every host, whether it fits (or why not) and its headroom. */
  @Get(':id/vms/:vm/targets')
  async targets(
    @Param('id') id: string,
    @Param('vm') vm: string,
    @Headers('authorization') authorization?: string,
    @Query('token') token?: string,
  ): Promise<MigrationTargets> {
    await this.metaFor(id, tokenOf(authorization, token));
    const answer = migrationTargets(await this.stateOf(id), vm);
    if ('notFound' in answer)
      throw new NotFound('vm-not-found', answer.notFound, { name: vm.slice(0, 200) });
    return answer;
  }

  /**
   * A what-if fork: a new private cluster, paused, a copy of this one at its current tick (same
   * state, same seed stream, its recent history), with tokens of its own; counted against the
   * caller's address like any new cluster. Any token that opens the cluster may fork it.
   */
  @Post(':id/fork')
  @HttpCode(201)
  async fork(
    @Param('id') id: string,
    @Req() req: Request,
    @Headers('authorization') authorization?: string,
    @Query('token') token?: string,
  ): Promise<ForkClusterResponse> {
    return this.clusters.fork(id, tokenOf(authorization, token), clientAddress(req));
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(
    @Param('id') id: string,
    @Headers('authorization') authorization?: string,
    @Query('token') token?: string,
  ): Promise<void> {
    await this.clusters.remove(id, tokenOf(authorization, token));
  }

  /** A command: answered at once with its id; the outcome comes with the tick that applies it. */
  @Post(':id/commands')
  async command(
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('authorization') authorization?: string,
    @Headers('x-user-name') userName?: string,
    @Query('token') token?: string,
  ): Promise<CommandOutcome> {
    const meta = await this.metaFor(id, tokenOf(authorization, token));
    const parsed = parseClusterCommand(body);
    if (!parsed.ok) throw new BadInput('invalid-command', 'not a valid command', parsed.errors);
    const by = displayNameSchema.safeParse(userName ?? 'api');
    if (!by.success)
      throw new BadInput(
        'invalid-header',
        'bad X-User-Name header',
        zodIssuesToInputErrors(by.error.issues, { at: ['X-User-Name'] }),
      );
    const role = this.clusters.roleFor(meta, tokenOf(authorization, token)) ?? 'viewer';
    const outcome = await this.clusters.command(id, parsed.request, by.data, role);
    if (outcome.status === 'refused' && role !== 'operator') {
      // The server's own refusal has an error code; the engine's (a refusal code) is command-refused.
      const serverCode = isErrorCode(outcome.code) ? outcome.code : undefined;
      throw new NotAllowed(
        serverCode ?? 'command-refused',
        outcome.reason ?? 'refused',
        serverCode ? outcome.params : { reason: outcome.reason ?? '' },
        outcome,
      );
    }
    return outcome;
  }

  /** A command's outcome. Same token rules as `GET /api/clusters/:id`. */
  @Get(':id/commands/:commandId')
  async outcome(
    @Param('id') id: string,
    @Param('commandId') commandId: string,
    @Headers('authorization') authorization?: string,
    @Query('token') token?: string,
  ): Promise<CommandOutcome> {
    await this.metaFor(id, tokenOf(authorization, token));
    const raw = await this.state.outcome(id, commandId);
    if (!raw)
      throw new NotFound('command-not-found', `no command ${commandId} on cluster ${id}`, {
        id: commandId.slice(0, 64),
      });
    return JSON.parse(raw) as CommandOutcome;
  }

  /** Host-level frames from the history, between two ticks, every Nth. */
  @Get(':id/history')
  async history(
    @Param('id') id: string,
    @Query() query: Record<string, string>,
    @Headers('authorization') authorization?: string,
  ): Promise<{ frames: Frame[] | string[]; oldestTick: number | null }> {
    const schema = z.strictObject({
      from: z.coerce.number().int().min(0).optional(),
      to: z.coerce.number().int().min(0).optional(),
      every: z.coerce.number().int().min(1).max(3600).default(1),
      /** `wire`: frames in their compact wire form (decodeFrame in libs/contracts), as charts load them. */
      format: z.enum(['json', 'wire']).default('json'),
      token: z.string().optional(),
    });
    const parsed = schema.safeParse(query);
    if (!parsed.success)
      throw new BadInput(
        'invalid-query',
        'bad history query',
        zodIssuesToInputErrors(parsed.error.issues),
      );
    const meta = await this.metaFor(id, tokenOf(authorization, parsed.data.token));
    const to = parsed.data.to ?? meta.tick;
    const from = parsed.data.from ?? Math.max(0, to - 300);
    if (from > to)
      throw new BadInput(
        'history-range',
        'from is after to',
        [{ path: 'from', message: `${from} > ${to}` }],
        { from, to },
      );
    const { every, format } = parsed.data;
    const wire = await this.frames.wireFramesBetween(id, from, to, every);
    return {
      frames: format === 'wire' ? wire : wire.map(decodeFrame),
      oldestTick: await this.frames.oldestTick(id),
    };
  }

  /** The stored engine state; a cluster deleted meanwhile is a 404 like any missing one. */
  private async stateOf(id: string): Promise<SimState> {
    const state = await this.state.state(id);
    if (!state) throw clusterNotFound(id);
    return state;
  }

  private async metaFor(id: string, token: string | undefined) {
    const meta = await this.clusters.meta(id);
    // A private cluster without its link looks like no cluster at all.
    if (this.clusters.roleFor(meta, token) === null) throw clusterNotFound(id);
    return meta;
  }
}
