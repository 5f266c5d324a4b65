/**
 * An exchange ready for calls: its type, parsed config and stored credentials, and a
 * fetch context. Fetch runs and feedback both start here, so both fail the same clear
 * way on an unknown API, a bad config or missing credentials.
 */
import type pg from 'pg';
import { readCredentials, type Exchange } from '../curation/exchange-store.js';
import { configError } from './errors.js';
import type { HttpClient } from './http.js';
import { exchangeType } from './registry.js';
import { storedKeys } from './store/records.js';
import type { AnyExchangeType, FetchContext, SignalTypes } from './types.js';

export interface ExchangeDeps {
  readonly pool: pg.Pool;
  readonly http: HttpClient;
  readonly signalTypes: SignalTypes;
  /** Epoch milliseconds. */
  readonly now: () => number;
  /** Replacement endpoints by API name. */
  readonly baseUrls: ReadonlyMap<string, string>;
  /** LOCAL_FILE_EXCHANGE_DIRS. */
  readonly localFileDirs: readonly string[];
}

export interface ExchangeSession {
  readonly type: AnyExchangeType;
  readonly config: unknown;
  readonly credentials: unknown;
  readonly ctx: FetchContext;
}

export async function openExchange(deps: ExchangeDeps, exchange: Exchange, signal: AbortSignal): Promise<ExchangeSession> {
  const type = exchangeType(exchange.api);
  if (!type) throw configError(`no exchange API '${exchange.api}' is installed`);
  const config = type.parseConfig(exchange.typed_config);
  const credentials = type.parseCredentials(type.credentialFields ? await readCredentials(deps.pool, exchange.api) : undefined);
  return {
    type,
    config,
    credentials,
    ctx: {
      signal,
      now: deps.now,
      http: deps.http,
      signalTypes: deps.signalTypes,
      baseUrl: deps.baseUrls.get(exchange.api),
      storedKeys: () => storedKeys(deps.pool, exchange.id),
      localFileDirs: deps.localFileDirs,
    },
  };
}

/** `api=url` entries of EXCHANGE_BASE_URLS as a map. */
export const baseUrlMap = (entries: readonly string[]): Map<string, string> =>
  new Map(entries.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
