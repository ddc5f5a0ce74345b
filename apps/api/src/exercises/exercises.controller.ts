import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import type {
  CreateExerciseResponse,
  ExerciseReport,
  ExerciseState,
  Scoreboard,
} from '@overcommit/contracts';
import type { Request } from 'express';
import { ExercisesService } from './exercises.service';
import { reportMarkdown } from './report';
import { clientAddress, tokenOf } from '../common/http-input';

/** Exercises: create for N teams, scoreboard, control, after-action report (docs/api.md). */
@Controller('exercises')
export class ExercisesController {
  constructor(private readonly exercises: ExercisesService) {}

  @Post()
  create(@Body() body: unknown, @Req() req: Request): Promise<CreateExerciseResponse> {
    return this.exercises.create(body, clientAddress(req));
  }

  /** The scoreboard: every team's score at its latest tick. Instructor token only. */
  @Get(':id')
  scoreboard(
    @Param('id') id: string,
    @Headers('authorization') authorization?: string,
    @Query('token') token?: string,
  ): Promise<Scoreboard> {
    return this.exercises.scoreboard(id, tokenOf(authorization, token));
  }

  /** `{ do: start | pause | resume | end | set-speed | inject }` for every team at once. */
  @Post(':id/control')
  @HttpCode(200)
  control(
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('authorization') authorization?: string,
    @Query('token') token?: string,
  ): Promise<{ ok: true; state: ExerciseState; teams: Array<{ team: string; status: string }> }> {
    return this.exercises.control(id, tokenOf(authorization, token), body);
  }

  /** The after-action report as JSON. */
  @Get(':id/report')
  report(
    @Param('id') id: string,
    @Headers('authorization') authorization?: string,
    @Query('token') token?: string,
  ): Promise<ExerciseReport> {
    return this.exercises.report(id, tokenOf(authorization, token));
  }

  /** The after-action report as a Markdown file. */
  @Get(':id/report.md')
  @Header('content-type', 'text/markdown; charset=utf-8')
  async reportMarkdown(
    @Param('id') id: string,
    @Req() req: Request,
    @Headers('authorization') authorization?: string,
    @Query('token') token?: string,
  ): Promise<string> {
    const report = await this.exercises.report(id, tokenOf(authorization, token));
    req.res?.setHeader('content-disposition', `attachment; filename="exercise-${report.id}.md"`);
    return reportMarkdown(report);
  }

  /** Deletes the exercise, its teams' clusters and its report. */
  @Delete(':id')
  @HttpCode(204)
  async remove(
    @Param('id') id: string,
    @Headers('authorization') authorization?: string,
    @Query('token') token?: string,
  ): Promise<void> {
    await this.exercises.remove(id, tokenOf(authorization, token));
  }
}
