import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ServiceError } from './service-errors';

/**
 * The one place a service's error about the request becomes its HTTP answer: the error's status
 * and `{ statusCode, message, errors? }` (ServiceError.body), sent the way Nest sends its own
 * HttpExceptions. Registered for the whole application (APP_FILTER in app.module.ts), so
 * controllers only throw; anything that is not a ServiceError goes on to Nest's own handling
 * (HttpExceptions as they are, anything else a logged 500). Socket events answer in their
 * acknowledgements instead (live.gateway.ts).
 */
@Catch(ServiceError)
export class ServiceErrorFilter implements ExceptionFilter<ServiceError> {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: ServiceError, host: ArgumentsHost): void {
    const adapter = this.adapterHost.httpAdapter;
    const response: unknown = host.switchToHttp().getResponse();
    if (adapter.isHeadersSent(response)) adapter.end(response);
    else adapter.reply(response, error.body, error.status);
  }
}
