/** `hma token create|list|revoke`: API tokens (docs/SECURITY.md). The secret is printed once, alone on stdout. */
import os from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../../config/config.js';
import type { Db } from '../../curation/db.js';
import { createPool } from '../../postgres/pool.js';
import { runAs } from '../../curation/actor.js';
import { parseScopes, SCOPES, type Scope } from '../../security/scopes.js';
import { createToken, listTokens, revokeToken, type TokenInfo } from '../../security/token-store.js';

function scopesArg(value: string): Scope[] {
  try {
    return parseScopes(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function durationArg(value: string): number {
  const m = /^(\d+)([hd])$/.exec(value.trim());
  if (!m || Number(m[1]) === 0) throw new InvalidArgumentError('expected a duration such as 12h or 90d');
  return Number(m[1]) * (m[2] === 'h' ? 3600_000 : 86_400_000);
}

/** Runs against the database as the person at the terminal, for the audit log. */
async function withDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const db = createPool(loadConfig(process.env), 'hma-token');
  try {
    return await runAs(`cli:${os.userInfo().username}`, () => fn(db));
  } finally {
    await db.end();
  }
}

const when = (d: Date | null) => (d ? d.toISOString().replace(/\.\d+Z$/, 'Z') : '-');

function table(tokens: readonly TokenInfo[]): string {
  const rows = [['ID', 'NAME', 'SCOPES', 'CREATED', 'EXPIRES', 'LAST USED', 'REVOKED']].concat(
    tokens.map((t) => [String(t.id), t.name, t.scopes.join(','), when(t.created_at), when(t.expires_at), when(t.last_used_at), when(t.revoked_at)]),
  );
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

export function registerTokenCommands(program: Command): void {
  const token = program.command('token').description('API tokens: create, list, revoke');

  token
    .command('create')
    .description('create a token; it is printed once (alone on stdout) and only its hash is kept')
    .requiredOption('--name <name>', 'who or what uses it (unique among live tokens)')
    .requiredOption('--scopes <list>', `comma-separated: ${SCOPES.join(', ')} (admin includes every other)`, scopesArg)
    .option('--expires-in <duration>', 'lifetime, e.g. 12h or 90d (default: until revoked)', durationArg)
    .option('--json', 'print {id, name, scopes, expires_at, token} as JSON')
    .action(async (opts: { name: string; scopes: Scope[]; expiresIn?: number; json?: boolean }) => {
      const expiresAt = opts.expiresIn === undefined ? undefined : new Date(Date.now() + opts.expiresIn);
      const { token: secret, info } = await withDb((db) => createToken(db, { name: opts.name, scopes: opts.scopes, expiresAt }));
      if (opts.json) {
        console.log(JSON.stringify({ id: info.id, name: info.name, scopes: info.scopes, expires_at: info.expires_at, token: secret }));
        return;
      }
      console.error(`token ${info.id} '${info.name}', scopes ${info.scopes.join(',')}, expires ${when(info.expires_at)}; keep it now, it is not shown again:`);
      console.log(secret);
    });

  token
    .command('list')
    .description('live tokens (never their secrets)')
    .option('--all', 'also revoked and expired ones')
    .option('--json', 'print JSON')
    .action(async (opts: { all?: boolean; json?: boolean }) => {
      const tokens = await withDb((db) => listTokens(db, { all: opts.all }));
      console.log(opts.json ? JSON.stringify(tokens) : table(tokens));
    });

  token
    .command('revoke')
    .description('revoke a live token by id or name, ending its UI logins (other API processes notice within 5 s)')
    .argument('<token>', 'id or name')
    .action(async (idOrName: string) => {
      const revoked = await withDb((db) => revokeToken(db, idOrName));
      if (!revoked) throw new Error(`no live token '${idOrName}'`);
      console.log(`revoked token ${revoked.id} '${revoked.name}'`);
    });
}
