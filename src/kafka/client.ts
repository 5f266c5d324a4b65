/**
 * The one way to build a kafkajs client: brokers, TLS and SASL from config, kafkajs's
 * own logging routed into our pino logger.
 */
import { Kafka, logLevel, type Admin, type KafkaConfig, type LogEntry, type SASLOptions } from 'kafkajs';
import { ConfigError, type Config } from '../config/config.js';
import { log } from '../observability/logger.js';
import { isConnectivityText, reportConnectivityError } from './connectivity.js';

export type KafkaClientConfig = Pick<
  Config,
  | 'KAFKA_BROKERS'
  | 'KAFKA_CLIENT_ID'
  | 'KAFKA_SSL'
  | 'KAFKA_SASL_MECHANISM'
  | 'KAFKA_SASL_USERNAME'
  | 'KAFKA_SASL_PASSWORD'
  | 'LOG_LEVEL'
>;

/** SASL settings, or undefined; a mechanism without credentials is a configuration error. */
export function saslOptions(cfg: KafkaClientConfig): SASLOptions | undefined {
  const mechanism = cfg.KAFKA_SASL_MECHANISM;
  if (mechanism === 'none') return undefined;
  const problems: string[] = [];
  if (!cfg.KAFKA_SASL_USERNAME) problems.push(`KAFKA_SASL_USERNAME="": required when KAFKA_SASL_MECHANISM=${mechanism}`);
  if (!cfg.KAFKA_SASL_PASSWORD) problems.push(`KAFKA_SASL_PASSWORD is empty: required when KAFKA_SASL_MECHANISM=${mechanism}`);
  if (problems.length > 0) throw new ConfigError(problems);
  return { mechanism, username: cfg.KAFKA_SASL_USERNAME, password: cfg.KAFKA_SASL_PASSWORD };
}

/** kafkajs is chatty at INFO (every join and rebalance): it logs at WARN unless we debug. */
function kafkajsLevel(level: Config['LOG_LEVEL']): logLevel {
  if (level === 'trace' || level === 'debug') return logLevel.DEBUG;
  if (level === 'silent') return logLevel.NOTHING;
  if (level === 'error' || level === 'fatal') return logLevel.ERROR;
  return logLevel.WARN;
}

/**
 * Right after a transaction commits, the broker answers the next one with
 * CONCURRENT_TRANSACTIONS until its markers are written; kafkajs retries that within
 * milliseconds but logs each answer as an error. kafkajs logs only the message text.
 */
const routineRetry = (entry: LogEntry['log']) =>
  [entry.error, entry.message].some(
    (t) =>
      typeof t === 'string' &&
      // Likewise a broker that has just started answers "coordinator is loading" until it has read its logs.
      (t.includes('another concurrent operation on the same transaction') ||
        t.includes('coordinator is loading') ||
        // A rebalance in progress (kafkajs rejoins by itself), and answers to requests it had given up on.
        t.includes('group is rebalancing') ||
        t === 'Response without match'),
  );

/**
 * A broker outage makes every client log every retry (hundreds of lines a minute): these
 * lines go to debug, and the process's health probe, told of each, logs the outage once
 * when it starts and once when it ends (health.ts).
 */
const outageNoise = (namespace: string, entry: LogEntry['log']) =>
  [entry.error, entry.message, entry.stack].some((t) => typeof t === 'string' && isConnectivityText(t)) ||
  (namespace === 'Consumer' && typeof entry.message === 'string' && entry.message.startsWith('Restarting the consumer'));

const RESTART_MARK = '(restarting the consumer on purpose)';

/**
 * An error that makes kafkajs stop a consumer without retrying, so that its owner restarts it
 * from the committed offsets. The owner logs the cause; kafkajs's own lines about it (the
 * failed batch, the crash) go to debug.
 */
export function consumerRestart(reason: string): Error {
  return Object.assign(new Error(`${reason} ${RESTART_MARK}`), { retriable: false });
}

/** Whether `err` (or kafkajs's wrapper of it) is a {@link consumerRestart}. */
export const isConsumerRestart = (err: unknown): boolean => err instanceof Error && err.message.includes(RESTART_MARK);

const deliberateRestart = (entry: LogEntry['log']) =>
  [entry.message, entry.stack].some((t) => typeof t === 'string' && t.includes(RESTART_MARK));

function logCreator() {
  const logger = log('kafkajs');
  return ({ namespace, level, log: entry }: LogEntry) => {
    const { message, ...rest } = entry;
    const fields = { namespace, ...rest };
    if (level <= logLevel.WARN && namespace === 'Connection' && message.startsWith('Response ')) {
      // kafkajs logs every error response of the protocol, then hands the same error to its
      // caller (our code or its own retry), which says what it means: once is enough.
      if (outageNoise(namespace, entry)) reportConnectivityError();
      logger.debug(fields, message);
    } else if (level <= logLevel.WARN && outageNoise(namespace, entry)) {
      reportConnectivityError();
      logger.debug(fields, message);
    } else if (level <= logLevel.WARN && (routineRetry(entry) || deliberateRestart(entry))) logger.debug(fields, message);
    else if (level === logLevel.ERROR) logger.error(fields, message);
    else if (level === logLevel.WARN) logger.warn(fields, message);
    else if (level === logLevel.INFO) logger.info(fields, message);
    else logger.debug(fields, message);
  };
}

/** A client for this process; `role` (e.g. "hasher") is appended to the client id to tell clients apart in broker logs. */
export function createKafka(cfg: KafkaClientConfig, role?: string, overrides: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: role ? `${cfg.KAFKA_CLIENT_ID}-${role}` : cfg.KAFKA_CLIENT_ID,
    brokers: [...cfg.KAFKA_BROKERS],
    ssl: cfg.KAFKA_SSL,
    sasl: saslOptions(cfg),
    logLevel: kafkajsLevel(cfg.LOG_LEVEL),
    logCreator,
    // kafkajs restarts a crashed consumer after its last retry delay, up to 30 s by default:
    // capped, a consumer is back within seconds of a broker's return.
    retry: { maxRetryTime: 3000 },
    ...overrides,
  });
}

/** Runs `fn` with a connected admin client and always disconnects it. */
export async function withAdmin<T>(kafka: Kafka, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}
