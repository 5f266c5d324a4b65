/**
 * Carrying out the rules a match result fires. Webhook and log actions have effects
 * outside Kafka, so each (content id, rule) is claimed in Postgres first and a
 * claimed-and-finished pair is skipped on any redelivery. A topic action is a write
 * in the stage's own transaction, so it is exactly once with the consumer offset;
 * it is still claimed so that a resubmission of the same content does not repeat it.
 */
import type { MatchResultValue } from '../../kafka/values.js';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import { registry } from '../../observability/metrics.js';
import type { HandleResult, Output, RawOutput, Source } from '../stage/stage.js';
import { buildDeadLetter } from '../stage/stage.js';
import type { FiredStore } from './fired-store.js';
import { actionPayload, idempotencyKey } from './payload.js';
import { firings, type Rule } from './rules.js';
import { callWebhook, type WebhookPolicy } from './webhook.js';

const fired = new Counter({
  name: 'hma_actioner_actions_total',
  help: 'Actions by rule and outcome (fired, failed, skipped = fired before)',
  labelNames: ['rule', 'outcome'] as const,
  registers: [registry],
});

export interface ActionDeps {
  readonly rules: readonly Rule[];
  readonly store: FiredStore;
  readonly webhook: WebhookPolicy;
  /** Webhook secrets by rule name, read from the environment at start. */
  readonly secrets: ReadonlyMap<string, string>;
  readonly logger: Logger;
}

export async function act(result: MatchResultValue, source: Source, deps: ActionDeps): Promise<HandleResult> {
  const outputs: Array<Output | RawOutput> = [];
  const finished: Array<() => Promise<void>> = [];
  for (const firing of firings(result, deps.rules)) {
    const rule = firing.rule;
    if (!(await deps.store.claim(result.content_id, rule.name, result.submission_id))) {
      fired.inc({ rule: rule.name, outcome: 'skipped' });
      continue;
    }
    const payload = actionPayload(result, firing);
    const action = rule.action;
    if (action.type === 'topic') {
      outputs.push({ rawTopic: action.topic, key: result.content_id, value: Buffer.from(JSON.stringify(payload)) });
      // Marked done only once the write has committed; until then a redelivery writes it again.
      finished.push(() => deps.store.finish(result.content_id, rule.name, 'done'));
      fired.inc({ rule: rule.name, outcome: 'fired' });
      continue;
    }
    if (action.type === 'log') {
      deps.logger[action.level ?? 'info']({ action: payload }, `rule ${rule.name} fired`);
      await deps.store.finish(result.content_id, rule.name, 'done');
      fired.inc({ rule: rule.name, outcome: 'fired' });
      continue;
    }
    const outcome = await callWebhook(
      {
        url: action.url,
        secret: deps.secrets.get(rule.name) ?? '',
        body: JSON.stringify(payload),
        idempotencyKey: idempotencyKey(result.content_id, rule.name),
        headers: action.headers,
      },
      deps.webhook,
    );
    if (outcome.ok) {
      await deps.store.finish(result.content_id, rule.name, 'done');
      fired.inc({ rule: rule.name, outcome: 'fired' });
    } else {
      await deps.store.finish(result.content_id, rule.name, 'failed');
      fired.inc({ rule: rule.name, outcome: 'failed' });
      outputs.push(buildDeadLetter(source, 'actioner', 'action_failed', `rule ${rule.name}: webhook ${action.url}: ${outcome.reason}`, outcome.attempts));
    }
  }
  const afterCommit = finished.length > 0 ? async () => { for (const f of finished) await f(); } : undefined;
  return { outputs, afterCommit };
}

/** Webhook secrets of the rules, from the environment variables they name; a missing one is an error. */
export function webhookSecrets(rules: readonly Rule[], env: NodeJS.ProcessEnv): Map<string, string> {
  const out = new Map<string, string>();
  const missing: string[] = [];
  for (const r of rules) {
    if (r.action.type !== 'webhook') continue;
    const secret = env[r.action.secret_env];
    if (!secret) missing.push(`${r.action.secret_env} (rule ${r.name})`);
    else out.set(r.name, secret);
  }
  if (missing.length > 0) throw new Error(`webhook secrets not set in the environment: ${missing.join(', ')}`);
  return out;
}
