import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A long random token (192 bits, URL-safe). */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Tokens are stored only as SHA-256 digests. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Whether two secrets are the same, in constant time: both sides are hashed with SHA-256 first, so
 * timingSafeEqual always compares 32 bytes with 32 bytes and neither the secret's length nor where
 * the values first differ shows in the time taken. An empty secret never matches (an unset one).
 */
export function secretsEqual(given: string | undefined, wanted: string | undefined): boolean {
  if (!given || !wanted) return false;
  return timingSafeEqual(sha256(given), sha256(wanted));
}

/**
 * Constant-time comparison of a presented token with a stored digest: the token's SHA-256 against
 * the stored one, 32 bytes each (a stored digest that is not 64 hex characters never matches).
 */
export function tokenMatches(token: string | undefined, hash: string): boolean {
  if (!token || !hash) return false;
  const stored = Buffer.from(hash, 'hex');
  if (stored.length !== 32) return false;
  return timingSafeEqual(sha256(token), stored);
}
