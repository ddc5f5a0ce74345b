import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ErrorCode } from '@overcommit/contracts';

interface BodyError {
  status: number;
  type: string;
  message: string;
}

/**
 * What the body parsers (body-parser, through http-errors) throw about a request's body: a 4xx
 * whose message may be shown (`expose`), with a `type` such as `entity.parse.failed`.
 */
class BodyParserError {
  static [Symbol.hasInstance](value: unknown): boolean {
    if (!(value instanceof Error)) return false;
    const { status, expose, type } = value as Error & Partial<Record<string, unknown>>;
    return (
      typeof status === 'number' &&
      status >= 400 &&
      status < 500 &&
      expose === true &&
      typeof type === 'string'
    );
  }
}

const WHAT: Record<string, { code: ErrorCode; what: string }> = {
  'entity.parse.failed': { code: 'body-not-json', what: 'the body is not valid JSON' },
  'entity.too.large': {
    code: 'body-too-large',
    what: 'the body is too large: at most 64 KiB of JSON, or 1 MiB of YAML',
  },
  'charset.unsupported': { code: 'body-charset', what: 'the body must be UTF-8' },
  'encoding.unsupported': { code: 'body-encoding', what: 'the body must not be compressed' },
  'request.size.invalid': {
    code: 'body-incomplete',
    what: 'the body is not as long as its Content-Length says',
  },
  'request.aborted': { code: 'body-incomplete', what: 'the body was not sent in full' },
};

/**
 * A body the parsers refuse (malformed JSON, too large, a charset or an encoding they do not
 * read): its 4xx with a clear message, as any bad input is answered. Without it, Nest answered the
 * same status but logged each one as an error with its stack trace (found by the HTTP fuzzing): a
 * client's mistake is a warning in the request's own log line, not an error of ours.
 */
@Catch(BodyParserError)
export class BodyErrorFilter implements ExceptionFilter<BodyError> {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: BodyError, host: ArgumentsHost): void {
    const adapter = this.adapterHost.httpAdapter;
    const response: unknown = host.switchToHttp().getResponse();
    const known = Object.hasOwn(WHAT, error.type) ? WHAT[error.type] : undefined;
    const message = known ? `${known.what} (${error.message})` : error.message;
    const code: ErrorCode = known?.code ?? 'invalid-body';
    if (adapter.isHeadersSent(response)) adapter.end(response);
    else adapter.reply(response, { statusCode: error.status, code, message }, error.status);
  }
}
