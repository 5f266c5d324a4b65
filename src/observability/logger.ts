/**
 * The one logger. Credentials are redacted at the source, whatever path they hide
 * under; as a second line of defence every written line is scrubbed of the config's
 * secret values (and secrets registered at run time, such as the sealing keys) and of
 * known secret shapes (bearer tokens, our API tokens, `…PASSWORD=…` lines, URL
 * credentials), wherever they hide in a message.
 *
 * Its settings come from the process's config, passed once at start (`configureLogger`,
 * through src/runtime/configure.ts at every entry point); `log()` may be
 * called earlier (e.g. at module load) and binds to that configuration on first use.
 */
import { pino, type Logger, type LoggerOptions } from 'pino';
import type { Config } from '../config/config.js';

/** What the logger reads of the config: levels, the log file, and the secrets it must never write. */
export type LoggerConfig = Pick<
  Config,
  'LOG_LEVEL' | 'LOG_FILE' | 'LOG_FILE_LEVEL' | 'HMA_INSTANCE_ID' | 'SECRETS_KEY' | 'KAFKA_SASL_PASSWORD' | 'DATABASE_URL'
>;

/** Secret-bearing keys, redacted at the top level and two levels down. */
const secretKeys = [
  'password', 'token', 'authorization', 'cookie', 'credentials', 'credential_json', 'apiKey', 'api_key', 'api_token',
  'secret', 'subscription_key', 'fetch_function_key', 'x-csrf-token', 'set-cookie', '_csrf',
];
const q = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `["${k}"]`);
export const redactPaths = secretKeys.flatMap((k) => [q(k).replace(/^\./, ''), `*${q(k)}`, `*.*${q(k)}`]);

const CENSOR = '[redacted]';

/** Secret shapes, whatever the field: each match keeps its first group and loses the rest. */
const secretPatterns: readonly RegExp[] = [
  // Authorization header values.
  /\b((?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=|-]{8,}/gi,
  // Our API tokens (src/security/tokens.ts).
  /\b()hma_[A-Za-z0-9_-]{20,}/g,
  // Environment-style assignments of secret variables (e.g. a line of /proc/self/environ).
  // (Not \b: in a JSON line a NUL separator is written as \u0000, a word character before the name.)
  /(?<![A-Za-z_])([A-Z0-9_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|PRIVATE_KEY|SECRETS_KEY|CREDENTIALS?)[A-Z0-9_]*=)[^\s"\\,]+/g,
  // Credentials in URLs.
  /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@"]*:)[^\s/@"]+(?=@)/gi,
];

const secretValues = new Set<string>();

/** Values never written, as themselves or JSON-escaped. Short values are ignored (they would censor ordinary words). */
export function addLoggedSecret(value: string): void {
  const v = value.trim();
  if (v.length < 6) return;
  secretValues.add(v);
  const escaped = JSON.stringify(v).slice(1, -1);
  if (escaped !== v) secretValues.add(escaped);
}

function configSecrets(cfg: LoggerConfig): void {
  for (const key of cfg.SECRETS_KEY.split(/[,\s]+/)) addLoggedSecret(key);
  addLoggedSecret(cfg.KAFKA_SASL_PASSWORD);
  try {
    addLoggedSecret(decodeURIComponent(new URL(cfg.DATABASE_URL).password));
  } catch {
    // not a URL with a password
  }
}

/** One log line (or any text) without the secrets above. */
export function scrubSecrets(line: string): string {
  let out = line;
  for (const value of secretValues) if (out.includes(value)) out = out.split(value).join(CENSOR);
  for (const pattern of secretPatterns) out = out.replace(pattern, (_m, keep: string) => `${keep}${CENSOR}`);
  return out;
}

let root: Logger | undefined;

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
const lower = (a: string, b: string) => (LEVELS.indexOf(a as never) <= LEVELS.indexOf(b as never) ? a : b);

/** Builds the process's logger from its config; done once at process start (a later call is ignored). */
export function configureLogger(cfg: LoggerConfig): Logger {
  if (root) return root;
  configSecrets(cfg);
  const level = cfg.LOG_LEVEL;
  // LOG_FILE: every line also appended to a file (synchronously, so nothing is lost at exit), down to LOG_FILE_LEVEL if set.
  const file = cfg.LOG_FILE;
  // The file never gets less than stdout: LOG_FILE_LEVEL only adds detail.
  const fileLevel = lower(level, cfg.LOG_FILE_LEVEL || level);
  const options: LoggerOptions = {
    level: file ? lower(level, fileLevel) : level,
    base: { instance: cfg.HMA_INSTANCE_ID },
    redact: { paths: redactPaths, censor: CENSOR },
    hooks: { streamWrite: scrubSecrets },
  };
  root = file
    ? pino(
        options,
        pino.multistream([
          ...(level === 'silent' ? [] : [{ level: level as pino.Level, stream: process.stdout }]),
          ...(fileLevel === 'silent' ? [] : [{ level: fileLevel as pino.Level, stream: pino.destination({ dest: file, append: true, sync: true, mkdir: true }) }]),
        ]),
      )
    : pino(options);
  return root;
}

/** The process's logger; configureLogger must have run (a process that logs without its config is a bug). */
export function logger(): Logger {
  if (!root) throw new Error('logger used before configureLogger(config): call it where the process loads its config');
  return root;
}

/**
 * A child logger for one component, e.g. log('hasher'). Modules take theirs at load time,
 * possibly before the process has configured the logger: such a child is made on first use.
 */
export function log(component: string): Logger {
  if (root) return root.child({ component });
  let child: Logger | undefined;
  const target = (): Logger => (child ??= logger().child({ component }));
  return new Proxy({} as Logger, {
    get: (_t, key) => {
      const value: unknown = Reflect.get(target(), key);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target()) : value;
    },
    set: (_t, key, value) => Reflect.set(target(), key, value),
    has: (_t, key) => Reflect.has(target(), key),
  });
}
