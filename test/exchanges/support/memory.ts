/**
 * Runs an exchange type through the real fetch driver with an in-memory store (the
 * database is exercised by the store and fetcher tests), keeping what a database
 * would: the records by key, the committed checkpoints, and their progress.
 */
import os from 'node:os';
import { drive, type DriveOptions, type DriveResult } from '../../../src/exchanges/fetcher/drive.js';
import { createHttpClient, type HttpOptions } from '../../../src/exchanges/http.js';
import { exchangeSignalTypes } from '../../../src/exchanges/signal-types.js';
import type { AnyExchangeType, FetchContext, JsonObject, UpsertRecord } from '../../../src/exchanges/types.js';
import { SIGNAL_TYPE_NAMES, signalTypeRegistry } from '../../../src/signals/registry.js';

export interface MemoryStore {
  readonly records: Map<string, UpsertRecord>;
  checkpoint: JsonObject | null;
  readonly commits: { updates: number; checkpoint: JsonObject; progress: number | null }[];
}

export const memoryStore = (): MemoryStore => ({ records: new Map(), checkpoint: null, commits: [] });

export const fastHttp: Partial<HttpOptions> = { timeoutMs: 5000, retries: 2, backoffMs: 10, maxInlineWaitMs: 3000 };

export interface RunOptions {
  readonly baseUrl?: string;
  readonly now?: () => number;
  readonly http?: Partial<HttpOptions>;
  readonly drive?: Partial<DriveOptions>;
  readonly signal?: AbortSignal;
  /** Directories local_file may read (default: the system temporary directory). */
  readonly localFileDirs?: readonly string[];
}

export function context(store: MemoryStore, opts: RunOptions = {}): FetchContext {
  return {
    signal: opts.signal ?? new AbortController().signal,
    now: opts.now ?? Date.now,
    http: createHttpClient({ ...fastHttp, ...opts.http }),
    signalTypes: exchangeSignalTypes(signalTypeRegistry(SIGNAL_TYPE_NAMES)),
    baseUrl: opts.baseUrl,
    localFileDirs: opts.localFileDirs ?? [os.tmpdir()],
    storedKeys: async function* () {
      yield [...store.records.keys()];
    },
  };
}

/** One fetch run; rejects with the fetch's error after keeping what was committed. */
export async function runOnce(
  type: AnyExchangeType,
  store: MemoryStore,
  config: Record<string, unknown>,
  credentials: Record<string, unknown> | undefined,
  opts: RunOptions = {},
): Promise<DriveResult> {
  return drive(
    {
      type,
      name: type.name,
      config: type.parseConfig(config),
      credentials: type.parseCredentials(credentials),
      stored: store.checkpoint,
      ctx: context(store, opts),
      commit: async (updates, checkpoint, progress) => {
        for (const u of updates) {
          if (u.op === 'delete') store.records.delete(u.key);
          else store.records.set(u.key, u);
        }
        store.checkpoint = checkpoint;
        store.commits.push({ updates: updates.length, checkpoint, progress });
      },
    },
    { maxCommitUpdates: 10_000, maxCommitDelayMs: 60_000, timeLimitMs: 60_000, ...opts.drive },
  );
}

/** Signals by record key, for compact assertions. */
export const signalsByKey = (store: MemoryStore): Record<string, Readonly<Record<string, string>>> =>
  Object.fromEntries([...store.records].map(([k, r]) => [k, r.signals]).sort(([a], [b]) => String(a).localeCompare(String(b))));
