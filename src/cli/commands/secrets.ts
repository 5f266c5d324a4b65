/** `hma secrets generate-key|rotate|status`: the keys sealing exchange credentials at rest (docs/SECURITY.md). */
import os from 'node:os';
import type { Command } from 'commander';
import { loadConfig } from '../../config/config.js';
import type { Db } from '../../curation/db.js';
import { createPool } from '../../postgres/pool.js';
import { runAs } from '../../curation/actor.js';
import { credentialKeyUse, rotateCredentials } from '../../curation/credentials.js';
import { loadKeyring } from '../../security/keyring.js';
import { generateKey, type Keyring } from '../../security/secrets.js';

/** The configured keyring and a pool, as the person at the terminal (for the audit log). */
async function withKeys<T>(fn: (ring: Keyring, db: Db) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env);
  const ring = loadKeyring(config);
  const db = createPool(config, 'hma-secrets');
  try {
    return await runAs(`cli:${os.userInfo().username}`, () => fn(ring, db));
  } finally {
    await db.end();
  }
}

export function registerSecretsCommands(program: Command): void {
  const secrets = program.command('secrets').description('keys sealing exchange credentials at rest');

  secrets
    .command('generate-key')
    .description('print a new random key (base64, 32 bytes) for SECRETS_KEY or SECRETS_KEY_FILE')
    .action(() => {
      console.log(generateKey());
    });

  secrets
    .command('rotate')
    .description('seal every stored credential with the first configured key (after putting a new key first), and seal plaintext rows')
    .action(() =>
      withKeys(async (ring, db) => {
        const summary = await rotateCredentials(db, ring);
        console.log(`sealed with key ${ring.keys[0]!.id}: ${summary.resealed.length} re-sealed (${summary.resealed.join(', ') || 'none'}), ${summary.unchanged} already current`);
      }),
    );

  secrets
    .command('status')
    .description('the configured key ids, and how many stored credentials each key sealed')
    .action(() =>
      withKeys(async (ring, db) => {
        console.log(`keys from ${ring.source}: ${ring.keys.map((k, i) => (i === 0 ? `${k.id} (seals)` : k.id)).join(', ')}`);
        for (const [id, n] of Object.entries(await credentialKeyUse(db))) {
          const missing = id !== 'plaintext' && !ring.keys.some((k) => k.id === id);
          console.log(`${id}: ${n} credential${n === 1 ? '' : 's'}${missing ? ' (key not configured!)' : ''}`);
        }
      }),
    );
}
