/** SQL for API tokens. Writes go through withWriteTx, so the audit log names who made them. */
import { withWriteTx, num, type Db, type Queryable } from '../curation/db.js';
import { conflict, invalidInput, isHmaError } from '../errors/errors.js';
import type { Scope } from './scopes.js';
import { digest, newToken } from './tokens.js';

export interface TokenInfo {
  readonly id: number;
  readonly name: string;
  readonly scopes: readonly Scope[];
  readonly created_at: Date;
  readonly expires_at: Date | null;
  readonly revoked_at: Date | null;
  readonly last_used_at: Date | null;
}

/** What a request authenticated with a live token may do. */
export interface LiveToken {
  readonly id: number;
  readonly name: string;
  readonly scopes: readonly Scope[];
}

interface TokenRow extends Omit<TokenInfo, 'id'> {
  id: string;
}

const COLUMNS = 'id, name, scopes, created_at, expires_at, revoked_at, last_used_at';
const LIVE = 'revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())';
const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/;

const info = (r: TokenRow): TokenInfo => ({ ...r, id: num(r.id) });

/** Creates a token; the secret in the answer is shown once and never stored. */
export async function createToken(
  db: Db,
  opts: { readonly name: string; readonly scopes: readonly Scope[]; readonly expiresAt?: Date },
): Promise<{ token: string; info: TokenInfo }> {
  if (!NAME.test(opts.name)) throw invalidInput('token name: 1-100 letters, digits, ".", "_", "@" or "-", starting with a letter or digit');
  if (opts.scopes.length === 0) throw invalidInput('a token needs at least one scope');
  const token = newToken();
  const row = await withWriteTx(db, async (tx) => {
    const { rows } = await tx.query<TokenRow>(
      `INSERT INTO api_token (name, token_hash, scopes, expires_at) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
      [opts.name, digest(token), opts.scopes, opts.expiresAt ?? null],
    );
    return rows[0]!;
  }).catch((err: unknown) => {
    if (isHmaError(err) && err.code === 'conflict') throw conflict(`a live token named '${opts.name}' exists already`);
    throw err;
  });
  return { token, info: info(row) };
}

/** Live tokens, or every token with `all`; newest first. */
export async function listTokens(q: Queryable, opts: { readonly all?: boolean } = {}): Promise<TokenInfo[]> {
  const { rows } = await q.query<TokenRow>(`SELECT ${COLUMNS} FROM api_token ${opts.all ? '' : `WHERE ${LIVE}`} ORDER BY id DESC`);
  return rows.map(info);
}

/** Revokes a live token by id or name and ends its UI sessions; undefined when there is none. */
export async function revokeToken(db: Db, idOrName: string): Promise<TokenInfo | undefined> {
  const byId = /^\d+$/.test(idOrName);
  return withWriteTx(db, async (tx) => {
    const { rows } = await tx.query<TokenRow>(
      `UPDATE api_token SET revoked_at = now() WHERE ${byId ? 'id = $1::bigint' : 'name = $1'} AND revoked_at IS NULL RETURNING ${COLUMNS}`,
      [idOrName],
    );
    const row = rows[0];
    if (!row) return undefined;
    await tx.query('DELETE FROM ui_session WHERE token_id = $1', [row.id]);
    return info(row);
  });
}

/** The live token with this secret, if any. */
export async function findLiveToken(q: Queryable, secret: string): Promise<LiveToken | undefined> {
  const { rows } = await q.query<{ id: string; name: string; scopes: Scope[] }>(
    `SELECT id, name, scopes FROM api_token WHERE token_hash = $1 AND ${LIVE}`,
    [digest(secret)],
  );
  const r = rows[0];
  return r && { id: num(r.id), name: r.name, scopes: r.scopes };
}

/** Records use, at most once a minute per token (a write per request would be too many). */
export async function noteTokenUse(q: Queryable, id: number): Promise<void> {
  await q.query(
    `UPDATE api_token SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
    [id],
  );
}
