/**
 * StopNCII.org JSON API (docs/reference/exchanges.md §2.5). A page is parsed as a whole; a record with
 * an unknown enum value or a malformed field is dropped on its own (logged), as the
 * reference does, so one odd record cannot stall the feed.
 */
import { z } from 'zod';
import { log } from '../../observability/logger.js';
import { parseAs } from '../fields.js';

const logger = log('exchanges');

export const SIGNAL_TYPES = ['Unknown', 'ImagePDQ', 'VideoMD5', 'VideoTMK', 'Text', 'URL'] as const;
export const CASE_STATUSES = ['Unknown', 'Received', 'Active', 'Withdrawn', 'Deleted'] as const;
export const FEEDBACK_VALUES = ['Unknown', 'None', 'QualityUnknown', 'PendingReview', 'Blocked', 'NotBlocked', 'Withdrawn', 'Deleted'] as const;

const feedbackSchema = z.object({
  source: z.string(),
  feedbackValue: z.enum(FEEDBACK_VALUES),
  tags: z.array(z.string()).default([]),
});

const recordSchema = z.object({
  lastModtimestamp: z.number().int(),
  signalType: z.enum(SIGNAL_TYPES),
  hashValue: z.string(),
  hashStatus: z.enum(CASE_STATUSES),
  // The API sends [] for "no cases".
  caseNumbers: z.union([z.record(z.string(), z.enum(CASE_STATUSES)), z.array(z.never()).transform(() => ({}))]),
  CSPFeedbacks: z.array(feedbackSchema).nullable().default([]).transform((f) => f ?? []),
});
export type HashRecord = z.infer<typeof recordSchema>;

const pageSchema = z.object({
  count: z.number().int(),
  nextSetTimestamp: z.number().int(),
  nextPageToken: z.string().nullable().default(null),
  hasMoreRecords: z.boolean(),
  hashRecords: z.array(z.unknown()),
});

export interface FetchHashesPage {
  readonly nextSetTimestamp: number;
  readonly nextPageToken: string | null;
  readonly hasMoreRecords: boolean;
  readonly records: readonly HashRecord[];
}

export function parseFetchHashes(body: unknown): FetchHashesPage {
  const page = parseAs(pageSchema, body, 'StopNCII FetchHashes');
  const records: HashRecord[] = [];
  for (const raw of page.hashRecords) {
    const r = recordSchema.safeParse(raw);
    if (r.success) records.push(r.data);
    else logger.error({ issue: r.error.issues[0]?.message, path: r.error.issues[0]?.path.join('.') }, 'StopNCII record dropped');
  }
  return {
    nextSetTimestamp: page.nextSetTimestamp,
    nextPageToken: page.nextPageToken,
    hasMoreRecords: page.hasMoreRecords,
    records,
  };
}
