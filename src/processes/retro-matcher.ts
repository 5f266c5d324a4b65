/**
 * `hma retro-matcher`: a consumer group on the compacted `signals` topic that matches each
 * signal change (an add or an enable) against the content hashed within RETRO_WINDOW_HOURS,
 * and publishes, exactly once, a result flagged `retroactive` for content the forward matcher
 * had not matched to that entry (src/pipeline/retro/retro-match.ts says when that is).
 *
 * It holds: the recent content (content.hashed and match.results read from the window's start
 * on every start, never committed: after a kill -9 it is read again, published retroactive
 * results included), and the banks (a replica fed from the `banks` topic, for names, labels and
 * ratios). The stage commits its results and the `signals` offset in one transaction, like
 * every stage, so each change is handled exactly once.
 */
import { provenanceOf } from '../curation/provenance.js';
import { withProvenance } from '../pipeline/matcher/provenance.js';
import { bankThreshold } from '../matching/lookup-rules.js';
import { applyAllowLists } from '../matching/allow-list.js';
import { drawCoinflip } from '../matching/coinflip.js';
import { matcherMetrics } from '../pipeline/matcher/metrics.js';
import type { ContentMatch } from '../replica/replica.js';
import { startMatching, type Matching } from './matching.js';
import type { Config } from '../config/config.js';
import { isOutageError, keepTrying } from '../kafka/connectivity.js';
import type { SignalChangeValue } from '../kafka/values.js';
import { log } from '../observability/logger.js';
import { ContentWindow } from '../pipeline/retro/content-window.js';
import { retroMetrics as m, watchRecentContents } from '../pipeline/retro/metrics.js';
import { entryKey, RecentContent } from '../pipeline/retro/recent-content.js';
import { decideRetro, type RetroDecision } from '../pipeline/retro/retro-match.js';
import { Stage, type HandleResult } from '../pipeline/stage/stage.js';
import { isContentEnabled } from '../replica/content-enabled.js';
import { sleep } from '../retry/backoff.js';
import { indexReadiness } from '../runtime/health.js';
import { runPartAsProcess, type RunningProcess, type StartedPart } from '../runtime/process.js';
import type { Runtime } from '../runtime/runtime.js';
import type { SignalIndex } from '../index/types.js';
import { topicName } from '../../topology/topics.js';
import { newIndexFor, signalTypeRules } from './signal-types.js';

