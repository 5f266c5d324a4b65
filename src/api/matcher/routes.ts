/**
 * The matcher role, /m: HMA's lookup endpoints answered from this process's
 * replica, plus a batch lookup. Quirks fixed: GET /m/lookup honours
 * bypass_coinflip; /m/compare works for every signal type.
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { HmaError, invalidInput } from '../../errors/errors.js';
import type { MatchReplica } from '../../replica/replica.js';
import { bestOverVariants } from '../../matching/dihedral.js';
import { indexNotReady, type GroupedMatches, type LookupOptions, type LookupService, type MatchProvenance } from '../../matching/lookup-service.js';
import type { ContentMatch, SignalTypeStats } from '../../replica/replica.js';
import { applyAllowLists } from '../../matching/allow-list.js';
import { hmaCompatible } from '../hma-compat.js';
import { float } from '../hma-json.js';
import type { SignalTypeTarget } from '../../curation/stats.js';

/** One coinflip draw in [0,1) for a lookup; the same seed always gives the same draw. */
export type DrawCoinflip = (seed: string | undefined) => number;

/** Signals of a URL or upload: HMA's {type: value}, plus the PDQ rotation/flip variants when asked for. */
export interface MediaSignals {
  readonly values: Record<string, string>;
  readonly pdqVariants?: ReadonlyArray<{ readonly name: string; readonly hash: string }>;
}

/** Hashes a URL or an upload for lookups by media (the hasher role). */
export interface LookupMedia {
  hashUrl(url: string, contentType: string | undefined, types: readonly string[] | undefined, dihedral: boolean): Promise<MediaSignals>;
  hashUpload(req: import('fastify').FastifyRequest, types: readonly string[] | undefined, dihedral: boolean): Promise<MediaSignals>;
}

export interface MatcherDeps {
  readonly replica: MatchReplica;
  readonly lookups: LookupService;
  readonly drawCoinflip: DrawCoinflip;
  /** Whether the replica has caught up with the topics as they were at start. */
  readonly isReady: () => boolean;
  /** Waits (bounded) until writes this process accepted are visible: read-your-writes. */
  readonly beforeLookup: () => Promise<void>;
  /** Present when the process has the hasher role. */
  readonly media?: LookupMedia;
  /** Exchange provenance of bank content (?provenance=true); absent: the parameter is refused. */
  readonly provenance?: (contentIds: readonly number[]) => Promise<ReadonlyMap<number, MatchProvenance>>;
  readonly maxUploadBytes: number;
  /**
   * GET /c/signal_type/index, in a process that also has the curator role: the database's
   * side (per signal type count and newest signal, unpublished outbox rows) and whether the
   * replica has applied everything published so far.
   */
  readonly indexTarget?: {
    readonly database: () => Promise<{ readonly signals: ReadonlyMap<string, SignalTypeTarget>; readonly unpublished: number }>;
    readonly replicaCaughtUp: () => Promise<boolean>;
  };
}

/**
 * When curation made the last change this index applied (epoch s); -1 for an empty index,
 * as HMA reports an index built from zero rows (so a factory reset reads as a fresh install).
 */
function builtTo(s: { size: number; lastChangedAt: number }): number {
  return s.size > 0 && s.lastChangedAt > 0 ? Math.floor(s.lastChangedAt / 1000) : -1;
}

/** pydantic's bool parsing, as HMA's query models accept it. */
function pyBool(v: string | undefined, name: string): boolean {
  if (v === undefined) return false;
  const s = v.toLowerCase();
  if (['true', '1', 'yes', 'on', 't', 'y'].includes(s)) return true;
  if (['false', '0', 'no', 'off', 'f', 'n'].includes(s)) return false;
  throw invalidInput(`${name} must be a boolean, got '${v}'`);
}

const commaList = (v: string | undefined) =>
  v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter((s) => s.length > 0);

const missingRole = () => new HmaError('forbidden', 'Hashing is disabled, missing role');

