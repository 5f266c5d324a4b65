/**
 * Tech Against Terrorism hash list API v2 (docs/reference/exchanges.md §2.6). Unknown extra keys are
 * tolerated (the reference rejected them: docs/reference/exchanges.md §6 #5).
 */
import { z } from 'zod';
import { parseAs } from '../fields.js';

const resultSchema = z.object({
  id: z.union([z.number().int(), z.string()]),
  hash_digest: z.string(),
  algorithm: z.string(),
  ideology: z.string().nullable().optional(),
  file_type: z.string().nullable().optional(),
  deleted: z.boolean().default(false),
  updated_on: z.union([z.number(), z.string()]).nullable().optional(),
  created_on: z.union([z.number(), z.string()]).nullable().optional(),
});
export type TatResult = z.infer<typeof resultSchema>;

const pageSchema = z.object({
  count: z.number().int().optional(),
  next: z.string().nullable().default(null),
  checkpoint: z.string().nullable().default(null),
  results: z.array(resultSchema),
});
export type TatPage = z.infer<typeof pageSchema>;

export const parseTatPage = (body: unknown): TatPage => parseAs(pageSchema, body, 'TAT hash list');

const authSchema = z.object({ token: z.string().min(1) });
export const parseTatAuth = (body: unknown): string => parseAs(authSchema, body, 'TAT authentication').token;

/** Progress of a checkpoint string "<epoch float>,<last id>": the whole seconds, or null. */
export function tatProgress(checkpoint: string): number | null {
  const m = /^(\d+)(?:\.\d*)?(?:,|$)/.exec(checkpoint.trim());
  return m ? Number(m[1]) : null;
}

export const VIDEO_FILE_TYPES: ReadonlySet<string> = new Set(['mov', 'm4v', 'mp4', 'webm']);
