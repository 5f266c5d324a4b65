/** The one logger. Credentials are redacted at the source, whatever path they hide under. */
import { pino, type Logger } from 'pino';
import { config } from '../config/config.js';

export const redactPaths = [
  'password', '*.password', 'token', '*.token', 'authorization', '*.authorization',
  'credentials', '*.credentials', 'req.headers.authorization', 'req.headers.cookie',
  'apiKey', '*.apiKey', 'api_key', '*.api_key', 'secret', '*.secret',
];

let root: Logger | undefined;

export function logger(): Logger {
  root ??= pino({
    level: process.env.LOG_LEVEL ?? config().LOG_LEVEL,
    base: { instance: config().HMA_INSTANCE_ID },
    redact: { paths: redactPaths, censor: '[redacted]' },
  });
  return root;
}

/** A child logger for one component, e.g. log('hasher'). */
export function log(component: string): Logger {
  return logger().child({ component });
}
