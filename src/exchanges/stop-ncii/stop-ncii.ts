/**
 * `stop_ncii`: StopNCII.org hashes. A record is the full current state of one hash;
 * Withdrawn or Deleted status is a delete (the reference compared the hash value
 * instead of the status and never deleted: docs/reference/exchanges.md §6 #2). Paging keeps one
 * startTimestamp and follows nextPageToken; the token is checkpointed for a quick
 * resume, and progress moves to nextSetTimestamp only when a sequence completes.
 */
import { z } from 'zod';
import { ExchangeError, unsupported } from '../errors.js';
import { field, parseAs, requireCredentials } from '../fields.js';
import { toUpdate, typedKey } from '../signals.js';
import type { ExchangeType, FetchContext, RecordUpdate, SignalTypes } from '../types.js';
import { STOP_NCII_BASE_URL, StopNciiClient, type StopNciiKeys } from './client.js';
import type { HashRecord } from './wire.js';

const FIRST_START = 10;
const STALE_AFTER_S = 30 * 86400;
/** Page tokens are short-lived cursors. */
const TOKEN_TTL_S = 3600;

const OUR_TYPE: Readonly<Record<string, string>> = { ImagePDQ: 'pdq', VideoMD5: 'video_md5', URL: 'url', Text: 'raw_text' };

const checkpointSchema = z.object({
  update_time: z.number().int(),
  last_fetch_time: z.number().int(),
  paging: z.object({ token: z.string(), token_ts: z.number().int() }).nullable().default(null),
});
type Checkpoint = z.infer<typeof checkpointSchema>;

interface Credentials extends StopNciiKeys {
  readonly baseUrlOverride: string | null;
}

const credentialFields = [
  field('fetch_function_key', 'string', true, 'function key of the FetchHashes endpoint'),
  field('subscription_key', 'string', true, 'API subscription key (Ocp-Apim-Subscription-Key)'),
  field('base_url_override', 'string', false, 'use this base URL instead of the public API'),
  field('submit_feedback_function_key', 'string', false, 'function key of the SubmitFeedback endpoint (needed to report true/false positives)'),
];

function recordUpdate(r: HashRecord, types: SignalTypes): RecordUpdate | undefined {
  const ours = OUR_TYPE[r.signalType];
  if (!ours) return undefined; // VideoTMK, Unknown: no signal type of ours
  const key = typedKey(ours, r.hashValue);
  if (r.hashStatus === 'Withdrawn' || r.hashStatus === 'Deleted') return { op: 'delete', key };
  const metadata = {
    signal_type: r.signalType,
    hash_status: r.hashStatus,
    last_modified: r.lastModtimestamp,
    case_numbers: { ...r.caseNumbers },
    feedbacks: r.CSPFeedbacks.map((f) => ({ source: f.source, value: f.feedbackValue, tags: [...f.tags] })),
  };
  return toUpdate(key, [[ours, r.hashValue]], metadata, types);
}

const clientFor = (creds: Credentials, ctx: FetchContext) =>
  new StopNciiClient(ctx.http, (ctx.baseUrl ?? creds.baseUrlOverride ?? STOP_NCII_BASE_URL).replace(/\/+$/, ''), creds, ctx.signal);

export const stopNciiExchange: ExchangeType<Record<string, never>, Credentials, Checkpoint> = {
  name: 'stop_ncii',
  configFields: [],
  credentialFields,
  fetchOnce: false,
  feedbackKinds: ['true_positive', 'false_positive'],
  parseConfig: () => ({}),
  parseCredentials: (raw) => {
    const c = requireCredentials('stop_ncii', credentialFields, raw);
    return {
      fetchFunctionKey: c.fetch_function_key!,
      subscriptionKey: c.subscription_key!,
      baseUrlOverride: c.base_url_override ?? null,
      submitFeedbackFunctionKey: c.submit_feedback_function_key ?? null,
    };
  },
  parseCheckpoint: (json) => parseAs(checkpointSchema, json, 'stop_ncii checkpoint'),
  checkpointJson: (cp) => ({ update_time: cp.update_time, last_fetch_time: cp.last_fetch_time, paging: cp.paging ? { ...cp.paging } : null }),
  progress: (cp) => cp.update_time,
  isStale: (cp, nowS) => nowS - cp.last_fetch_time > STALE_AFTER_S,

  async *fetch(_config, creds, checkpoint, ctx) {
    const client = clientFor(creds, ctx);
    const nowS = () => Math.floor(ctx.now() / 1000);
    const start = checkpoint?.update_time ?? FIRST_START;
    const saved = checkpoint?.paging ?? null;
    let token = saved && nowS() - saved.token_ts <= TOKEN_TTL_S ? saved.token : null;
    for (;;) {
      let page;
      try {
        page = await client.fetchHashes(start, token);
      } catch (err) {
        // A resumed token the server no longer knows: start the sequence over.
        if (token !== null && token === saved?.token && err instanceof ExchangeError && err.kind === 'upstream') {
          token = null;
          continue;
        }
        throw err;
      }
      const updates = page.records.map((r) => recordUpdate(r, ctx.signalTypes)).filter((u) => u !== undefined);
      const more = page.hasMoreRecords && page.nextPageToken !== null;
      yield {
        updates,
        checkpoint: more
          ? { update_time: start, last_fetch_time: nowS(), paging: { token: page.nextPageToken!, token_ts: nowS() } }
          : { update_time: Math.max(start, page.nextSetTimestamp), last_fetch_time: nowS(), paging: null },
      };
      if (!more) return;
      token = page.nextPageToken;
    }
  },

  async sendFeedback(_config, creds, record, req, ctx) {
    if (req.kind === 'seen') throw unsupported('StopNCII takes no "seen" feedback');
    if (!creds.submitFeedbackFunctionKey) {
      throw unsupported('StopNCII feedback needs submit_feedback_function_key in the stop_ncii credentials');
    }
    // The key is <our type>:<hashValue as StopNCII sent it>.
    const hashValue = record.key.slice(record.key.indexOf(':') + 1);
    await clientFor(creds, ctx).submitFeedback(creds.submitFeedbackFunctionKey, {
      hashValue,
      feedbackValue: req.kind === 'true_positive' ? 'Blocked' : 'NotBlocked',
      tags: req.labels,
    });
  },
};
