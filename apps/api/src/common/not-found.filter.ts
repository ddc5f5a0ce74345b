import { type ArgumentsHost, Catch, type ExceptionFilter, NotFoundException } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

/**
 * Nest's answer for a path or method no route takes is `Cannot GET <url>`, the URL with its query:
 * a link's `?token=` would come back in the answer (and in whatever logs answers). The same answer
 * without the query. (Found by the HTTP fuzzing: `PATCH /api/health?token=...`.)
 */
@Catch(NotFoundException)
export class NotFoundFilter implements ExceptionFilter<NotFoundException> {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: NotFoundException, host: ArgumentsHost): void {
    const adapter = this.adapterHost.httpAdapter;
    const response: unknown = host.switchToHttp().getResponse();
    const message = error.message.replace(/[?#].*$/s, '');
    if (adapter.isHeadersSent(response)) adapter.end(response);
    else adapter.reply(response, { message, error: 'Not Found', statusCode: 404 }, 404);
  }
}
