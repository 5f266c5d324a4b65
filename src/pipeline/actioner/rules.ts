/**
 * Actioner rules (pure): a JSON or YAML file mapping banks and bank labels to
 * actions. A rule fires for a match result when at least one of its matches passes
 * the rule's `when` (every condition given must hold; an empty `when` takes any
 * match). Unmatched results fire nothing, nor do matches flagged `quarantined`.
 *
 *   rules:
 *     - name: report-csam
 *       when: { banks: [NCMEC_HASHES], labels: [csam], signal_types: [pdq], max_distance: 16 }
 *       action: { type: webhook, url: "https://trust.example/hooks/hma", secret_env: HMA_HOOK_SECRET }
 *     - name: review-queue
 *       when: { labels: [review] }
 *       action: { type: topic, topic: moderation.review }
 *     - name: audit
 *       action: { type: log }
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { invalidInput } from '../../errors/errors.js';
import type { MatchResultValue, MatchValue } from '../../kafka/values.js';

const names = z.array(z.string().min(1)).min(1);

const when = z
  .object({
    banks: names.optional(),
    labels: names.optional(),
    signal_types: names.optional(),
    max_distance: z.number().int().min(0).optional(),
  })
  .strict();

const webhook = z
  .object({
    type: z.literal('webhook'),
    url: z.string().url().refine((u) => /^https?:/.test(u), 'must be http or https'),
    /** Name of the environment variable holding the HMAC-SHA256 key (secrets stay out of rule files). */
    secret_env: z.string().min(1),
    headers: z.record(z.string(), z.string()).optional(),
  })
  .strict();

const topic = z
  .object({
    type: z.literal('topic'),
    topic: z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/, 'a Kafka topic name'),
  })
  .strict();

const logAction = z
  .object({
    type: z.literal('log'),
    level: z.enum(['info', 'warn', 'error']).optional(),
  })
  .strict();

const rule = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'letters, digits, ".", "_", ":" and "-", at most 128'),
    when: when.optional(),
    action: z.discriminatedUnion('type', [webhook, topic, logAction]),
  })
  .strict();

const file = z.object({ rules: z.array(rule).min(1) }).strict();

export type Rule = z.infer<typeof rule>;
export type RuleCondition = z.infer<typeof when>;
export type WebhookAction = z.infer<typeof webhook>;
export type Action = Rule['action'];

/** Parses a rules file's text (YAML, of which JSON is a subset); `source` names it in errors. */
export function parseRules(text: string, source: string): Rule[] {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw invalidInput(`${source}: not valid YAML or JSON: ${(err as Error).message}`);
  }
  const parsed = file.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw invalidInput(`${source}: ${problems.join('; ')}`);
  }
  const seen = new Set<string>();
  for (const r of parsed.data.rules) {
    if (seen.has(r.name)) throw invalidInput(`${source}: rule name '${r.name}' is used twice`);
    seen.add(r.name);
  }
  return parsed.data.rules;
}

export function matchPasses(m: MatchValue, w: RuleCondition | undefined): boolean {
  if (!w) return true;
  if (w.banks && !w.banks.includes(m.bank_name)) return false;
  if (w.labels && !m.bank_labels.some((l) => w.labels?.includes(l))) return false;
  if (w.signal_types && !w.signal_types.includes(m.signal_type)) return false;
  if (w.max_distance !== undefined && m.distance > w.max_distance) return false;
  return true;
}

export interface Firing {
  readonly rule: Rule;
  /** The matches that made the rule fire. */
  readonly matches: readonly MatchValue[];
}

/** The rules a result fires, in file order, each with the matches that satisfied it. */
export function firings(result: MatchResultValue, rules: readonly Rule[]): Firing[] {
  if (!result.matched) return [];
  const out: Firing[] = [];
  for (const r of rules) {
    // A quarantined match (flood quarantine) is recorded but never acted on.
    const matches = result.matches.filter((m) => m.quarantined !== true && matchPasses(m, r.when));
    if (matches.length > 0) out.push({ rule: r, matches });
  }
  return out;
}
