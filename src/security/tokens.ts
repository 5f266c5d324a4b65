/**
 * Bearer tokens and session ids: 256 random bits, shown once; only their SHA-256 is
 * stored, so a database dump holds nothing that logs in. Lookups are by that hash
 * (an index probe on a value the caller cannot steer), not by comparing secrets.
 */
import { createHash, randomBytes } from 'node:crypto';

/** Lets secret scanners (and people) recognise a leaked token. */
export const TOKEN_PREFIX = 'hma_';

const TOKEN_SHAPE = /^hma_[A-Za-z0-9_-]{43}$/;

export const newToken = (): string => `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
export const newSessionId = (): string => randomBytes(32).toString('base64url');

/** Malformed tokens are refused without a database lookup. */
export const wellFormedToken = (s: string): boolean => TOKEN_SHAPE.test(s);

export const digest = (secret: string): Buffer => createHash('sha256').update(secret, 'utf8').digest();
