import type { ErrorCode, ErrorParams, InputError } from '@overcommit/contracts';

/**
 * An error a service reports about its caller's request, with the HTTP status that says what was
 * wrong (and, for bad input, every error at its path). Controllers and services throw it;
 * ServiceErrorFilter answers with it as it is; anything else is a fault of ours (500).
 */
export class ServiceError extends Error {
  constructor(
    /** The stable code (contracts' errorCodes) the dashboard says in its reader's language. */
    readonly code: ErrorCode,
    message: string,
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 429,
    readonly errors?: InputError[],
    /** More fields of the answer, before its message (a refused command's outcome). */
    readonly fields?: Record<string, unknown>,
    /** What the code's message names (ids, names, figures). */
    readonly params?: ErrorParams,
  ) {
    super(message);
  }

  /** The JSON answer: `{ statusCode, ...fields, code, params?, message, errors? }`. */
  get body(): Record<string, unknown> {
    return {
      statusCode: this.status,
      ...this.fields,
      code: this.code,
      ...(this.params ? { params: this.params } : {}),
      message: this.message,
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

/** A request that is not valid, with every error at its path (400). */
export class BadInput extends ServiceError {
  constructor(code: ErrorCode, message: string, errors: InputError[], params?: ErrorParams) {
    super(code, message, 400, errors, undefined, params);
  }
}

/** A link that opens the thing but may not do this (403). */
export class NotAllowed extends ServiceError {
  constructor(
    code: ErrorCode,
    message: string,
    params?: ErrorParams,
    fields?: Record<string, unknown>,
  ) {
    super(code, message, 403, undefined, fields, params);
  }
}

/** No such thing, or one this link does not open (404). */
export class NotFound extends ServiceError {
  constructor(code: ErrorCode, message: string, params?: ErrorParams) {
    super(code, message, 404, undefined, undefined, params);
  }
}

/** A request that does not fit the state it finds (409). */
export class Conflict extends ServiceError {
  constructor(code: ErrorCode, message: string, params?: ErrorParams) {
    super(code, message, 409, undefined, undefined, params);
  }
}

/** The deployment, or one client address, has as much as it may (429). */
export class TooMany extends ServiceError {
  constructor(code: ErrorCode, message: string, params?: ErrorParams) {
    super(code, message, 429, undefined, undefined, params);
  }
}

/** No such cluster, or a private one this link does not open: the same answer for both. */
export function clusterNotFound(id: string): NotFound {
  return new NotFound('cluster-not-found', `no cluster ${id}`, { id: id.slice(0, 64) });
}
