import type { InputError } from '@overcommit/contracts';

/**
 * An error a service reports about its caller's request, with the HTTP status that says what was
 * wrong (and, for bad input, every error at its path). Controllers answer with it as it is
 * (`answered` in http-input.ts); anything else is a fault of ours (500).
 */
export class ServiceError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 403 | 404 | 409 | 429,
    readonly errors?: InputError[],
  ) {
    super(message);
  }
}