const str = { type: 'string' } as const;
const lookupQuery = {
  type: 'object',
  properties: {
    url: str, content_type: str, types: str, signal: str, signal_type: str, banks: str, seed: str,
    bypass_coinflip: str, threshold: { type: 'integer', minimum: 0 }, dihedral: str,
    provenance: { ...str, description: 'true: each match of exchange content names its exchange, record id and tags (beyond HMA)' },
    include_hashes: { ...str, description: 'true, by URL or upload: answer {hashes, matches} with the hashes computed (beyond HMA)' },
    include_suppressed: { ...str, description: 'true: answer {matches, suppressed}, naming the matches allow-list banks suppressed and the entry that did (beyond HMA)' },
  },
} as const;

/** {type: [is_match, {distance} | {} | vPDQ's percentages]}; python-threatexchange's percentages are floats. */
const compareAnswer = {
  type: 'object',
  additionalProperties: {
    type: 'array',
    items: {
      type: ['boolean', 'object'],
      properties: { distance: { type: 'integer' }, query_match_percent: float, compared_match_percent: float },
      additionalProperties: true,
    },
  },
} as const;

interface LookupQuery {
  url?: string; content_type?: string; types?: string; signal?: string; signal_type?: string;
  banks?: string; seed?: string; bypass_coinflip?: string; threshold?: number; dihedral?: string;
  provenance?: string; include_hashes?: string; include_suppressed?: string;
}

/** A lookup's match with its signal type (and, for a dihedral PDQ lookup, the variant). */
type TypedMatch = ContentMatch & { readonly type: string; readonly variant?: string };

/** A match an allow-list bank suppressed, and the allow-list entry that did (include_suppressed). */
interface SuppressedJson {
  readonly bank: string;
  readonly bank_content_id: number;
  readonly signal_type: string;
  readonly distance: string;
  readonly suppressed_by: { readonly bank: string; readonly bank_content_id: number; readonly signal_type: string; readonly distance: string };
}

