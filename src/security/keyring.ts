/**
 * The process's keyring, from SECRETS_KEY, else SECRETS_KEY_FILE, else a key file
 * generated in SERVICES_DIR on first use (so a single-host or development setup
 * encrypts without any set-up; processes on other hosts need the same key, see
 * docs/SECURITY.md).
 */
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config.js';
import { HmaError } from '../errors/errors.js';
import { addLoggedSecret, log } from '../observability/logger.js';
import { generateKey, parseKeys, type Keyring } from './secrets.js';

export type KeyringConfig = Pick<Config, 'SECRETS_KEY' | 'SECRETS_KEY_FILE' | 'SERVICES_DIR'>;

export const generatedKeyFile = (cfg: KeyringConfig): string => path.resolve(cfg.SERVICES_DIR, 'secrets.key');

function readKeyFile(file: string, source: string): Keyring {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new HmaError('not_ready', `${source}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseKeys(text, source);
}

/** Creates the key file unless it exists; two processes racing both end up with the same key. */
function ensureKeyFile(file: string): boolean {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(tmp, `${generateKey()}\n`, { mode: 0o600 });
  } catch (err) {
    throw new HmaError('not_ready', `cannot create the secrets key file ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}): set SECRETS_KEY or SECRETS_KEY_FILE`);
  }
  try {
    linkSync(tmp, file); // atomic, and fails if another process got there first
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return false;
  } finally {
    unlinkSync(tmp);
  }
}

export function loadKeyring(cfg: KeyringConfig): Keyring & { readonly generated: boolean } {
  const ring = readKeyring(cfg);
  // Wherever a key file's lines might end up, the logger censors them.
  for (const { key } of ring.keys) {
    addLoggedSecret(key.toString('base64'));
    addLoggedSecret(key.toString('base64url'));
  }
  return ring;
}

function readKeyring(cfg: KeyringConfig): Keyring & { readonly generated: boolean } {
  if (cfg.SECRETS_KEY.trim() !== '') return { ...parseKeys(cfg.SECRETS_KEY, 'SECRETS_KEY'), generated: false };
  if (cfg.SECRETS_KEY_FILE.trim() !== '') return { ...readKeyFile(cfg.SECRETS_KEY_FILE, 'SECRETS_KEY_FILE'), generated: false };
  const file = generatedKeyFile(cfg);
  if (ensureKeyFile(file)) log('secrets').warn({ file }, 'generated a key for exchange credentials: keep it, or set SECRETS_KEY / SECRETS_KEY_FILE');
  return { ...readKeyFile(file, `key file ${file}`), generated: true };
}

let current: Keyring | undefined;
let processConfig: KeyringConfig | undefined;

/**
 * Gives the process its keyring config, once at start (through
 * src/runtime/configure.ts at every entry point); the keyring itself is loaded on first use, so a process that
 * never touches exchange credentials never generates a key file.
 */
export function configureKeyring(cfg: KeyringConfig): void {
  processConfig = cfg;
}

/** The process-wide keyring, loaded on first use from the config given to configureKeyring. */
export function processKeyring(): Keyring {
  if (!current) {
    if (!processConfig) throw new Error('keyring used before configureKeyring(config): call it where the process loads its config');
    current = loadKeyring(processConfig);
  }
  return current;
}

/** Loads the process keyring from this config now (a bad key fails at start, not at the first fetch). */
export function initProcessKeyring(cfg: KeyringConfig): Keyring & { readonly generated: boolean } {
  const ring = loadKeyring(cfg);
  current = ring;
  return ring;
}
