/**
 * Meta ThreatExchange Graph API: threat_updates pages and their mapping to opinions
 * (docs/reference/exchanges.md §2.3). Tags arrive either as a list or as {data: [{id, text}]}.
 */
import { z } from 'zod';
import { parseAs } from '../fields.js';

const idSchema = z.union([z.string(), z.number().transform(String)]);

const tagsSchema = z
  .union([
    z.array(z.union([z.string(), z.object({ text: z.string() }).transform((t) => t.text)])),
    z.object({ data: z.array(z.object({ text: z.string() })) }).transform((d) => d.data.map((t) => t.text)),
  ])
  .nullable()
  .default([])
  .transform((t) => t ?? []);

const descriptorSchema = z.object({
  id: idSchema,
  owner: z.object({ id: idSchema }).nullable().optional(),
  status: z.string().nullable().optional(),
  tags: tagsSchema,
  reactions: z
    .array(z.object({ key: z.string(), value: z.string() }))
    .nullable()
    .default([])
    .transform((r) => r ?? []),
  added_on: z.string().nullable().optional(),
});

const updateSchema = z.object({
  id: idSchema,
  indicator: z.string(),
  type: z.string(),
  // Unix seconds, as a number or a numeric string.
  last_updated: z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]),
  should_delete: z.boolean().default(false),
  descriptors: z.object({ data: z.array(descriptorSchema) }).optional(),
});
export type ThreatUpdate = z.infer<typeof updateSchema>;

const pageSchema = z.object({
  data: z.array(updateSchema),
  paging: z.object({ next: z.string().optional() }).nullable().optional(),
});

export interface ThreatUpdatesPage {
  readonly updates: readonly ThreatUpdate[];
  readonly next: string | null;
}

export function parseThreatUpdates(body: unknown): ThreatUpdatesPage {
  const page = parseAs(pageSchema, body, 'ThreatExchange threat_updates');
  return { updates: page.data, next: page.paging?.next ?? null };
}

export type Category = 'NEGATIVE_CLASS' | 'INVESTIGATION_SEED' | 'POSITIVE_CLASS';

export interface Opinion {
  readonly owner_app_id: string;
  readonly descriptor_id: string | null;
  readonly is_mine: boolean;
  readonly category: Category;
  readonly tags: readonly string[];
}

const statusCategory = (status: string | null | undefined): Category =>
  status === 'MALICIOUS' ? 'POSITIVE_CLASS' : status === 'NON_MALICIOUS' ? 'NEGATIVE_CLASS' : 'INVESTIGATION_SEED';

/**
 * One opinion per descriptor owner (the last descriptor of an owner wins), plus implicit
 * ones from reactions of apps that wrote no descriptor: HELPFUL is positive,
 * DISAGREE_WITH_TAGS negative (unless that app already reacted HELPFUL).
 */
export function opinionsOf(update: ThreatUpdate, myAppId: string): Opinion[] {
  const explicit = new Map<string, Opinion>();
  const descriptors = update.descriptors?.data ?? [];
  for (const d of descriptors) {
    const owner = d.owner?.id;
    if (owner === undefined) continue;
    explicit.set(owner, { owner_app_id: owner, descriptor_id: d.id, is_mine: owner === myAppId, category: statusCategory(d.status), tags: [...d.tags] });
  }
  const implicit = new Map<string, Opinion>();
  for (const d of descriptors) {
    for (const r of d.reactions) {
      const category = r.key === 'HELPFUL' ? 'POSITIVE_CLASS' : r.key === 'DISAGREE_WITH_TAGS' ? 'NEGATIVE_CLASS' : undefined;
      if (!category) continue;
      for (const app of r.value.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
        if (explicit.has(app) || (category === 'NEGATIVE_CLASS' && implicit.has(app))) continue;
        implicit.set(app, { owner_app_id: app, descriptor_id: null, is_mine: app === myAppId, category, tags: [] });
      }
    }
  }
  return [...explicit.values(), ...implicit.values()];
}

/** ThreatExchange indicator type → our signal type; a required tag where the TE type is generic. */
export const INDICATOR_TYPES: Readonly<Record<string, { readonly signalType: string; readonly tag?: string }>> = {
  HASH_PDQ: { signalType: 'pdq' },
  HASH_VIDEO_MD5: { signalType: 'video_md5' },
  HASH_MD5: { signalType: 'video_md5', tag: 'media_type_video' },
  HASH_VIDEO_SHA256: { signalType: 'video_sha256' },
  HASH_SHA256: { signalType: 'video_sha256', tag: 'media_type_video' },
  TEXT_STRING: { signalType: 'raw_text' },
  URI: { signalType: 'url' },
  RAW_URI: { signalType: 'url' },
  HASH_URL_MD5: { signalType: 'url_md5' },
  TREND_QUERY: { signalType: 'trend_query' },
  HASH_PDQ_OCR: { signalType: 'pdq_ocr' },
};

export const REACTION_OF = {
  seen: 'SAW_THIS_TOO',
  true_positive: 'HELPFUL',
  false_positive: 'DISAGREE_WITH_TAGS',
} as const;
