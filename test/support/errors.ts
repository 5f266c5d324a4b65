/** The typed error a call must end in: a result, or any other error, fails the test. */
import { isHmaError, type HmaError } from '../../src/errors/errors.js';

export async function errorOf(p: Promise<unknown>): Promise<HmaError> {
  try {
    await p;
  } catch (err) {
    if (isHmaError(err)) return err;
    throw err;
  }
  throw new Error('expected a typed error, got a result');
}

export function errorOfSync(f: () => unknown): HmaError {
  try {
    f();
  } catch (err) {
    if (isHmaError(err)) return err;
    throw err;
  }
  throw new Error('expected a typed error, got a result');
}
