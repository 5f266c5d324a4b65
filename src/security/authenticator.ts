/**
 * Turns a presented bearer token or session cookie into the live token behind it.
 * Answers (including "no such token") are cached for a few seconds: every API request
 * is authenticated, and a database round trip each would cost lookups their latency.
 * A revocation therefore takes effect within `cacheMs` in other processes (at once in
 * the process that revoked).
 */
import type { Queryable } from '../curation/db.js';
import { log } from '../observability/logger.js';
import { findSession } from './sessions.js';
import { findLiveToken, noteTokenUse, type LiveToken } from './token-store.js';
import { digest, wellFormedToken } from './tokens.js';

const MAX_ENTRIES = 10_000;

export class Authenticator {
  private readonly cache = new Map<string, { readonly value: LiveToken | undefined; readonly until: number }>();
  private readonly logger = log('auth');

  constructor(
    private readonly db: Queryable,
    private readonly cacheMs = 5_000,
  ) {}

  bearer(secret: string): Promise<LiveToken | undefined> {
    if (!wellFormedToken(secret)) return Promise.resolve(undefined);
    return this.cached(`b:${digest(secret).toString('hex')}`, async () => {
      const token = await findLiveToken(this.db, secret);
      if (token) noteTokenUse(this.db, token.id).catch((err: unknown) => this.logger.warn({ err }, 'could not record token use'));
      return token;
    });
  }

  session(id: string): Promise<LiveToken | undefined> {
    if (id.length === 0 || id.length > 100) return Promise.resolve(undefined);
    return this.cached(`s:${digest(id).toString('hex')}`, () => findSession(this.db, id));
  }

  /** Drops every cached answer (after a logout or revocation in this process). */
  forget(): void {
    this.cache.clear();
  }

  private async cached(key: string, load: () => Promise<LiveToken | undefined>): Promise<LiveToken | undefined> {
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > now) return hit.value;
    const value = await load();
    if (this.cacheMs > 0) {
      // Crude but bounded: a flood of distinct bad tokens cannot grow the map without limit.
      if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
      this.cache.set(key, { value, until: now + this.cacheMs });
    }
    return value;
  }
}
