/** Config, checkpoint and snapshot diffing shared by the file and URL variants. */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { unsupported } from '../errors.js';
import { field, parseAs } from '../fields.js';
import type { FetchBatch, FetchContext } from '../types.js';
import { FILE_FORMATS, detectFormat, parseHashList, type FileFormat } from './parse.js';
import { snapshotBatches } from './snapshot.js';

export const formatField = field('format', 'enum', false, 'file format; auto = from the extension (.csv, .jsonl/.ndjson, else text)', {
  default: 'auto',
  choices: FILE_FORMATS,
});
export const signalTypeField = field('signal_type', 'string', false, 'treat every line as this signal type');

export const fileCheckpointSchema = z.object({
  /** SHA-256 of the content last applied. */
  version: z.string().nullable().default(null),
  etag: z.string().nullable().default(null),
  last_modified: z.string().nullable().default(null),
});
export type FileCheckpoint = z.infer<typeof fileCheckpointSchema>;

export const parseFileCheckpoint = (json: unknown): FileCheckpoint => parseAs(fileCheckpointSchema, json ?? {}, 'file checkpoint');

export const contentVersion = (content: string): string => createHash('sha256').update(content).digest('hex');

export interface FileSettings {
  readonly signal_type: string | null;
  readonly format: (typeof FILE_FORMATS)[number];
}

/** Batches for new content, or nothing when the content is what was last applied. */
export async function* contentBatches(
  content: string,
  name: string,
  contentType: string | null,
  settings: FileSettings,
  previous: FileCheckpoint | null,
  next: Omit<FileCheckpoint, 'version'>,
  ctx: FetchContext,
): AsyncGenerator<FetchBatch<FileCheckpoint>> {
  const version = contentVersion(content);
  const prev = previous ?? { version: null, etag: null, last_modified: null };
  if (version === prev.version) {
    // Same bytes under a new validator: remember the validator, nothing to apply.
    if (next.etag !== prev.etag || next.last_modified !== prev.last_modified) yield { updates: [], checkpoint: { ...next, version } };
    return;
  }
  const format: FileFormat = settings.format === 'auto' ? detectFormat(name, contentType) : settings.format;
  const records = parseHashList(content, format, settings.signal_type);
  yield* snapshotBatches(records, ctx, prev, { ...next, version });
}

/** Config fields both variants have besides where the file is. */
export const fileSettingsShape = {
  signal_type: z.string().min(1).nullable().default(null),
  format: z.enum(FILE_FORMATS).nullable().default('auto').transform((f) => f ?? 'auto'),
};

/** What the file and URL variants share: no auth, a content-version checkpoint, no feedback. */
export const fileExchangeBase = {
  credentialFields: null,
  fetchOnce: false,
  feedbackKinds: [],
  parseCredentials: () => null,
  parseCheckpoint: parseFileCheckpoint,
  checkpointJson: (cp: FileCheckpoint) => ({ ...cp }),
  progress: () => null,
  isStale: () => false,
  sendFeedback: async (): Promise<never> => {
    throw unsupported('a hash list file takes no feedback');
  },
} as const;
