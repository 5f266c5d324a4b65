/**
 * `ncmec`: NCMEC hash sharing (XML API v2). NCMEC returns entries out of time order,
 * so progress can only advance when a whole time window is exhausted; inside a window
 * the checkpoint holds the paging URL (valid 12 h), resumed with the exact window that
 * produced it. Windows shrink fast when the first page shows a dense range and grow
 * slowly after several sparse ones.
 */
import { z } from 'zod';
import { ExchangeError, unsupported } from '../errors.js';
import { field, parseAs, requireCredentials } from '../fields.js';
import { toUpdate, type Candidate } from '../signals.js';
import type { ExchangeType, FetchBatch, FetchContext, RecordUpdate, SignalTypes } from '../types.js';
import { NcmecClient } from './client.js';
import { FEEDBACK_FINGERPRINT_TYPE, NCMEC_ENVIRONMENTS, NCMEC_ENVIRONMENT_URLS } from './environments.js';
import type { EntriesPage, NcmecEntry } from './wire.js';

/** Entries per page NCMEC serves. */
const PAGE_SIZE = 1000;
const SHRINK = 4;
const MAX_WINDOW_ENTRIES = 400_000;
const PAGING_URL_TTL_S = 12 * 3600;
/** Entries land late at "now": stay a little behind it. */
const END_LAG_S = 5;

const configSchema = z.object({
  environment: z
    .string()
    .transform((e) => NCMEC_ENVIRONMENTS[e] ?? e)
    .refine((e) => NCMEC_ENVIRONMENT_URLS.includes(e), 'unknown NCMEC environment'),
  only_esp_ids: z.array(z.number().int()).nullable().default([]).transform((ids) => ids ?? []),
});
type Config = z.infer<typeof configSchema>;

const pagingSchema = z.object({
  paging_url: z.string(),
  paging_end_ts: z.number().int(),
  paging_url_ts: z.number().int(),
});
const checkpointSchema = z.object({
  get_entries_max_ts: z.number().int().min(0),
  paging_info: pagingSchema.nullable().default(null),
});
type Checkpoint = z.infer<typeof checkpointSchema>;
type Paging = z.infer<typeof pagingSchema>;

const credentialFields = [field('user', 'string', true, 'NCMEC user name'), field('password', 'string', true, 'NCMEC password')];

interface Credentials {
  readonly user: string;
  readonly password: string;
}

function entryUpdate(e: NcmecEntry, config: Config, types: SignalTypes): RecordUpdate {
  const key = `${e.memberId}-${e.id}`;
  if (e.deleted) return { op: 'delete', key };
  if (config.only_esp_ids.length > 0 && !config.only_esp_ids.includes(e.memberId)) return { op: 'delete', key };
  const fp = e.fingerprints;
  const candidates: Candidate[] =
    e.type === 'video'
      ? fp.md5 ? [['video_md5', fp.md5]] : []
      : [...(fp.pdq ? [['pdq', fp.pdq] as const] : []), ...(fp.pdna ? [['photodna', fp.pdna] as const] : [])];
  const metadata = {
    esp_id: e.memberId,
    esp_name: e.memberName,
    entry_id: e.id,
    entry_type: e.type,
    timestamp: e.timestamp,
    classification: e.classification,
    fingerprints: { ...fp },
    feedback: e.feedback,
  };
  return toUpdate(key, candidates, metadata, types);
}

const clientFor = (config: Config, creds: Credentials, ctx: FetchContext) =>
  new NcmecClient(ctx.http, (ctx.baseUrl ?? config.environment).replace(/\/+$/, ''), creds.user, creds.password, ctx.signal);

