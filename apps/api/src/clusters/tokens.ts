import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A long random token (192 bits, URL-safe). */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Tokens are stored only as SHA-256 digests. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Constant-time comparison of a presented token with a stored digest. */
export function tokenMatches(token: string | undefined, hash: string): boolean {
  if (!token || !hash) return false;
  const a = Buffer.from(tokenHash(token), 'hex');
  const b = Buffer.from(hash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
