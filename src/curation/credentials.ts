/**
 * Exchange credentials as stored: sealed with the process keyring (src/security/secrets.ts), opened
 * only where an exchange client is built (src/exchanges/session.ts via readCredentials).
 */
import { withWriteTx, type Db } from './db.js';
import { HmaError } from '../errors/errors.js';
import { processKeyring } from '../security/keyring.js';
import { isPlaintext, open, seal, sealedWith, type Keyring } from '../security/secrets.js';

/** Binds a sealed value to its row: credentials of one API do not open as another's. */
const aadOf = (api: string) => `exchange_api_credentials:${api}`;

export function sealCredentials(api: string, creds: Readonly<Record<string, unknown>>, ring: Keyring = processKeyring()): { sealed: Buffer; keyId: string } {
  return seal(ring, Buffer.from(JSON.stringify(creds), 'utf8'), aadOf(api));
}

export function openCredentials(api: string, stored: Buffer, ring: Keyring = processKeyring()): Record<string, unknown> {
  const text = open(ring, stored, aadOf(api)).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HmaError('not_ready', `stored credentials of '${api}' are not a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

export interface RotationSummary {
  /** Rows sealed again with the keyring's first key (plaintext rows included). */
  readonly resealed: readonly string[];
  readonly unchanged: number;
}

/** Seals every stored credential with the current key (after adding a key in front, or to seal old plaintext rows). */
export async function rotateCredentials(db: Db, ring: Keyring = processKeyring()): Promise<RotationSummary> {
  const current = ring.keys[0]?.id;
  return withWriteTx(db, async (tx) => {
    const { rows } = await tx.query<{ api: string; credentials: Buffer }>('SELECT api, credentials FROM exchange_api_credentials ORDER BY api FOR UPDATE');
    const resealed: string[] = [];
    for (const r of rows) {
      if (!isPlaintext(r.credentials) && sealedWith(r.credentials) === current) continue;
      const { sealed, keyId } = sealCredentials(r.api, openCredentials(r.api, r.credentials, ring), ring);
      await tx.query('UPDATE exchange_api_credentials SET credentials = $2, key_id = $3, updated_at = now() WHERE api = $1', [r.api, sealed, keyId]);
      resealed.push(r.api);
    }
    return { resealed, unchanged: rows.length - resealed.length };
  });
}

/** How many stored credentials each key sealed ('plaintext' for rows written before encryption). */
export async function credentialKeyUse(db: Db): Promise<Record<string, number>> {
  const { rows } = await db.query<{ key_id: string | null; n: string }>(
    'SELECT key_id, count(*) AS n FROM exchange_api_credentials GROUP BY key_id ORDER BY key_id',
  );
  return Object.fromEntries(rows.map((r) => [r.key_id ?? 'plaintext', Number(r.n)]));
}
