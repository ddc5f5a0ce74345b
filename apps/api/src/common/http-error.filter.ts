import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Inject,
  NotFoundException,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ThrottlerException } from '@nestjs/throttler';
import type { ErrorCode } from '@overcommit/contracts';
import { API_CONFIG, type ApiConfig } from '../config/api-config';

/** The code of an HttpException Nest or a library threw (not one of our ServiceErrors), by status. */
const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'invalid-request',
  404: 'route-not-found',
  413: 'body-too-large',
  415: 'body-charset',
  429: 'rate-limited',
};

/**
 * The HttpExceptions of Nest itself and of libraries (no route, the throttler's 429, a path
 * parameter Express cannot decode): Nest's answer, plus the error code every answer of ours
 * carries (contracts' errorCodes), so the dashboard can say it in its reader's language.
 *
 * No route: Nest's answer is `Cannot GET <url>`, the URL with its query, so a link's `?token=`
 * would come back in the answer (and in whatever logs answers): the same answer without the query.
 * (Found by the HTTP fuzzing: `PATCH /api/health?token=...`.)
 */
@Catch(HttpException)
export class HttpErrorFilter implements ExceptionFilter<HttpException> {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  catch(error: HttpException, host: ArgumentsHost): void {
    const adapter = this.adapterHost.httpAdapter;
    const response: unknown = host.switchToHttp().getResponse();
    const status = error.getStatus();
    const nest = error.getResponse();
    const body: Record<string, unknown> =
      typeof nest === 'object' && nest !== null
        ? { ...(nest as Record<string, unknown>) }
        : { statusCode: status, message: String(nest) };
    if (error instanceof NotFoundException && typeof body['message'] === 'string')
      body['message'] = body['message'].replace(/[?#].*$/s, '');
    const answer = {
      statusCode: status,
      code: CODE_BY_STATUS[status] ?? (status >= 500 ? 'server-error' : 'invalid-request'),
      ...(error instanceof ThrottlerException
        ? { params: { limit: this.config.RATE_LIMIT_HTTP } }
        : {}),
      ...body,
    };
    if (adapter.isHeadersSent(response)) adapter.end(response);
    else adapter.reply(response, answer, status);
  }
}
