/** PDQ signal validation with python-threatexchange's rule and message. */
import { invalidInput } from '../../errors/errors.js';
import type { PdqHex } from './hash256.js';

const PDQ_HEX = /^[0-9a-f]{64}$/;

export function isPdqHex(value: string): value is PdqHex {
  return PDQ_HEX.test(value);
}

/**
 * Exactly 64 lower-case hex digits, no trimming or case folding, as the reference requires.
 * (The reference's Python `$` would also let one trailing newline through; we do not.)
 */
export function validatePdq(value: string): PdqHex {
  if (!isPdqHex(value)) throw invalidInput('invalid PDQ hash', { signal_type: 'pdq' });
  return value;
}