/** `matching`: the process's replica when it already has one (e.g. `hma all`); else the retro-matcher replays its own. */
export async function startRetroMatcher(runtime: Runtime, matching?: Matching): Promise<StartedPart> {
  const { config } = runtime;
  const logger = log('retro-matcher');
  const suppressedMetric = matcherMetrics.suppressed;
  const prefix = config.TOPIC_PREFIX;
  const rules = signalTypeRules(config);
  const indexes = new Map<string, SignalIndex>();
  for (const t of config.RETRO_SIGNAL_TYPES) if (rules.has(t)) indexes.set(t, newIndexFor(t));
  const recent = new RecentContent(indexes);
  watchRecentContents(() => recent.size);

  // A whole replica (signals too, like a matcher's): allow-list entries suppress retroactive
  // matches as they suppress forward ones, so their signals must be at hand.
  const { replica: banks, feed, lookups } = matching ?? (await startMatching(runtime));

  /**
   * The in-scope allow-list entry that suppresses `hit` for a recent content, if any: the
   * content's values looked up like the forward matcher looks them up (same coinflip draw),
   * allow-list banks only, then the matcher's own rule (applyAllowLists).
   */
  const allowListed = (slot: number, contentId: string, hit: ContentMatch & { signalType: string }) => {
    const coinflip = drawCoinflip({ seed: contentId });
    const allows: Array<ContentMatch & { signalType: string }> = [];
    for (const { signalType, value } of recent.values(slot)) {
      if (!banks.hasSignalType(signalType)) continue;
      for (const m of lookups.candidates(signalType, value, { coinflip })) if (m.bank.allowList !== null) allows.push({ ...m, signalType });
    }
    if (allows.length === 0) return undefined;
    return applyAllowLists([...allows, hit]).suppressed[0]?.by;
  };

  const window = new ContentWindow(runtime.kafka, runtime.codec, recent, {
    hashedTopic: topicName(prefix, 'content.hashed'),
    resultsTopic: topicName(prefix, 'match.results'),
    windowMs: config.RETRO_WINDOW_HOURS * 3_600_000,
    groupIdPrefix: `${prefix}${runtime.name}.window.`,
  });
  runtime.onStop('recent content window', () => window.stop());

  // Results decided but not yet committed: they count as matched (so a later change of the same
  // entry does not publish them again) until the stage gives up uncommitted work, which is then redone.
  const tentative = new Set<{ slot: number; submissionId: string; entry: string }>();
  /** Bumped when the stage gives its work up: a handler still running from before must not mark anything. */
  let generation = 0;

  const decide = async (change: SignalChangeValue): Promise<RetroDecision | undefined> => {
    if (!indexes.has(change.signal_type)) return undefined;
    if (!isContentEnabled(change.disable_until_ts, Math.floor(Date.now() / 1000))) return undefined;
    // Content hashed from here on is matched forward by replicas that have applied the change
    // (if they lag it by less than the settle time); what was hashed before is in the window.
    const settle = change.changed_at + config.RETRO_SETTLE_MS - Date.now();
    if (settle > 0) await sleep(settle);
    await window.caughtUp();
    let bank = banks.bank(change.bank_id);
    if (!bank) {
      // A bank created just before its first signal: the relay published it first.
      await feed.catchUp(5000);
      bank = banks.bank(change.bank_id);
    }
    if (!bank) return undefined; // the bank is gone: its signals match nothing
    if (bank.allowList) return undefined; // an allow-list bank never produces a match of its own
    // The bank's own threshold for the type, as the forward matcher applies it.
    const radius = bankThreshold(bank.thresholds[change.signal_type], undefined, rules.get(change.signal_type)?.defaultThreshold ?? 0);
    const entry = entryKey(change.signal_type, change.content_id);
    let decision = decideRetro(change, bank, recent, radius);
    if (decision.undecided.length > 0) {
      // The forward matcher is behind: its result decides whether these are already matched.
      const waiting = decision.undecided;
      await window.waitUntil(() => waiting.every((slot) => recent.forward(slot, change.signal_type, entry).position !== undefined), config.RETRO_FORWARD_WAIT_MS);
      decision = decideRetro(change, bank, recent, radius);
    }
    return decision;
  };

  const stage = new Stage(runtime, {
    name: 'retro-matcher',
    input: 'signals',
    outputs: ['match.results'],
    maxInFlight: config.RETRO_MAX_IN_FLIGHT,
    orderByKey: true,
    skipTombstones: true,
    submittedAt: (change) => change.changed_at,
    onRelease: () => {
      generation++;
      for (const t of tentative) if (recent.holds(t.slot, t.submissionId)) recent.unmarkMatched(t.slot, t.entry);
      tentative.clear();
    },
    handle: async (change): Promise<HandleResult> => {
      const started = generation;
      const decision = await decide(change);
      // Given up meanwhile: nothing of this attempt is committed, and the change is handled again.
      if (!decision || started !== generation) return { outputs: [] };
      const type = change.signal_type;
      const entry = entryKey(type, change.content_id);
      if (decision.covered > 0) m.covered.inc({ signal_type: type }, decision.covered);
      if (decision.undecided.length > 0) {
        m.unresolved.inc({ signal_type: type }, decision.undecided.length);
        logger.warn({ signal: entry, contents: decision.undecided.length }, 'no forward result came for matched content: left to the forward matcher');
      }
      // Allow-listed content: the result says what was suppressed and by which entry, and
      // matches nothing (so no actioner acts on it).
      const bankNow = banks.bank(change.bank_id);
      const hits = decision.hits.map((h) => {
        const match = h.result.matches[0];
        if (!bankNow || !match) return h;
        const by = allowListed(h.slot, h.result.content_id, { contentId: change.content_id, distance: match.distance, bank: bankNow, disableUntil: 1, quarantined: false, signalType: type });
        if (!by) return h;
        suppressedMetric.inc({ allow_list_bank: by.bank.name, bank: match.bank_name });
        const suppressed = [
          {
            match,
            allow_list_bank_id: by.bank.id,
            allow_list_bank_name: by.bank.name,
            allow_list_content_id: by.contentId,
            allow_list_signal_type: by.signalType,
            allow_list_distance: by.distance,
          },
        ];
        return { ...h, result: { ...h.result, matched: false, matches: [], suppressed } };
      });
      // Provenance of the one entry matched, read once, as the forward matcher reads it (a
      // database away leaves it out rather than holding results back).
      let provenance: ReturnType<typeof provenanceOf> | undefined;
      const outputs = await Promise.all(
        hits.map(async (h) => ({
          topic: 'match.results' as const,
          key: h.result.content_id,
          value: await withProvenance(h.result, (ids) => (provenance ??= provenanceOf(runtime.db, ids))),
        })),
      );
      if (started !== generation) return { outputs: [] };
      const mine = decision.hits.map((h) => ({ slot: h.slot, submissionId: h.submissionId, entry }));
      for (const t of mine) {
        recent.markMatched(t.slot, entry);
        tentative.add(t);
      }
      return {
        outputs,
        afterCommit: async () => {
          for (const t of mine) tentative.delete(t);
          if (mine.length > 0) m.results.inc({ signal_type: type }, mine.length);
        },
      };
    },
  });
  runtime.onStop('retro-matcher stage', () => stage.stop());

  let stopping = false;
  runtime.onStop('retro-matcher start', async () => {
    stopping = true;
  });
  // Kafka may be down at start: wait for it, as the stages do (the process reports why it is not ready).
  await keepTrying(() => window.start(), {
    stopped: () => stopping,
    onError: (err) => (isOutageError(err) ? logger.debug({ err }, 'cannot load the content window yet; retrying') : logger.warn({ err }, 'could not load the content window; retrying')),
  });
  for (;;) {
    try {
      await feed.waitReady(60_000);
      break;
    } catch {
      logger.info('still replaying the bank topic');
    }
  }
  await stage.start();
  const index = indexReadiness(feed, config.INDEX_MAX_STALE_SECONDS);
  return { readiness: () => (window.ready ? undefined : 'RETRO-WINDOW-LOADING') ?? index() ?? stage.readiness() };
}

/** Banks only: a replica with no signal index reads the signals topic but keeps none of it (a full one would index every bank signal). */

export function runRetroMatcher(config: Config): Promise<RunningProcess> {
  return runPartAsProcess(config, 'retro-matcher', (runtime) => startRetroMatcher(runtime));
}
