/**
 * `hma actioner --rules FILE`: the reference downstream consumer of match.results,
 * and the example for platforms writing their own. It runs on the same
 * exactly-once stage as the hasher and matcher; see pipeline/actioner/actions.ts for
 * how each action stays idempotent per (content id, rule).
 */
import type { Config } from '../config/config.js';
import { withAdmin } from '../kafka/client.js';
import { isOutageError, keepTrying } from '../kafka/connectivity.js';
import { log } from '../observability/logger.js';
import { act, webhookSecrets } from '../pipeline/actioner/actions.js';
import { loadRules, validateResult } from '../pipeline/actioner/actioner.js';
import { FiredStore } from '../pipeline/actioner/fired-store.js';
import { Stage } from '../pipeline/stage/stage.js';
import { runPartAsProcess, type RunningProcess, type StartedPart } from '../runtime/process.js';
import type { Runtime } from '../runtime/runtime.js';

export async function startActioner(runtime: Runtime, rulesFile: string): Promise<StartedPart> {
  const { config } = runtime;
  const rules = await loadRules(rulesFile);
  const secrets = webhookSecrets(rules, process.env);
  const logger = log('actioner');
  // A target topic that does not exist would fail every transaction: refuse to start instead.
  const targets = [...new Set(rules.flatMap((r) => (r.action.type === 'topic' ? [r.action.topic] : [])))];
  if (targets.length > 0) {
    // Kafka may be down at start: wait for it (the process reports why it is not ready meanwhile).
    let stopped = false;
    runtime.onStop('actioner topic check', async () => void (stopped = true));
    const listed = await keepTrying(() => withAdmin(runtime.kafka, (admin) => admin.listTopics()), {
      stopped: () => stopped,
      onError: (err) => (isOutageError(err) ? undefined : logger.warn({ err }, 'cannot list topics; retrying')),
    });
    const existing = new Set(listed ?? targets);
    const missing = targets.filter((t) => !existing.has(t));
    if (missing.length > 0) throw new Error(`rules write to topics that do not exist: ${missing.join(', ')}`);
  }
  const deps = {
    rules,
    secrets,
    store: new FiredStore(runtime.db),
    webhook: {
      attempts: config.ACTIONER_WEBHOOK_ATTEMPTS,
      timeoutMs: config.ACTIONER_WEBHOOK_TIMEOUT_MS,
      backoffMs: config.PIPELINE_RETRY_BACKOFF_MS,
    },
    logger,
  };
  const stage = new Stage(runtime, {
    name: 'actioner',
    input: 'match.results',
    outputs: [],
    maxInFlight: config.ACTIONER_MAX_IN_FLIGHT,
    // Two results of one content in a batch must not race for the same claims.
    orderByKey: true,
    validate: validateResult,
    submittedAt: (v) => v.submitted_at,
    handle: (result, ctx) => act(result, ctx.source, deps),
  });
  runtime.onStop('actioner stage', () => stage.stop());
  await stage.start();
  logger.info({ rules: rules.map((r) => `${r.name} → ${r.action.type}`) }, 'actioner rules loaded');
  return { readiness: () => stage.readiness() };
}

export function runActioner(config: Config, rulesFile: string): Promise<RunningProcess> {
  return runPartAsProcess(config, 'actioner', (runtime) => startActioner(runtime, rulesFile));
}
