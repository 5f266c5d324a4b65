/** The exchange status table (dashboard and exchanges page): one row per exchange. */
import type { Db } from '../../curation/db.js';
import { fetchStatus, listExchanges, type FetchStatus } from '../../curation/exchange-store.js';
import { fetchHistory } from '../../exchanges/store/status.js';
import { ago, formatUtc } from './format.js';

export type FetchState = 'disabled' | 'never' | 'running' | 'up_to_date' | 'behind' | 'failed';

export interface ExchangeRow {
  readonly name: string;
  readonly api: string;
  readonly enabled: boolean;
  readonly fetched: number;
  readonly state: FetchState;
  readonly stateText: string;
  /** "Never", "3m 20s ago" (a running fetch counts from its start, as HMA does). */
  readonly lastFetch: string;
  readonly lastFetchUtc: string | null;
  /** The last run's error, shown rather than hidden (e.g. missing credentials). */
  readonly error: string | null;
  /** How far upstream data has been fetched, when the API reports it. */
  readonly dataUpTo: string | null;
}

const STATE_TEXT: Readonly<Record<FetchState, string>> = {
  disabled: 'Disabled',
  never: 'Never fetched',
  running: 'Fetching…',
  up_to_date: 'Up to date',
  behind: 'Behind: continues on the next run',
  failed: 'Error on fetch',
};

export function fetchState(enabled: boolean, s: FetchStatus): FetchState {
  if (!enabled) return 'disabled';
  if (s.running_fetch_start_ts !== null) return 'running';
  if (s.last_fetch_complete_ts === null) return 'never';
  if (s.last_fetch_succeeded === false) return 'failed';
  return s.up_to_date ? 'up_to_date' : 'behind';
}

export async function exchangeRows(db: Db, nowS: number): Promise<ExchangeRow[]> {
  const exchanges = await listExchanges(db);
  return Promise.all(
    exchanges.map(async (e) => {
      const [s, [last]] = await Promise.all([fetchStatus(db, e.id), fetchHistory(db, e.id, 1)]);
      const state = fetchState(e.enabled, s);
      const at = s.running_fetch_start_ts ?? s.last_fetch_complete_ts;
      return {
        name: e.name,
        api: e.api,
        enabled: e.enabled,
        fetched: s.fetched_items,
        state,
        stateText: STATE_TEXT[state],
        lastFetch: at === null ? 'Never' : ago(at, nowS),
        lastFetchUtc: at === null ? null : formatUtc(at * 1000),
        error: last && last.succeeded === false ? last.error : null,
        dataUpTo: s.checkpoint_ts === null ? null : formatUtc(s.checkpoint_ts * 1000),
      };
    }),
  );
}
