/**
 * `fb_threatexchange`: Meta ThreatExchange threat_updates of one privacy group (GIFCT's
 * hash list is shared this way too). Fixes of docs/reference/exchanges.md §6 #4: an empty page is
 * "up to date", not an assertion; GETs have timeouts and retries; a required tag is
 * compared for equality, not as a substring; records are not mutated in place; a
 * `%7C`-separated token yields the right app id.
 */
import { z } from 'zod';
import { authError, unsupported } from '../errors.js';
import { field, parseAs, requireCredentials } from '../fields.js';
import { toUpdate, typedKey } from '../signals.js';
import type { ExchangeType, FetchContext, RecordUpdate, SignalTypes } from '../types.js';
import { GRAPH_API_BASE_URL, ThreatExchangeClient } from './client.js';
import { INDICATOR_TYPES, REACTION_OF, opinionsOf, type ThreatUpdate } from './wire.js';

/** The server keeps deletes for 90 days. */
const STALE_AFTER_S = 85 * 86400;
const TOKEN_RE = /^(\d{8,})(?:\||%7C)([A-Za-z0-9_-]{20,})$/i;

const configSchema = z.object({ privacy_group: z.number().int().positive() });
type Config = z.infer<typeof configSchema>;

const checkpointSchema = z.object({ update_time: z.number().int().min(0), last_fetch_time: z.number().int() });
type Checkpoint = z.infer<typeof checkpointSchema>;

interface Credentials {
  readonly token: string;
  readonly appId: string;
}

const credentialFields = [field('api_token', 'string', true, 'app access token, <app_id>|<secret>')];

function updateOf(u: ThreatUpdate, appId: string, types: SignalTypes): RecordUpdate {
  const key = typedKey(u.type, u.indicator);
  // No descriptors at all: the update is a removal (python-threatexchange issue #834).
  if (u.should_delete || u.descriptors === undefined) return { op: 'delete', key };
  const opinions = opinionsOf(u, appId);
  if (opinions.length === 0) return { op: 'delete', key };
  const mapping = INDICATOR_TYPES[u.type];
  const tags = new Set(opinions.flatMap((o) => o.tags));
  const applies = mapping !== undefined && (mapping.tag === undefined || tags.has(mapping.tag));
  const kept = mapping?.tag === undefined ? opinions : opinions.filter((o) => o.tags.includes(mapping.tag!));
  const metadata = {
    id: u.id,
    type: u.type,
    indicator: u.indicator,
    last_updated: u.last_updated,
    opinions: kept.map((o) => ({ ...o, tags: [...o.tags] })),
  };
  return toUpdate(key, applies ? [[mapping.signalType, u.indicator]] : [], metadata, types);
}

const clientFor = (creds: Credentials, ctx: FetchContext) =>
  new ThreatExchangeClient(ctx.http, (ctx.baseUrl ?? GRAPH_API_BASE_URL).replace(/\/+$/, ''), creds.token, ctx.signal);

export const threatExchangeExchange: ExchangeType<Config, Credentials, Checkpoint> = {
  name: 'fb_threatexchange',
  configFields: [field('privacy_group', 'number', true, 'the ThreatExchange privacy group id to fetch')],
  credentialFields,
  fetchOnce: false,
  feedbackKinds: ['seen', 'true_positive', 'false_positive'],
  parseConfig: (raw) => parseAs(configSchema, raw, 'fb_threatexchange config'),
  parseCredentials: (raw) => {
    const token = requireCredentials('fb_threatexchange', credentialFields, raw).api_token!;
    const m = TOKEN_RE.exec(token.trim());
    if (!m) throw authError('fb_threatexchange: api_token must look like <app_id>|<secret>');
    // The Graph API takes the token with a literal '|'.
    return { token: `${m[1]}|${m[2]}`, appId: m[1]! };
  },
  parseCheckpoint: (json) => parseAs(checkpointSchema, json, 'fb_threatexchange checkpoint'),
  checkpointJson: (cp) => ({ ...cp }),
  progress: (cp) => cp.update_time,
  isStale: (cp, nowS) => nowS - cp.last_fetch_time > STALE_AFTER_S,

  async *fetch(config, creds, checkpoint, ctx) {
    const client = clientFor(creds, ctx);
    const nowS = () => Math.floor(ctx.now() / 1000);
    let updateTime = checkpoint?.update_time ?? 0;
    let page = await client.threatUpdates(config.privacy_group, checkpoint ? checkpoint.update_time : null);
    for (;;) {
      for (const u of page.updates) updateTime = Math.max(updateTime, u.last_updated);
      yield {
        updates: page.updates.map((u) => updateOf(u, creds.appId, ctx.signalTypes)),
        checkpoint: { update_time: updateTime, last_fetch_time: nowS() },
      };
      if (!page.next) return;
      page = await client.nextPage(page.next);
    }
  },

  async sendFeedback(_config, creds, record, req, ctx) {
    const opinions = Array.isArray(record.metadata.opinions) ? record.metadata.opinions : [];
    const descriptorIds = opinions.flatMap((o) => {
      if (typeof o !== 'object' || o === null || Array.isArray(o)) return [];
      const op = o as Readonly<Record<string, unknown>>;
      return typeof op.descriptor_id === 'string' && op.is_mine !== true ? [op.descriptor_id] : [];
    });
    if (descriptorIds.length === 0) throw unsupported(`ThreatExchange record '${record.key}' has no descriptor of another app to react to`);
    const client = clientFor(creds, ctx);
    for (const id of descriptorIds) await client.react(id, REACTION_OF[req.kind]);
  },
};
