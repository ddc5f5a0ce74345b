import { BadRequestException, HttpException } from '@nestjs/common';
import type { InputError } from '@overcommit/contracts';
import { ServiceError } from './service-errors';

/** 400 with every error and its path. */
export function badInput(message: string, errors: InputError[]): BadRequestException {
  return new BadRequestException({ statusCode: 400, message, errors });
}

/** The token from `Authorization: Bearer <token>` or `?token=`. */
export function tokenOf(
  authorization: string | undefined,
  query: string | undefined,
): string | undefined {
  return authorization?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? query;
}

/** A service's error about the request as its HTTP answer (status, message, errors); anything else as it is. */
export function translate(error: unknown): Error {
  if (error instanceof ServiceError)
    return new HttpException(
      {
        statusCode: error.status,
        message: error.message,
        ...(error.errors ? { errors: error.errors } : {}),
      },
      error.status,
    );
  return error instanceof Error ? error : new Error(String(error));
}

/** A service call's result, or its error as the HTTP answer that says what was wrong. */
export function answered<T>(work: Promise<T>): Promise<T> {
  return work.catch((error: unknown) => {
    throw translate(error);
  });
}
