/** The JSON an action sends (webhook body, topic value, log fields): one rule firing for one result. */
import type { MatchResultValue } from '../../kafka/values.js';
import type { Firing } from './rules.js';

export interface ActionPayload {
  readonly rule: string;
  /** `<content_id>:<rule>`: receivers can drop a repeat (sent again only after a crash mid-action). */
  readonly idempotency_key: string;
  readonly submission_id: string;
  readonly content_id: string;
  readonly content_type: string;
  readonly matches: ReadonlyArray<{
    readonly bank_name: string;
    readonly bank_id: number;
    readonly bank_content_id: number;
    readonly bank_labels: readonly string[];
    readonly signal_type: string;
    readonly distance: number;
  }>;
  readonly metadata: Readonly<Record<string, string>> | null;
  readonly trace_id: string | null;
  readonly submitted_at: string;
  readonly matched_at: string;
}

export const idempotencyKey = (contentId: string, rule: string) => `${contentId}:${rule}`;

export function actionPayload(result: MatchResultValue, firing: Firing): ActionPayload {
  return {
    rule: firing.rule.name,
    idempotency_key: idempotencyKey(result.content_id, firing.rule.name),
    submission_id: result.submission_id,
    content_id: result.content_id,
    content_type: result.content_type,
    matches: firing.matches.map((m) => ({
      bank_name: m.bank_name,
      bank_id: m.bank_id,
      bank_content_id: m.bank_content_id,
      bank_labels: m.bank_labels,
      signal_type: m.signal_type,
      distance: m.distance,
    })),
    metadata: result.metadata,
    trace_id: result.trace_id,
    submitted_at: new Date(result.submitted_at).toISOString(),
    matched_at: new Date(result.timings.matched_at).toISOString(),
  };
}
