import type { InputError } from '@overcommit/contracts';

/**
 * An error a service reports about its caller's request, with the HTTP status that says what was
 * wrong (and, for bad input, every error at its path). Controllers and services throw it;
 * ServiceErrorFilter answers with it as it is; anything else is a fault of ours (500).
 */
export class ServiceError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 403 | 404 | 409 | 429,
    readonly errors?: InputError[],
    /** More fields of the answer, before its message (a refused command's outcome). */
    readonly fields?: Record<string, unknown>,
  ) {
    super(message);
  }

  /** The JSON answer: `{ statusCode, ...fields, message, errors? }`. */
  get body(): Record<string, unknown> {
    return {
      statusCode: this.status,
      ...this.fields,
      message: this.message,
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

/** A request that is not valid, with every error at its path (400). */
export class BadInput extends ServiceError {
  constructor(message: string, errors: InputError[]) {
    super(message, 400, errors);
  }
}

/** A link that opens the thing but may not do this (403). */
export class NotAllowed extends ServiceError {
  constructor(message: string, fields?: Record<string, unknown>) {
    super(message, 403, undefined, fields);
  }
}

/** No such thing, or one this link does not open (404). */
export class NotFound extends ServiceError {
  constructor(message: string) {
    super(message, 404);
  }
}

/** A request that does not fit the state it finds (409). */
export class Conflict extends ServiceError {
  constructor(message: string) {
    super(message, 409);
  }
}

/** The deployment, or one client address, has as much as it may (429). */
export class TooMany extends ServiceError {
  constructor(message: string) {
    super(message, 429);
  }
}
