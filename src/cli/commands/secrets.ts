/** `hma secrets generate-key|rotate|status`: the keys sealing exchange credentials at rest (docs/SECURITY.md). */
import os from 'node:os';
import type { Command } from 'commander';
import { loadConfig } from '../../config/config.js';
import { createPool } from '../../postgres/pool.js';
import { runAs } from '../../security/actor.js';
import { credentialKeyUse, rotateCredentials } from '../../security/credentials.js';
import { loadKeyring } from '../../security/keyring.js';
import { generateKey } from '../../security/secrets.js';

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
    .action(async () => {
      const config = loadConfig(process.env);
      const ring = loadKeyring(config);
      const db = createPool(config, 'hma-secrets');
      try {
        const summary = await runAs(`cli:${os.userInfo().username}`, () => rotateCredentials(db, ring));
        console.log(`sealed with key ${ring.keys[0]!.id}: ${summary.resealed.length} re-sealed (${summary.resealed.join(', ') || 'none'}), ${summary.unchanged} already current`);
      } finally {
        await db.end();
      }
    });

  secrets
    .command('status')
    .description('the configured key ids, and how many stored credentials each key sealed')
    .action(async () => {
      const config = loadConfig(process.env);
      const ring = loadKeyring(config);
      const db = createPool(config, 'hma-secrets');
      try {
        console.log(`keys from ${ring.source}: ${ring.keys.map((k, i) => (i === 0 ? `${k.id} (seals)` : k.id)).join(', ')}`);
        const use = await credentialKeyUse(db);
        for (const [id, n] of Object.entries(use)) console.log(`${id}: ${n} credential${n === 1 ? '' : 's'}${id !== 'plaintext' && !ring.keys.some((k) => k.id === id) ? ' (key not configured!)' : ''}`);
      } finally {
        await db.end();
      }
    });
}
