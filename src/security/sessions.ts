/**
 * UI logins: the cookie holds a random session id, the database its SHA-256 with the
 * token it was opened with. A session lives UI_SESSION_HOURS at most and ends with
 * its token (revoked or expired), since every lookup joins the token.
 */
import { num, type Queryable } from '../curation/db.js';
import type { LiveToken } from './token-store.js';
import type { Scope } from './scopes.js';
import { digest, newSessionId } from './tokens.js';

export const SESSION_COOKIE = 'hma_session';

/** Opens a session for a live token; the answer is the cookie value. Expired sessions are swept on the way. */
export async function openSession(q: Queryable, tokenId: number, hours: number): Promise<string> {
  const id = newSessionId();
  await q.query('DELETE FROM ui_session WHERE expires_at < now()');
  await q.query(`INSERT INTO ui_session (id_hash, token_id, expires_at) VALUES ($1, $2, now() + $3 * interval '1 hour')`, [
    digest(id),
    tokenId,
    hours,
  ]);
  return id;
}

/** The token behind a live session, if any. */
export async function findSession(q: Queryable, id: string): Promise<LiveToken | undefined> {
  const { rows } = await q.query<{ id: string; name: string; scopes: Scope[] }>(
    `SELECT t.id, t.name, t.scopes FROM ui_session s JOIN api_token t ON t.id = s.token_id
     WHERE s.id_hash = $1 AND s.expires_at > now() AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())`,
    [digest(id)],
  );
  const r = rows[0];
  return r && { id: num(r.id), name: r.name, scopes: r.scopes };
}

export async function closeSession(q: Queryable, id: string): Promise<void> {
  await q.query('DELETE FROM ui_session WHERE id_hash = $1', [digest(id)]);
}
