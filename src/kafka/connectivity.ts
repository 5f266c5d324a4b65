/**
 * Telling "the broker cannot be reached" from "this request was wrong", for kafkajs's
 * log lines and for our own log sites: during an outage the health probe (health.ts)
 * logs the state change once, and these errors are demoted instead of repeated.
 */
import { backoffDelayMs, type Backoff } from '../retry/backoff.js';

/** Connection-level failures as kafkajs words them in errors and log lines. */
const connectivityText = new RegExp(
  [
    'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE',
    'Connection error', 'Connection timeout', 'Closed connection', 'connection closed', 'Failed to connect', 'Request .* timed out',
    'No broker available',
    // What a broker that has just come back answers until it has taken its partitions and groups over again.
    'coordinator is not available', 'not the correct coordinator', 'Failed to find group coordinator', 'NOT_COORDINATOR',
    'LEADER_NOT_AVAILABLE', 'no leader',
  ].join('|'),
  'i',
);

const connectivityNames = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSGroupCoordinatorNotFound',
]);

export function isConnectivityText(text: string): boolean {
  return connectivityText.test(text);
}

/** True for a connection-level error, also when kafkajs wrapped it (retries exhausted, non-retriable). */
export function isKafkaConnectivityError(err: unknown): boolean {
  const seen = new Set<unknown>();
  let e: unknown = err;
  while (e && typeof e === 'object' && !seen.has(e)) {
    seen.add(e);
    const { name, message } = e as { name?: unknown; message?: unknown };
    if (typeof name === 'string' && connectivityNames.has(name)) return true;
    if (typeof message === 'string' && connectivityText.test(message)) return true;
    const next = e as { cause?: unknown; originalError?: unknown };
    e = next.cause ?? next.originalError;
  }
  return false;
}

let onConnectivityError: (() => void) | undefined;

/** Who hears of connection errors kafkajs logs (the process's Kafka health probe). */
export function listenForConnectivityErrors(listener: (() => void) | undefined): void {
  onConnectivityError = listener;
}

export function reportConnectivityError(): void {
  onConnectivityError?.();
}

const registryUnreachableText = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|socket hang up|fetch failed|timed? ?out|status 5\d\d/i;

/**
 * True when the schema registry could not be reached (or failed on its side), as opposed
 * to answering that a subject or schema does not exist: its client reports a refused
 * connection as a "status 400" ResponseError whose message names the socket error.
 */
export function isRegistryUnreachable(err: unknown): boolean {
  const { message, status } = (err ?? {}) as { message?: unknown; status?: unknown };
  if (typeof status === 'number' && status >= 500) return true;
  return typeof message === 'string' && registryUnreachableText.test(message);
}

/**
 * Runs `attempt` until it succeeds, backing off from 0.5 s to 5 s between tries, for
 * parts that connect to Kafka or the registry and must not give up while they are down.
 * Resolves undefined if `stopped()` turns true first (checked at least every 100 ms).
 */
const reconnectBackoff: Backoff = { baseMs: 500, capMs: 5000, jitter: 'none' };

export async function keepTrying<T>(
  attempt: () => Promise<T>,
  opts: { readonly stopped: () => boolean; readonly onError: (err: unknown) => void },
): Promise<T | undefined> {
  for (let retry = 1; !opts.stopped(); retry++) {
    try {
      return await attempt();
    } catch (err) {
      if (opts.stopped()) return undefined;
      opts.onError(err);
      for (const until = Date.now() + backoffDelayMs(reconnectBackoff, retry); Date.now() < until && !opts.stopped(); ) {
        await new Promise((r) => setTimeout(r, Math.min(100, until - Date.now())));
      }
    }
  }
  return undefined;
}

/** The error of a connecting part is worth a log line unless it is the outage the health probe already reports. */
export function isOutageError(err: unknown): boolean {
  return isKafkaConnectivityError(err) || isRegistryUnreachable(err) || (err as { code?: unknown })?.code === 'unavailable';
}

/** `p`, or a rejection with `late()` once `ms` have passed first (p itself runs on; its late outcome is ignored). */
export function withDeadline<T>(p: Promise<T>, ms: number, late: () => Error = () => new Error(`no answer within ${ms} ms`)): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(late()), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
