import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import {
  type ClusterSweep,
  createSweepRequestSchema,
  type CreateSweepResponse,
  type Scenario,
  type SweepInfo,
  zodIssuesToInputErrors,
} from '@overcommit/contracts';
import type { Request } from 'express';
import { BadInput } from '../common/service-errors';
import { clientAddress, tokenOf } from '../common/http-input';
import { SweepsService } from './sweeps.service';

/** Sweeps (docs/api.md, "Sweeps"): a trade-off sweep as a background job of the workers. */
@Controller()
export class SweepsController {
  constructor(private readonly sweeps: SweepsService) {}

  /** Checks and queues a sweep: 202 with its id and token, or the refusal (400, 413, 429). */
  @Post('sweeps')
  @HttpCode(202)
  async create(@Body() body: unknown, @Req() req: Request): Promise<CreateSweepResponse> {
    const parsed = createSweepRequestSchema.safeParse(body);
    if (!parsed.success)
      throw new BadInput(
        'invalid-body',
        'the body must be { scenarioName | scenario | clusterId (+ token), request: {...} }',
        zodIssuesToInputErrors(parsed.error.issues),
      );
    return this.sweeps.create(parsed.data, clientAddress(req));
  }

  /** Status, progress and, once done, the result. */
  @Get('sweeps/:id')
  async get(
    @Param('id') id: string,
    @Headers('authorization') authorization?: string,
    @Query('token') token?: string,
  ): Promise<SweepInfo> {
    return this.sweeps.info(await this.sweeps.open(id, tokenOf(authorization, token)));
  }

  /** One point's scenario (`:index` in `points`, or `reference`), to open it as a new cluster. */
  @Get('sweeps/:id/points/:index/scenario')
  async pointScenario(
    @Param('id') id: string,
    @Param('index') index: string,
    @Headers('authorization') authorization?: string,
    @Query('token') token?: string,
  ): Promise<{ scenario: Scenario }> {
    return {
      scenario: await this.sweeps.pointScenario(id, index, tokenOf(authorization, token)),
    };
  }

  /** Cancels a queued or running sweep (its own token); the record stays, status `cancelled`. */
  @Delete('sweeps/:id')
  async cancel(
    @Param('id') id: string,
    @Headers('authorization') authorization?: string,
    @Query('token') token?: string,
  ): Promise<SweepInfo> {
    return this.sweeps.cancel(id, tokenOf(authorization, token));
  }

  /** A live cluster's sweeps, newest first (the cluster's token rules). */
  @Get('clusters/:id/sweeps')
  async ofCluster(
    @Param('id') id: string,
    @Headers('authorization') authorization?: string,
    @Query('token') token?: string,
  ): Promise<ClusterSweep[]> {
    return this.sweeps.ofCluster(id, tokenOf(authorization, token));
  }
}
