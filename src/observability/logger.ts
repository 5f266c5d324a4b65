/** The one logger. Credentials are redacted at the source, whatever path they hide under. */
import { pino, type Logger } from 'pino';
import { config } from '../config/config.js';

/** Secret-bearing keys, redacted at the top level and two levels down. */
const secretKeys = [
  'password', 'token', 'authorization', 'cookie', 'credentials', 'credential_json', 'apiKey', 'api_key', 'api_token',
  'secret', 'subscription_key', 'fetch_function_key', 'x-csrf-token', 'set-cookie', '_csrf',
];
const q = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `["${k}"]`);
export const redactPaths = secretKeys.flatMap((k) => [q(k).replace(/^\./, ''), `*${q(k)}`, `*.*${q(k)}`]);

let root: Logger | undefined;

export function logger(): Logger {
  const options = {
    level: process.env.LOG_LEVEL ?? config().LOG_LEVEL,
    base: { instance: config().HMA_INSTANCE_ID },
    redact: { paths: redactPaths, censor: '[redacted]' },
  };
  // LOG_FILE: every line also appended to a file (synchronously, so nothing is lost at exit).
  const file = process.env.LOG_FILE ?? config().LOG_FILE;
  root ??= file
    ? pino(
        options,
        // Streams take every level; the logger's own level filters.
        pino.multistream([
          { level: 'trace', stream: process.stdout },
          { level: 'trace', stream: pino.destination({ dest: file, append: true, sync: true, mkdir: true }) },
        ]),
      )
    : pino(options);
  return root;
}

/** A child logger for one component, e.g. log('hasher'). */
export function log(component: string): Logger {
  return logger().child({ component });
}
