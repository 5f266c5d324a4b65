/**
 * Secrets at rest (exchange credentials): AES-256-GCM with a random 96-bit IV per
 * value, the key's id stored with the ciphertext so keys can rotate, and the row's
 * name as associated data, so a sealed value copied onto another row does not open.
 *
 * Sealed value: 0x01 | id length (1 byte) | id (ASCII) | IV (12) | tag (16) | ciphertext.
 * Values written before encryption are JSON (first byte "{") and open as they are until
 * `hma secrets rotate` seals them.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { HmaError } from '../errors/errors.js';

const VERSION = 0x01;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export interface SecretKey {
  /** First 12 hex digits of the key's SHA-256: names the key without revealing it. */
  readonly id: string;
  readonly key: Buffer;
}

/** The keys a process holds: the first seals, every one opens. */
export interface Keyring {
  readonly keys: readonly SecretKey[];
  /** Where the keys came from (for messages; never the keys). */
  readonly source: string;
}

const misconfigured = (message: string) => new HmaError('not_ready', message);

export const keyIdOf = (key: Buffer): string => createHash('sha256').update(key).digest('hex').slice(0, 12);

/** Keys written as base64 (or base64url), separated by commas or new lines. Messages never include a key. */
export function parseKeys(text: string, source: string): Keyring {
  const entries = text.split(/[,\s]+/).filter((e) => e.length > 0);
  if (entries.length === 0) throw misconfigured(`${source}: no key found`);
  const keys = entries.map((entry, i) => {
    // Node's base64 decoder takes the URL-safe alphabet too.
    const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(entry) ? Buffer.from(entry, 'base64') : Buffer.alloc(0);
    if (key.length !== KEY_BYTES) throw misconfigured(`${source}: key ${i + 1} is not ${KEY_BYTES} bytes of base64 (generate one with \`hma secrets generate-key\`)`);
    return { id: keyIdOf(key), key };
  });
  return { keys, source };
}

export const generateKey = (): string => randomBytes(KEY_BYTES).toString('base64');

export function seal(ring: Keyring, plaintext: Buffer, aad: string): { sealed: Buffer; keyId: string } {
  const k = ring.keys[0];
  if (!k) throw misconfigured(`${ring.source}: no key to seal with`);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', k.key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const id = Buffer.from(k.id, 'ascii');
  return { sealed: Buffer.concat([Buffer.from([VERSION, id.length]), id, iv, cipher.getAuthTag(), body]), keyId: k.id };
}

/** True for values written before encryption. */
export const isPlaintext = (stored: Buffer): boolean => stored[0] === 0x7b; // "{"

/** The key id a stored value was sealed with (undefined for plaintext). */
export function sealedWith(stored: Buffer): string | undefined {
  if (stored[0] !== VERSION || stored.length < 2) return undefined;
  return stored.subarray(2, 2 + stored[1]!).toString('ascii');
}

export function open(ring: Keyring, stored: Buffer, aad: string): Buffer {
  if (isPlaintext(stored)) return stored;
  const id = sealedWith(stored);
  const start = 2 + (stored[1] ?? 0);
  if (id === undefined || stored.length < start + IV_BYTES + TAG_BYTES) throw misconfigured(`sealed value for '${aad}' is not in a known format`);
  const k = ring.keys.find((key) => key.id === id);
  if (!k) throw misconfigured(`sealed value for '${aad}' needs key ${id}, which ${ring.source} does not hold`);
  const iv = stored.subarray(start, start + IV_BYTES);
  const tag = stored.subarray(start + IV_BYTES, start + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', k.key, iv);
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(stored.subarray(start + IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    throw misconfigured(`sealed value for '${aad}' failed authentication (tampered, or sealed for another row)`);
  }
}
