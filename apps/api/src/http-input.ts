import { BadRequestException } from '@nestjs/common';
import type { InputError } from '@overcommit/contracts';
import type { z } from 'zod';

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
