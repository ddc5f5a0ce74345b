import type { Request } from 'express';

/** The token from `Authorization: Bearer <token>` or `?token=`. */
export function tokenOf(
  authorization: string | undefined,
  query: string | undefined,
): string | undefined {
  return authorization?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? query;
}

/** The client's address (X-Forwarded-For only from a trusted front door): what its limits count. */
export function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}
