import { BadRequestException, ForbiddenException, NotFoundException } from '@nestjs/common';
import type { InputError } from '@overcommit/contracts';
import type { z } from 'zod';
import { ClusterNotFound, NotAllowed } from './clusters/clusters.service';

/** 400 with every error and its path. */
export function badInput(message: string, errors: InputError[]): BadRequestException {
  return new BadRequestException({ statusCode: 400, message, errors });
}

/** A zod failure as input errors, each at its dotted path ('(body)' for the whole). */
export function zodErrors(error: z.ZodError): InputError[] {
  return error.issues.map((issue) => ({
    path: issue.path.length > 0 ? issue.path.map(String).join('.') : '(body)',
    message: issue.message,
  }));
}

/** The token from `Authorization: Bearer <token>` or `?token=`. */
export function tokenOf(
  authorization: string | undefined,
  query: string | undefined,
): string | undefined {
  return authorization?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? query;
}

/** A service's "no such thing" (404) or "not you" (403) as its HTTP answer; anything else as it is. */
export function translate(error: unknown): Error {
  if (error instanceof ClusterNotFound)
    return new NotFoundException({ statusCode: 404, message: error.message });
  if (error instanceof NotAllowed)
    return new ForbiddenException({ statusCode: 403, message: error.message });
  return error instanceof Error ? error : new Error(String(error));
}