export const ncmecExchange: ExchangeType<Config, Credentials, Checkpoint> = {
  name: 'ncmec',
  configFields: [
    field('environment', 'enum', true, 'which NCMEC hash sharing database to fetch from', { choices: NCMEC_ENVIRONMENT_URLS }),
    field('only_esp_ids', 'set_of_number', false, 'only take entries from these electronic service provider (ESP) ids; empty = all', { default: [] }),
  ],
  credentialFields,
  fetchOnce: false,
  feedbackKinds: ['true_positive', 'false_positive'],
  parseConfig: (raw) => parseAs(configSchema, raw, 'ncmec config'),
  parseCredentials: (raw) => {
    const c = requireCredentials('ncmec', credentialFields, raw);
    return { user: c.user!, password: c.password! };
  },
  parseCheckpoint: (json) => parseAs(checkpointSchema, json, 'ncmec checkpoint'),
  checkpointJson: (cp) => ({ get_entries_max_ts: cp.get_entries_max_ts, paging_info: cp.paging_info ? { ...cp.paging_info } : null }),
  progress: (cp) => cp.get_entries_max_ts,
  // NCMEC ids stay around forever.
  isStale: () => false,

  async *fetch(config, creds, checkpoint, ctx) {
    const client = clientFor(config, creds, ctx);
    const nowS = () => Math.floor(ctx.now() / 1000);
    const end = nowS() - END_LAG_S;
    let current = checkpoint?.get_entries_max_ts ?? 0;
    const saved = checkpoint?.paging_info ?? null;
    let resume: Paging | null = saved && nowS() - saved.paging_url_ts <= PAGING_URL_TTL_S ? saved : null;
    let duration = Math.max(1, end - current);
    let sparseWindows = 0;
    const batch = (page: EntriesPage, windowEnd: number): FetchBatch<Checkpoint> => ({
      updates: page.entries.map((e) => entryUpdate(e, config, ctx.signalTypes)),
      checkpoint: page.next
        ? { get_entries_max_ts: current, paging_info: { paging_url: page.next, paging_end_ts: windowEnd, paging_url_ts: nowS() } }
        : { get_entries_max_ts: windowEnd, paging_info: null },
    });

    while (current < end || resume) {
      let windowEnd: number;
      let page: EntriesPage | undefined;
      if (resume) {
        windowEnd = resume.paging_end_ts;
        const url = resume.paging_url;
        resume = null;
        page = await client.page(url).catch((err: unknown) => {
          // An expired cursor: redo the window from its start.
          if (err instanceof ExchangeError && err.kind === 'upstream') return undefined;
          throw err;
        });
        if (!page) continue;
      } else {
        windowEnd = Math.min(end, current + duration);
        page = await client.entries(current, windowEnd);
        if (page.next && duration > 1 && page.maxTimestamp !== null) {
          // The first page covers this much of the window: a small share means many pages.
          const covered = Math.max(1, page.maxTimestamp - current);
          if (covered < duration / SHRINK) {
            duration = Math.max(1, Math.min(Math.floor(duration / SHRINK), covered * SHRINK));
            sparseWindows = 0;
            continue;
          }
        }
      }
      let fetched = 0;
      for (;;) {
        fetched += page.entries.length;
        yield batch(page, windowEnd);
        if (!page.next) break;
        page = await client.page(page.next);
      }
      if (fetched < 2 * PAGE_SIZE) {
        if (++sparseWindows >= SHRINK) {
          duration *= 2;
          sparseWindows = 0;
        }
      } else {
        sparseWindows = 0;
        if (fetched > MAX_WINDOW_ENTRIES / SHRINK) duration = Math.max(1, Math.floor(duration / SHRINK));
      }
      current = windowEnd;
    }
  },

  async sendFeedback(config, creds, record, req, ctx) {
    if (req.kind === 'seen') throw unsupported('NCMEC takes no "seen" feedback');
    const espId = record.metadata.esp_id;
    const entryId = record.metadata.entry_id;
    if (typeof espId !== 'number' || typeof entryId !== 'string') throw unsupported(`NCMEC record '${record.key}' lacks its entry ids`);
    const client = clientFor(config, creds, ctx);
    const fpTypes = Object.keys(record.signals).map((t) => FEEDBACK_FINGERPRINT_TYPE[t]).filter((t) => t !== undefined);
    if (fpTypes.length === 0) throw unsupported(`NCMEC record '${record.key}' has no fingerprint NCMEC takes feedback on`);
    for (const fpType of fpTypes) {
      if (req.kind === 'true_positive') {
        await client.sendFeedback(espId, entryId, fpType, { affirmative: true });
        continue;
      }
      const reasons = await client.reasons(fpType);
      const wanted = req.labels.map((l) => l.toLowerCase());
      const reason =
        reasons.find((r) => wanted.includes(r.guid.toLowerCase()) || wanted.includes(r.name.toLowerCase())) ??
        (reasons.length === 1 ? reasons[0] : undefined);
      if (!reason) {
        throw unsupported(
          `NCMEC needs a reason for negative ${fpType} feedback: give one of these as a label: ${reasons.map((r) => r.name).join(', ') || '(none offered)'}`,
        );
      }
      await client.sendFeedback(espId, entryId, fpType, { affirmative: false, reasonGuid: reason.guid });
    }
  },
};
