/**
 * What every lookup path (/m/lookup, /m/lookup/batch, the UI, the pipeline
 * matcher) shares: validate a signal, query the replica, drop disabled content,
 * apply the bank coinflip and the bank filter, group by bank.
 */
import { HmaError, invalidInput } from '../errors/errors.js';
import type { ContentMatch, MatchReplica } from '../replica/replica.js';
import { applyLookupRules, bankThreshold } from './lookup-rules.js';
import { applyAllowLists, type Suppression } from './allow-list.js';

export interface SignalTypeRule {
  /** Canonical value, or throws an Error whose message says why it is invalid. */
  normalize(value: string): string;
  /** Exact types (MD5) have no distance: HMA reports "-". */
  readonly exact: boolean;
  readonly defaultThreshold: number;
  readonly maxThreshold: number;
  /** An index match's distance is on the threshold's scale (PDQ), so one search at the widest threshold can be filtered per bank. */
  readonly distanceIsRadius: boolean;
  /** Compares two canonical values: match or not, the distance where the type has one, type-specific facts. */
  compare(a: string, b: string): { match: boolean; distance: number | null; detail?: Readonly<Record<string, number>> };
}

export interface LookupOptions {
  /** Bank names to keep; undefined = all. */
  readonly banks?: readonly string[];
  /** The coinflip draw c in [0,1): a bank is seen iff its ratio >= c (0 when bypassed). */
  readonly coinflip: number;
  readonly threshold?: number;
}

/** Told of every lookup (metrics live in the shell, not here): its type, duration and the banks it matched. */
export type LookupObserver = (signalType: string, seconds: number, matchedBanks: ReadonlySet<string>) => void;

export type GroupedMatches = Record<string, Array<{ bank_content_id: number; distance: string; variant?: string; provenance?: MatchProvenance }>>;

/** Where a match's bank content came from (opt-in on /m): its exchange, record id and tags. */
export interface MatchProvenance {
  readonly exchange: string;
  readonly exchange_type: string;
  readonly record_id: string;
  readonly tags: readonly string[];
}

export class LookupService {
  constructor(
    private readonly replica: MatchReplica,
    private readonly rules: ReadonlyMap<string, SignalTypeRule>,
    private readonly observe: LookupObserver = () => undefined,
  ) {}

  private observed<T extends { bank: { name: string } }>(signalType: string, started: number, found: T[]): T[] {
    this.observe(signalType, (performance.now() - started) / 1000, new Set(found.map((m) => m.bank.name)));
    return found;
  }

  rule(signalType: string): SignalTypeRule {
    const rule = this.rules.get(signalType);
    if (!rule || !this.replica.hasSignalType(signalType)) throw invalidInput(`No such SignalType '${signalType}'`);
    return rule;
  }

  /** Validates a signal with HMA's raw_lookup messages; returns the canonical value. */
  validate(signalType: string, value: string): { rule: SignalTypeRule; value: string } {
    const rule = this.rule(signalType);
    try {
      return { rule, value: rule.normalize(value) };
    } catch (err) {
      throw invalidInput(`invalid signal: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** A request's threshold, checked; undefined when it gives none (each bank's own or the default applies). */
  private requested(rule: SignalTypeRule, requested: number | undefined): number | undefined {
    if (rule.exact || requested === undefined) return undefined;
    if (!Number.isInteger(requested) || requested < 0 || requested > rule.maxThreshold) {
      throw invalidInput(`threshold must be an integer from 0 to ${rule.maxThreshold}`);
    }
    return requested;
  }

  /**
   * Every stored signal within its bank's threshold (bankThreshold). PDQ: one search at the
   * widest threshold in play, then a comparison per match; vPDQ applies its threshold per
   * frame inside the search, so it searches once per distinct threshold in use (banks set few).
   */
  private within(signalType: string, rule: SignalTypeRule, value: string, threshold: number | undefined): ContentMatch[] {
    if (rule.exact) return this.replica.rawLookup(signalType, value, 0);
    const requested = this.requested(rule, threshold);
    const own = this.replica.bankThresholds(signalType);
    if (own.length === 0) return this.replica.rawLookup(signalType, value, requested ?? rule.defaultThreshold);
    const limit = (m: ContentMatch) => bankThreshold(m.bank.thresholds[signalType], requested, rule.defaultThreshold);
    if (rule.distanceIsRadius) {
      const radius = requested ?? Math.max(rule.defaultThreshold, ...own);
      return this.replica.rawLookup(signalType, value, radius).filter((m) => m.distance <= limit(m));
    }
    const radii = new Set([requested ?? rule.defaultThreshold, ...own.map((t) => bankThreshold(t, requested, rule.defaultThreshold))]);
    const out: ContentMatch[] = [];
    for (const radius of radii) {
      for (const m of this.replica.rawLookup(signalType, value, radius)) if (limit(m) === radius) out.push(m);
    }
    return out;
  }

  /** HMA's raw lookup: no enable filter, no coinflip; banks filter by name; each bank's threshold applies. */
  raw(signalType: string, signal: string, banks: readonly string[] | undefined, threshold?: number): ContentMatch[] {
    const started = performance.now();
    const { rule, value } = this.validate(signalType, signal);
    const found = this.within(signalType, rule, value, threshold);
    return this.observed(signalType, started, banks ? found.filter((m) => banks.includes(m.bank.name)) : found);
  }

  /**
   * Enabled content of banks that survive the coinflip, allow-list banks included (whatever
   * the bank filter: they suppress, never match). A content-level caller (the pipeline, a
   * media lookup over several types) gathers these and applies the allow-lists once.
   */
  candidates(signalType: string, signal: string, opts: LookupOptions): ContentMatch[] {
    const started = performance.now();
    const { rule, value } = this.validate(signalType, signal);
    const passed = applyLookupRules(this.within(signalType, rule, value, opts.threshold), {
      coinflip: opts.coinflip,
      nowSeconds: this.replica.nowSeconds(),
    });
    const banks = opts.banks;
    // Observed here, so pipeline lookups count too; an allow-list bank's hits count under its name.
    return this.observed(signalType, started, banks === undefined ? passed : passed.filter((m) => m.bank.allowList !== null || banks.includes(m.bank.name)));
  }

  /** HMA's lookup: enabled content of banks that survive the coinflip, allow-lists applied, grouped by bank name. */
  lookup(
    signalType: string,
    signal: string,
    opts: LookupOptions,
  ): { matches: ContentMatch[]; grouped: GroupedMatches; suppressed: Suppression<ContentMatch>[] } {
    const rule = this.rule(signalType);
    const { kept, suppressed } = applyAllowLists(this.candidates(signalType, signal, opts));
    return { matches: kept, grouped: this.group(rule, kept), suppressed };
  }

  group(rule: SignalTypeRule, matches: readonly ContentMatch[]): GroupedMatches {
    const grouped: GroupedMatches = {};
    for (const m of matches) {
      (grouped[m.bank.name] ??= []).push({
        bank_content_id: m.contentId,
        distance: rule.exact ? '-' : String(m.distance),
      });
    }
    return grouped;
  }

  distanceText(rule: SignalTypeRule, distance: number): string {
    return rule.exact ? '-' : String(distance);
  }
}

export const indexNotReady = () => new HmaError('not_ready', 'index not yet ready');
