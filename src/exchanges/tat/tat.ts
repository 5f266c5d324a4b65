/**
 * `tat`: the Tech Against Terrorism hash list. The checkpoint is the API's own cursor
 * string; a page without one keeps the previous cursor, and a cursor that would move
 * progress backwards is not taken (a re-fetch is harmless, a skip is not).
 */
import { z } from 'zod';
import { unsupported } from '../errors.js';
import { field, parseAs, requireCredentials } from '../fields.js';
import { toUpdate, typedKey, type Candidate } from '../signals.js';
import type { ExchangeType, RecordUpdate, SignalTypes } from '../types.js';
import { TAT_BASE_URL, TatClient } from './client.js';
import { VIDEO_FILE_TYPES, tatProgress, type TatResult } from './wire.js';

const checkpointSchema = z.object({ checkpoint: z.string().nullable().transform((c) => c ?? '') });
type Checkpoint = z.infer<typeof checkpointSchema>;

interface Credentials {
  readonly username: string;
  readonly password: string;
}

const credentialFields = [field('username', 'string', true, 'TCAP user name'), field('password', 'string', true, 'TCAP password')];

function candidateOf(r: TatResult): Candidate | undefined {
  const algorithm = r.algorithm.toUpperCase();
  if (algorithm === 'PDQ') return ['pdq', r.hash_digest];
  if (algorithm === 'MD5' && VIDEO_FILE_TYPES.has((r.file_type ?? '').toLowerCase())) return ['video_md5', r.hash_digest];
  return undefined;
}

function resultUpdate(r: TatResult, types: SignalTypes): RecordUpdate | undefined {
  const candidate = candidateOf(r);
  if (!candidate) return undefined;
  const key = typedKey(candidate[0], r.hash_digest);
  if (r.deleted) return { op: 'delete', key };
  const metadata = {
    id: r.id,
    algorithm: r.algorithm,
    ideology: r.ideology ?? null,
    file_type: r.file_type ?? null,
    created_on: r.created_on ?? null,
    updated_on: r.updated_on ?? null,
  };
  return toUpdate(key, [candidate], metadata, types);
}

export const tatExchange: ExchangeType<Record<string, never>, Credentials, Checkpoint> = {
  name: 'tat',
  configFields: [],
  credentialFields,
  fetchOnce: false,
  feedbackKinds: [],
  parseConfig: () => ({}),
  parseCredentials: (raw) => {
    const c = requireCredentials('tat', credentialFields, raw);
    return { username: c.username!, password: c.password! };
  },
  parseCheckpoint: (json) => parseAs(checkpointSchema, json, 'tat checkpoint'),
  checkpointJson: (cp) => ({ checkpoint: cp.checkpoint }),
  progress: (cp) => tatProgress(cp.checkpoint),
  isStale: () => false,

  async *fetch(_config, creds, checkpoint, ctx) {
    const base = (ctx.baseUrl ?? TAT_BASE_URL).replace(/\/*$/, '/');
    const client = new TatClient(ctx.http, base, creds.username, creds.password, ctx.signal);
    let cursor = checkpoint?.checkpoint ?? '';
    let page = await client.firstPage(cursor);
    for (;;) {
      const offered = page.checkpoint ?? '';
      const before = tatProgress(cursor);
      const after = tatProgress(offered);
      if (offered !== '' && (before === null || (after !== null && after >= before))) cursor = offered;
      yield {
        updates: page.results.map((r) => resultUpdate(r, ctx.signalTypes)).filter((u) => u !== undefined),
        checkpoint: { checkpoint: cursor },
      };
      if (!page.next) return;
      page = await client.nextPage(page.next);
    }
  },

  sendFeedback: async () => {
    throw unsupported('Tech Against Terrorism takes no feedback');
  },
};
