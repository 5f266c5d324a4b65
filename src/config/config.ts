/**
 * The one typed configuration module. Every setting comes from an environment
 * variable, is validated once at start-up, and a bad value fails fast with an
 * error naming the variable and the value it had.
 */
import os from 'node:os';
import { z } from 'zod';
import { SIGNAL_TYPE_NAMES } from '../signals/registry.js';

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'].includes(v), {
    message: 'expected a boolean (true/false, 1/0, yes/no, on/off)',
  })
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

const int = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, 'expected an integer')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const port = int(1, 65535);
const str = z.string().trim().min(1, 'must not be empty');
const url = z
  .string()
  .trim()
  .refine((v) => {
    try {
      new URL(v);
      return true;
    } catch {
      return false;
    }
  }, 'expected an absolute URL');
const list = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()).filter((s) => s.length > 0));
const oneOf = <T extends string>(...values: [T, ...T[]]) => z.string().trim().pipe(z.enum(values));

/** Variable name → [schema, default as it would be written in the environment]. */
const spec = {
  // General
  PRODUCTION: [bool, 'true'],
  LOG_LEVEL: [oneOf('trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'), 'info'],
  HMA_INSTANCE_ID: [str, `${os.hostname()}-${process.pid}`],

  // HTTP API (HMA's development default port is 5000)
  API_HOST: [str, '0.0.0.0'],
  API_PORT: [port, '5000'],
  /** Port of the /metrics and /status sidecar of processes that serve no API (hasher, matcher…). 0 = pick one. */
  METRICS_PORT: [int(0, 65535), '9464'],
  ROLE_HASHER: [bool, 'true'],
  ROLE_MATCHER: [bool, 'true'],
  ROLE_CURATOR: [bool, 'true'],
  UI_ENABLED: [bool, 'true'],
  MAX_REQUEST_BYTES: [int(1024, 2 ** 31), String(1024 * 1024)],
  /** A request whose headers and body have not all arrived after this long is answered 408 and closed (slow or trickling clients). */
  HTTP_REQUEST_TIMEOUT_MS: [int(1000, 3_600_000), '60000'],
  /** Same for the request headers alone. */
  HTTP_HEADERS_TIMEOUT_MS: [int(1000, 600_000), '10000'],
  /** Request body bytes (uploads) held at once; past it, new uploads are answered 503 with Retry-After. */
  UPLOAD_MEMORY_BUDGET_BYTES: [int(1024 * 1024, 2 ** 40), String(256 * 1024 * 1024)],

  // Security (docs/SECURITY.md)
  /** token: API routes need a bearer token (the UI a login); none: open, for a deployment behind its own gateway. Unset: token, or none in development mode. */
  AUTH: [z.union([z.literal(''), oneOf('token', 'none')]), ''],
  /** /metrics needs a token (any scope) too; off by default for Prometheus on a private network. */
  METRICS_AUTH: [bool, 'false'],
  /** Keys sealing exchange credentials at rest: base64 32-byte AES keys, comma-separated; the first seals, every one opens (rotation). */
  SECRETS_KEY: [z.string(), ''],
  /** A file holding the keys instead (a mounted secret). With neither, a key file is generated in SERVICES_DIR. */
  SECRETS_KEY_FILE: [z.string(), ''],
  /** Requests per token (per client address without one) per window; 0 = no limit. Unset: 6000 with AUTH=token, none with AUTH=none (behind a gateway every client has its address). */
  RATE_LIMIT_MAX: [z.union([z.literal(''), int(0, 1_000_000_000)]), ''],
  RATE_LIMIT_WINDOW_SECONDS: [int(1, 86_400), '60'],
  /** How long a UI login lasts. */
  UI_SESSION_HOURS: [int(1, 720), '12'],
  /** Secure attribute of the UI session cookie; unset = in production mode (set false to serve the UI over plain HTTP). */
  UI_COOKIE_SECURE: [z.union([z.literal(''), bool]), ''],
  /** Also append every log line to this file. */
  LOG_FILE: [z.string(), ''],
  /** LOG_FILE also gets the lines down to this level, when more detail is wanted there than on stdout (never less than LOG_LEVEL). */
  LOG_FILE_LEVEL: [z.union([z.literal(''), oneOf('trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent')]), ''],

  // Kafka
  KAFKA_BROKERS: [list.pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'expected host:port')).min(1)), 'localhost:9092'],
  KAFKA_CLIENT_ID: [str, 'hma-stream'],
  KAFKA_SSL: [bool, 'false'],
  KAFKA_SASL_MECHANISM: [oneOf('none', 'plain', 'scram-sha-256', 'scram-sha-512'), 'none'],
  KAFKA_SASL_USERNAME: [z.string(), ''],
  KAFKA_SASL_PASSWORD: [z.string(), ''],
  /** Prefix of every topic and consumer group name: lets several stacks (or test runs) share a broker. */
  TOPIC_PREFIX: [z.string().regex(/^[a-zA-Z0-9._-]*$/, 'only letters, digits, ".", "_" and "-"'), 'hma.'],
  TOPIC_PARTITIONS: [int(1, 1000), '6'],
  TOPIC_REPLICATION: [int(1, 10), '1'],
  SCHEMA_REGISTRY_URL: [url, 'http://localhost:8081/apis/ccompat/v7'],

  // Postgres
  DATABASE_URL: [url, 'postgres://postgres@127.0.0.1:5432/hma'],
  DATABASE_SSL: [bool, 'false'],
  DATABASE_POOL_SIZE: [int(1, 200), '10'],

  // Local backing services (hma services up|down|status)
  SERVICES_DIR: [str, '.run'],
  CACHE_DIR: [str, '.cache'],
  KAFKA_PORT: [port, '9092'],
  KAFKA_CONTROLLER_PORT: [port, '9093'],
  SCHEMA_REGISTRY_PORT: [port, '8081'],
  KAFKA_VERSION: [str, '3.9.1'],
  APICURIO_VERSION: [str, '3.0.9'],
  /** JVM heaps of the local broker and registry (the machine is small and shared). */
  SERVICES_KAFKA_HEAP: [z.string().trim().regex(/^\d+[mg]$/, 'expected a JVM size such as 512m or 1g'), '1g'],
  /** Where the local schema registry keeps schemas: Postgres (survives restarts, ids stay valid) or memory. */
  SCHEMA_REGISTRY_STORAGE: [oneOf('postgres', 'memory'), 'postgres'],
  SERVICES_REGISTRY_HEAP: [z.string().trim().regex(/^\d+[mg]$/, 'expected a JVM size such as 512m or 1g'), '512m'],

  // Hashing
  /** Installed signal types (HMA's defaults are pdq and video_md5; vpdq is an extension there, opt-in here). */
  SIGNAL_TYPES: [list.pipe(z.array(z.enum(SIGNAL_TYPE_NAMES)).min(1, 'at least one signal type')), 'pdq,video_md5'],
  HASH_WORKERS: [int(1, 256), String(Math.max(1, os.availableParallelism()))],
  PDQ_MODE: [oneOf('fullres', 'cli512nn'), 'fullres'],
  PDQ_MIN_QUALITY: [int(0, 100), '50'],
  MAX_MEDIA_BYTES: [int(1, 2 ** 40), String(200 * 1024 * 1024)],
  MAX_IMAGE_PIXELS: [int(1, 2 ** 31), String(100_000_000)],
  VIDEO_FRAMES_PER_SECOND: [z.string().trim().regex(/^\d+(\.\d+)?$/, 'expected a number').transform(Number).pipe(z.number().positive().max(60)), '1'],
  /** Time limit of one photo (or video frame) task in the hash pool; its process is killed past it. */
  HASH_TASK_TIMEOUT_MS: [int(100, 600_000), '30000'],
  /** Resident memory a hash process may reach while hashing; it is killed past it (the task fails, a new process takes its place). */
  HASH_WORKER_MAX_RSS_MB: [int(128, 1_048_576), '2048'],
  /** Time limit for hashing one whole video, ffmpeg decoding included. */
  VIDEO_HASH_TIMEOUT_MS: [int(1000, 86_400_000), '600000'],
  /** vPDQ: a frame within this many bits of the last kept frame is dropped (0 = exact repeats only). */
  VPDQ_DEDUP_DISTANCE: [int(0, 256), '0'],
  /** Opt-in Pillow quirk: clamp 16-bit grey samples to 255 instead of taking the high byte (what HMA does). */
  PDQ_GREY16_CLAMP: [bool, 'false'],
  /**
   * JPEG decoder of the photo path: `auto` = the system's libjpeg-turbo through our native decoder
   * when it is built (`npm run build:native`), else sharp; `sharp` = always sharp. Same pixels either way.
   */
  JPEG_DECODER: [oneOf('auto', 'sharp'), 'auto'],
  FFMPEG_PATH: [str, 'ffmpeg'],
  FFPROBE_PATH: [str, 'ffprobe'],
  MEDIA_FETCH_TIMEOUT_MS: [int(100, 600_000), '10000'],
  /** Hosts that URL fetching may reach even when they resolve to private or loopback addresses. */
  URL_ALLOWED_PRIVATE_HOSTS: [list, ''],
  /** Optional allowlist of hostnames (and their subdomains) for URL fetching; empty = any public host (HMA's ALLOWED_HOSTNAMES). */
  URL_ALLOWED_HOSTNAMES: [list, ''],
  /** Allow URL fetching from loopback addresses (on by default only in development mode). */
  URL_ALLOW_LOOPBACK: [z.union([z.literal(''), bool]), ''],
  MEDIA_MAX_REDIRECTS: [int(0, 20), '5'],

  // Curation
  /** Outbox rows the relay publishes per Kafka request. */
  OUTBOX_RELAY_BATCH: [int(1, 100_000), '2000'],
  /** How often the relay looks for new rows when no NOTIFY woke it. */
  OUTBOX_RELAY_POLL_MS: [int(10, 60_000), '1000'],
  /** Rows per COPY transaction in `hma bank import`. */
  IMPORT_BATCH_ROWS: [int(1, 1_000_000), '20000'],

  // Exchanges (hma fetcher)
  /** Pause between two fetches of an up-to-date exchange (HMA's TASK_FETCHER_INTERVAL_SECONDS). */
  FETCHER_INTERVAL_SECONDS: [int(1, 86_400), '240'],
  /** A fetch run stops after this long and the next one resumes at once (lets other exchanges and fetchers in). */
  FETCHER_RUN_TIME_LIMIT_SECONDS: [int(1, 86_400), '240'],
  /** Exchanges fetched at the same time by one fetcher process (each holds one database connection). */
  FETCHER_CONCURRENCY: [int(1, 64), '4'],
  /** Updates per database transaction at most. */
  FETCHER_COMMIT_MAX_UPDATES: [int(1, 1_000_000), '5000'],
  /** Fetched updates wait at most this long before being committed (and so reaching matchers). */
  FETCHER_COMMIT_MAX_DELAY_MS: [int(0, 600_000), '1000'],
  /** First back-off after a failed fetch; doubles per consecutive failure, with jitter. */
  FETCHER_BACKOFF_BASE_SECONDS: [int(1, 86_400), '5'],
  FETCHER_BACKOFF_MAX_SECONDS: [int(1, 86_400), '3600'],
  EXCHANGE_HTTP_TIMEOUT_MS: [int(100, 600_000), '60000'],
  /** In-line retries of a GET on 429/5xx/network errors before the fetch fails and backs off. */
  EXCHANGE_HTTP_RETRIES: [int(0, 10), '3'],
  /** Replacement endpoints per exchange API, `api=url,…` (test servers, proxies), e.g. `ncmec=http://127.0.0.1:9000`. */
  /** Directories `local_file` exchanges may read from (absolute; files resolved through symlinks must stay inside). Empty = none. */
  LOCAL_FILE_EXCHANGE_DIRS: [list.pipe(z.array(z.string().refine((d) => d.startsWith('/'), 'expected absolute directories'))), ''],
  EXCHANGE_BASE_URLS: [list.pipe(z.array(z.string().regex(/^[a-z0-9_]+=https?:\/\/\S+$/, 'expected api=http(s)://…'))), ''],

  // Matching
  PDQ_MATCH_THRESHOLD: [int(0, 256), '31'],
  PDQ_MAX_THRESHOLD: [int(0, 256), '52'],

  // Flood quarantine (hma flood; docs/ARCHITECTURE.md "Flood quarantine")
  /** The sliding window over which one bank content's matches are counted (whole minutes: counts are kept per minute). */
  FLOOD_WINDOW_SECONDS: [int(60, 7 * 86_400).refine((v) => v % 60 === 0, 'expected whole minutes (a multiple of 60)'), '600'],
  /** Absolute limit: an entry is quarantined only when its matches in the window exceed this… */
  FLOOD_MAX_MATCHES: [int(1, 1_000_000_000), '1000'],
  /** …and exceed this many times its own baseline (its average per window over FLOOD_BASELINE_HOURS before the window). */
  FLOOD_BASELINE_FACTOR: [z.string().trim().regex(/^\d+(\.\d+)?$/, 'expected a number').transform(Number).pipe(z.number().min(1).max(1_000_000)), '10'],
  FLOOD_BASELINE_HOURS: [int(1, 24 * 90), '24'],
  /** Per-minute match counts are kept this long (the UI's charts and the baseline read them); at least the baseline. */
  FLOOD_RETENTION_HOURS: [int(1, 24 * 365), '192'],

  // Streaming pipeline (hasher, matcher, actioner)
  /** Events of one partition processed at once by a hasher (the worker pool queues the rest). */
  HASHER_MAX_IN_FLIGHT: [int(1, 10_000), '8'],
  /** Events of one partition processed at once by a matcher. */
  MATCHER_MAX_IN_FLIGHT: [int(1, 100_000), '512'],
  /** Signal changes processed at once by the retro-matcher (changes of one entry stay in order). */
  RETRO_MAX_IN_FLIGHT: [int(1, 10_000), '64'],
  /** How far back the retro-matcher remembers hashed content (hours; at most the content.hashed retention). */
  RETRO_WINDOW_HOURS: [int(1, 24 * 365), '168'],
  /** Signal types the retro-matcher indexes recent content by (each must also be in SIGNAL_TYPES). */
  RETRO_SIGNAL_TYPES: [list.pipe(z.array(z.enum(SIGNAL_TYPE_NAMES))), 'pdq,video_md5'],
  /** A signal change is decided no sooner than this long after it was made (changed_at), so that the forward matchers' replicas have applied it: content hashed later is theirs. */
  RETRO_SETTLE_MS: [int(0, 600_000), '1000'],
  /** How long a signal change waits for the forward matcher's result of content it matches before leaving that content to it. */
  RETRO_FORWARD_WAIT_MS: [int(0, 600_000), '30000'],
  /** Events of one partition processed at once by an actioner. */
  ACTIONER_MAX_IN_FLIGHT: [int(1, 10_000), '16'],
  /** Broker-side timeout of a stage transaction: a crashed process's open transaction is aborted after this at the latest. */
  PIPELINE_TRANSACTION_TIMEOUT_MS: [int(1000, 900_000), '15000'],
  /** Consumer group session timeout: how long a dead process keeps its partitions before a rebalance (broker minimum 6000). */
  PIPELINE_SESSION_TIMEOUT_MS: [int(6000, 1_800_000), '30000'],
  /** Attempts for a transient failure (timeout, 5xx, reset) before the event is dead-lettered. */
  PIPELINE_RETRY_ATTEMPTS: [int(1, 100), '4'],
  /** First retry delay; doubles per attempt, capped at 30 s. */
  PIPELINE_RETRY_BACKOFF_MS: [int(0, 60_000), '250'],
  /** Once a partition's result is ready and others are still processing, wait up to this long for them before its transaction (0 = never wait). */
  PIPELINE_COMMIT_LINGER_MS: [int(0, 10_000), '50'],
  /** Under a backlog (a partition's window full), wait up to this long, or until a window's worth of results is ready, before its transaction (0 = as PIPELINE_COMMIT_LINGER_MS). */
  PIPELINE_BACKLOG_LINGER_MS: [int(0, 10_000), '500'],
  /** A stage stops admitting events of a fetched batch after this long and lets the consumer fetch again (keeps rebalances prompt). */
  PIPELINE_BATCH_BUDGET_MS: [int(100, 600_000), '10000'],
  /** POST /v1/content answers 503 (Retry-After) when Kafka has not acknowledged a submission within this long. */
  SUBMIT_TIMEOUT_MS: [int(100, 600_000), '2000'],
  /** /status answers 503 INDEX-STALE when the replica has not been seen current for this long (HMA's INDEX_CACHE_MAX_STALE_SEC); 0 = never. */
  INDEX_MAX_STALE_SECONDS: [int(0, 86_400), '65'],
  /** /status answers 503 OVERLOADED while the event loop lags more than this (ms, averaged over a few seconds); 0 = never. */
  OVERLOAD_EVENT_LOOP_LAG_MS: [int(0, 600_000), '1000'],
  /** /status/live answers 503 when the event loop or the libuv thread pool has not moved for this long. */
  LIVENESS_STALL_SECONDS: [int(1, 3600), '30'],
  /** Largest inline media a submission may carry (the event must fit Kafka's message size limit, 1 MB by default). */
  MAX_INLINE_MEDIA_BYTES: [int(1, 100 * 1024 * 1024), String(900 * 1024)],
  /** Webhook calls per action before it is dead-lettered; the delay doubles from PIPELINE_RETRY_BACKOFF_MS. */
  ACTIONER_WEBHOOK_ATTEMPTS: [int(1, 100), '5'],
  ACTIONER_WEBHOOK_TIMEOUT_MS: [int(100, 600_000), '10000'],
} as const;

type Spec = typeof spec;
export type Config = { readonly [K in keyof Spec]: z.output<Spec[K][0]> };
export type ConfigKey = keyof Spec;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses and validates a whole environment. Throws ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, [schema, fallback]] of Object.entries(spec)) {
    const raw = env[name] ?? fallback;
    const parsed = (schema as z.ZodType).safeParse(raw);
    if (parsed.success) out[name] = parsed.data;
    else {
      const why = parsed.error.issues.map((i) => i.message).join('; ');
      problems.push(`${name}=${JSON.stringify(raw)}: ${why}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(out) as Config;
}

/** Names of every variable the config module reads (docker-compose is checked against this list). */
export const configVariables: readonly ConfigKey[] = Object.keys(spec) as ConfigKey[];

/** Default value of a variable, as written in the environment. */
export function configDefault(name: ConfigKey): string {
  return spec[name][1];
}

let current: Config | undefined;
/** The process-wide config, loaded on first use. */
export function config(): Config {
  current ??= loadConfig();
  return current;
}
