/**
 * The exchange framework's vocabulary. An exchange type reads one upstream hash list
 * and turns it into ordered updates keyed by the upstream's own record key; storage,
 * scheduling and HTTP routes live elsewhere and only see these shapes.
 */
import type { FieldSpec } from '../curation/exchange-apis.js';
import type { HttpClient } from './http.js';

export type Json = null | boolean | number | string | readonly Json[] | { readonly [k: string]: Json };
export type JsonObject = { readonly [k: string]: Json };

/** Create or replace one upstream record: its signals ({signal_type: value}) and raw metadata. */
export interface UpsertRecord {
  readonly op: 'upsert';
  readonly key: string;
  readonly signals: Readonly<Record<string, string>>;
  readonly metadata: JsonObject;
}

/** The upstream deleted (or withdrew) the record. */
export interface DeleteRecord {
  readonly op: 'delete';
  readonly key: string;
}

export type RecordUpdate = UpsertRecord | DeleteRecord;

/**
 * Updates in upstream order plus the checkpoint that is safe to store once they (and all
 * earlier batches) are committed.
 */
export interface FetchBatch<C> {
  readonly updates: readonly RecordUpdate[];
  readonly checkpoint: C;
}

export type FeedbackKind = 'seen' | 'true_positive' | 'false_positive';

/** The installed signal types: normalizes a value, or throws with the reason. */
export interface SignalTypes {
  has(type: string): boolean;
  normalize(type: string, value: string): string;
}

export interface FetchContext {
  /** Aborts the fetch (shutdown, time limit, lease lost). */
  readonly signal: AbortSignal;
  /** Epoch milliseconds. */
  readonly now: () => number;
  readonly http: HttpClient;
  readonly signalTypes: SignalTypes;
  /** Base URL replacing the exchange's public endpoint (tests, proxies); undefined = the real one. */
  readonly baseUrl: string | undefined;
  /** Keys currently stored for this exchange, in pages (snapshot exchanges use it to find removals). */
  readonly storedKeys: () => AsyncIterable<readonly string[]>;
  /** Directories `local_file` may read under (LOCAL_FILE_EXCHANGE_DIRS); empty = none. */
  readonly localFileDirs: readonly string[];
}

/** One stored record, as feedback needs it. */
export interface StoredRecord {
  readonly key: string;
  readonly metadata: JsonObject;
  readonly signals: Readonly<Record<string, string>>;
}

export interface FeedbackRequest {
  readonly kind: FeedbackKind;
  readonly labels: readonly string[];
}

/**
 * One exchange type with its own config, credential and checkpoint types. Method
 * syntax on purpose: the registry stores them as ExchangeType<unknown, …>.
 */
export interface ExchangeType<Cfg, Cred, Cp> {
  readonly name: string;
  readonly configFields: readonly FieldSpec[];
  /** null: the type takes no credentials. */
  readonly credentialFields: readonly FieldSpec[] | null;
  /** The upstream always sends everything (HMA's NoCheckpointing): fetched once, never resumed. */
  readonly fetchOnce: boolean;
  /** Feedback the upstream API takes; empty = none. */
  readonly feedbackKinds: readonly FeedbackKind[];
  parseConfig(raw: Readonly<Record<string, unknown>>): Cfg;
  /** Throws ExchangeError 'auth' when missing or unusable. */
  parseCredentials(raw: Readonly<Record<string, unknown>> | undefined): Cred;
  /** Throws ExchangeError 'malformed' for a stored checkpoint of the wrong shape. */
  parseCheckpoint(json: unknown): Cp;
  checkpointJson(cp: Cp): JsonObject;
  /** Unix seconds of upstream progress, or null; must never decrease from batch to batch. */
  progress(cp: Cp): number | null;
  /** A stale checkpoint is dropped and the fetch restarts from scratch. */
  isStale(cp: Cp, nowS: number): boolean;
  fetch(config: Cfg, credentials: Cred, checkpoint: Cp | null, ctx: FetchContext): AsyncIterable<FetchBatch<Cp>>;
  sendFeedback(config: Cfg, credentials: Cred, record: StoredRecord, req: FeedbackRequest, ctx: FetchContext): Promise<void>;
}

export type AnyExchangeType = ExchangeType<unknown, unknown, unknown>;