export function matcherRoutes(deps: MatcherDeps) {
  const { lookups } = deps;

  async function ready(): Promise<void> {
    if (!deps.isReady()) throw indexNotReady();
    await deps.beforeLookup();
  }

  /** A signal lookup: HMA's grouped matches, and what allow-list banks suppressed. */
  function lookupOne(type: string, value: string, q: LookupQuery, bypass: boolean): { grouped: GroupedMatches; suppressed: SuppressedJson[] } {
    const coinflip = bypass ? 0 : deps.drawCoinflip(q.seed);
    const { grouped, suppressed } = lookups.lookup(type, value, { banks: commaList(q.banks), coinflip, threshold: q.threshold });
    return { grouped, suppressed: suppressed.map((x) => suppressedJson({ ...x.match, type }, { ...x.by, type })) };
  }

  /**
   * Every signal of one media, looked up as one content: an allow-list entry matched by any of
   * its signals suppresses in-scope matches of all of them, as in the pipeline.
   */
  function lookupAll(media: MediaSignals, q: LookupQuery, bypass: boolean): { all: Record<string, GroupedMatches>; suppressed: SuppressedJson[] } {
    const found: TypedMatch[] = [];
    const all: Record<string, GroupedMatches> = {};
    for (const [type, value] of Object.entries(media.values)) {
      all[type] = {};
      if (value === '') continue; // e.g. a PDQ below the quality threshold: nothing to look up
      const opts: LookupOptions = { banks: commaList(q.banks), coinflip: bypass ? 0 : deps.drawCoinflip(q.seed), threshold: q.threshold };
      if (type === 'pdq' && media.pdqVariants) {
        // Best match per stored content over the 8 rotation/flip variants, naming the variant.
        const best = bestOverVariants(media.pdqVariants, (v) => lookups.candidates('pdq', v.hash, opts), (m) => m.contentId);
        for (const { match, variant } of best) found.push({ ...match, type, variant: variant.name });
      } else {
        for (const m of lookups.candidates(type, value, opts)) found.push({ ...m, type });
      }
    }
    const { kept, suppressed } = applyAllowLists(found);
    for (const m of kept) {
      (all[m.type]![m.bank.name] ??= []).push({
        bank_content_id: m.contentId,
        distance: lookups.distanceText(lookups.rule(m.type), m.distance),
        ...(m.variant === undefined ? {} : { variant: m.variant }),
      });
    }
    return { all, suppressed: suppressed.map((x) => suppressedJson(x.match, x.by)) };
  }

  function suppressedJson(m: TypedMatch, by: TypedMatch): SuppressedJson {
    const distance = (x: TypedMatch) => lookups.distanceText(lookups.rule(x.type), x.distance);
    return {
      bank: m.bank.name, bank_content_id: m.contentId, signal_type: m.type, distance: distance(m),
      suppressed_by: { bank: by.bank.name, bank_content_id: by.contentId, signal_type: by.type, distance: distance(by) },
    };
  }

  /** Adds `provenance` to each match of exchange-fetched content (in place), when the caller opted in. */
  async function addProvenance(wanted: boolean, groups: readonly GroupedMatches[]): Promise<void> {
    if (!wanted) return;
    if (!deps.provenance) throw invalidInput('provenance is not available on this process');
    const items = groups.flatMap((g) => Object.values(g).flat());
    const found = await deps.provenance(items.map((m) => m.bank_content_id));
    for (const m of items) {
      const p = found.get(m.bank_content_id);
      if (p) m.provenance = p;
    }
  }

  /**
   * The URL/upload answer: HMA's {type: matches}, or, with include_hashes or include_suppressed,
   * {matches, hashes?, suppressed?}.
   */
  async function mediaAnswer(media: MediaSignals, q: LookupQuery, bypass: boolean): Promise<unknown> {
    const { all, suppressed } = lookupAll(media, q, bypass);
    await addProvenance(pyBool(q.provenance, 'provenance'), Object.values(all));
    const matches = q.signal_type !== undefined ? (all[q.signal_type] ?? {}) : all;
    const hashes = pyBool(q.include_hashes, 'include_hashes');
    const withSuppressed = pyBool(q.include_suppressed, 'include_suppressed');
    if (!hashes && !withSuppressed) return matches;
    return { matches, ...(hashes ? { hashes: media.values } : {}), ...(withSuppressed ? { suppressed } : {}) };
  }

  function checkSignalType(wanted: string | undefined): void {
    if (wanted !== undefined && !deps.replica.hasSignalType(wanted)) throw invalidInput(`No such signal type '${wanted}'`);
  }

  /** {signal_type: row} for one installed signal type (400 if unknown) or all of them. */
  function perSignalType<T>(wanted: string | undefined, row: (type: string, s: SignalTypeStats) => T): Record<string, T> {
    checkSignalType(wanted);
    const out: Record<string, T> = {};
    for (const type of wanted ? [wanted] : deps.replica.signalTypes()) {
      const s = deps.replica.stats(type);
      if (s) out[type] = row(type, s);
    }
    return out;
  }

  return async (app: FastifyInstance) => {
    hmaCompatible(app);
    await app.register(multipart, { limits: { fileSize: deps.maxUploadBytes, files: 1, fields: 10, fieldSize: 64 * 1024 } });

    app.get<{ Querystring: { signal: string; signal_type: string; banks?: string; include_distance?: string; threshold?: number } }>(
      '/m/raw_lookup',
      {
        config: { validationStatus: 422 },
        schema: {
          tags: ['matcher'],
          summary: 'Every stored signal within the threshold, ignoring enable state and coinflip',
          querystring: {
            type: 'object',
            required: ['signal', 'signal_type'],
            properties: { signal: str, signal_type: str, banks: str, include_distance: str, threshold: { type: 'integer', minimum: 0 } },
          },
        },
      },
      async (req) => {
        const q = req.query;
        lookups.rule(q.signal_type);
        await ready();
        const found = lookups.raw(q.signal_type, q.signal, commaList(q.banks), q.threshold);
        if (!pyBool(q.include_distance, 'include_distance')) return { matches: found.map((m) => m.contentId) };
        const rule = lookups.rule(q.signal_type);
        return {
          matches: found.map((m) => ({ bank_content_id: m.contentId, distance: lookups.distanceText(rule, m.distance) })),
        };
      },
    );

    app.get<{ Querystring: LookupQuery }>(
      '/m/lookup',
      {
        schema: {
          tags: ['matcher'],
          summary: 'Look up a signal, or a URL hashed first; enabled content, banks after coinflip, grouped by bank',
          querystring: lookupQuery,
        },
      },
      async (req) => {
        const q = req.query;
        const bypass = pyBool(q.bypass_coinflip, 'bypass_coinflip');
        if (q.url !== undefined) {
          if (!deps.media) throw missingRole();
          await ready();
          const media = await deps.media.hashUrl(q.url, q.content_type, commaList(q.types), pyBool(q.dihedral, 'dihedral'));
          return mediaAnswer(media, q, bypass);
        }
        if (q.signal === undefined || q.signal_type === undefined) {
          throw invalidInput('Either url or both signal and signal_type are required');
        }
        lookups.rule(q.signal_type);
        await ready();
        // The variants come from the image's DCT: a bare hash has none to offer.
        if (pyBool(q.dihedral, 'dihedral')) throw invalidInput('dihedral matching needs an image: use url or an upload');
        if (pyBool(q.include_hashes, 'include_hashes')) throw invalidInput('include_hashes needs media to hash: use url or an upload');
        // A bare signal is validated even when empty (HMA: 400 invalid signal).
        const { grouped, suppressed } = lookupOne(q.signal_type, q.signal, q, bypass);
        await addProvenance(pyBool(q.provenance, 'provenance'), [grouped]);
        return pyBool(q.include_suppressed, 'include_suppressed') ? { matches: grouped, suppressed } : grouped;
      },
    );

    app.post<{ Querystring: LookupQuery }>(
      '/m/lookup',
      {
        schema: {
          tags: ['matcher'],
          summary: 'Look up an uploaded file (multipart, one file whose field name is the content type)',
          querystring: lookupQuery,
          consumes: ['multipart/form-data'],
        },
      },
      async (req) => {
        if (!deps.media) throw missingRole();
        const q = req.query;
        // HMA: only the exact string "true" enables bypass on POST.
        const bypass = q.bypass_coinflip === 'true';
        await ready();
        const media = await deps.media.hashUpload(req, commaList(q.types), pyBool(q.dihedral, 'dihedral'));
        return mediaAnswer(media, { ...q, signal_type: undefined }, bypass);
      },
    );

    app.post<{ Body: { signals: Array<{ signal_type: string; signal: string }>; banks?: string[]; seed?: string; bypass_coinflip?: boolean; threshold?: number; provenance?: boolean; include_suppressed?: boolean } }>(
      '/m/lookup/batch',
      {
        schema: {
          tags: ['matcher'],
          summary: 'Look up to 1,000 signals in one request (beyond HMA); per-item errors, never a partial failure',
          body: {
            type: 'object',
            required: ['signals'],
            additionalProperties: false,
            properties: {
              signals: {
                type: 'array',
                maxItems: 1000,
                items: {
                  type: 'object',
                  required: ['signal_type', 'signal'],
                  additionalProperties: false,
                  properties: { signal_type: str, signal: str },
                },
              },
              banks: { type: 'array', items: str },
              seed: str,
              bypass_coinflip: { type: 'boolean' },
              threshold: { type: 'integer', minimum: 0 },
              provenance: { type: 'boolean', description: 'each match of exchange content names its exchange, record id and tags' },
              include_suppressed: { type: 'boolean', description: 'each result also lists the matches allow-list banks suppressed' },
            },
          },
        },
      },
      async (req) => {
        const b = req.body;
        await ready();
        const coinflip = b.bypass_coinflip ? 0 : deps.drawCoinflip(b.seed);
        const results = b.signals.map((s) => {
          try {
            const { grouped, suppressed } = lookups.lookup(s.signal_type, s.signal, { banks: b.banks, coinflip, threshold: b.threshold });
            const type = s.signal_type;
            return {
              signal_type: s.signal_type, signal: s.signal, matches: grouped,
              ...(b.include_suppressed ? { suppressed: suppressed.map((x) => suppressedJson({ ...x.match, type }, { ...x.by, type })) } : {}),
            };
          } catch (err) {
            if (err instanceof HmaError) return { signal_type: s.signal_type, signal: s.signal, error: err.message };
            throw err;
          }
        });
        await addProvenance(b.provenance === true, results.flatMap((r) => ('matches' in r ? [r.matches] : [])));
        return { results };
      },
    );

    app.get<{ Querystring: { signal_type?: string } }>(
      '/m/index/status',
      {
        schema: {
          tags: ['matcher'],
          summary: "This process's index per signal type: loaded, last change applied (epoch s), size",
          querystring: { type: 'object', properties: { signal_type: str } },
        },
      },
      async (req) => perSignalType(req.query.signal_type, (_type, s) => ({ present: deps.isReady(), built_to: builtTo(s), size: s.size })),
    );

    const target = deps.indexTarget;
    if (target) {
      app.get<{ Querystring: { signal_type?: string } }>(
        '/c/signal_type/index',
        {
          schema: {
            tags: ['types'],
            summary: "Per signal type: signals in the database, in this process's index, and whether the index lags",
            querystring: { type: 'object', properties: { signal_type: str } },
          },
        },
        async (req) => {
          checkSignalType(req.query.signal_type);
          const [db, caughtUp] = await Promise.all([target.database(), target.replicaCaughtUp()]);
          // Out of date while committed changes are unpublished or published but not yet applied here.
          const lagging = !deps.isReady() || db.unpublished > 0 || !caughtUp;
          return perSignalType(req.query.signal_type, (type, s) => {
            const inDb = db.signals.get(type) ?? { count: 0, newestS: -1 };
            return {
              db_size: inDb.count,
              index_size: s.size,
              index_out_of_date: lagging || inDb.count !== s.size,
              newest_db_item: inDb.newestS,
              index_built_to: builtTo(s),
            };
          });
        },
      );
    }

    app.post<{ Body: unknown }>(
      '/m/compare',
      {
        schema: {
          tags: ['matcher'],
          summary: 'Compare two hashes per signal type: {type: [a, b]} → {type: [is_match, {distance}]}',
          response: { 200: compareAnswer },
        },
      },
      async (req) => {
        const body = req.body;
        if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidInput('Request input was not a dict');
        const out: Record<string, [boolean, Record<string, number>]> = {};
        for (const [type, pair] of Object.entries(body as Record<string, unknown>)) {
          if (!Array.isArray(pair)) throw invalidInput(`Comparison hashes for ${type} was not a list`);
          if (pair.length !== 2) throw invalidInput('Comparison hash list length must be exactly 2');
          const rule = lookups.rule(type);
          const [a, b] = pair.map((h) => {
            try {
              if (typeof h !== 'string') throw new Error('expected a string');
              return rule.normalize(h);
            } catch (err) {
              throw invalidInput(`Invalid ${type} hash: ${err instanceof Error ? err.message : String(err)}`);
            }
          });
          // HMA's PDQ form is [is_match, {distance}]; types without a distance (MD5) answer [is_match, {}].
          const c = rule.compare(a, b);
          out[type] = [c.match, { ...(c.distance === null ? {} : { distance: c.distance }), ...c.detail }];
        }
        return out;
      },
    );
  };
}
