/**
 * The signal types this system knows, described once: which content they apply to, how a
 * value is validated and normalised (with the reference's messages), and how two values
 * compare. Names follow python-threatexchange / HMA (`pdq`, `video_md5`, `vpdq`).
 */
import { validateMd5 } from './md5/md5.js';
import { hammingDistanceHex } from './pdq/hash256.js';
import { validatePdq } from './pdq/validate.js';
import { matchVpdq, PYTX_VPDQ_MATCH } from './vpdq/match.js';
import { parseVpdqSignal, validateVpdq } from './vpdq/signal.js';

export const CONTENT_TYPES = ['photo', 'video'] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];

export const SIGNAL_TYPE_NAMES = ['pdq', 'video_md5', 'vpdq'] as const;
export type SignalTypeName = (typeof SIGNAL_TYPE_NAMES)[number];

export interface SignalComparison {
  readonly match: boolean;
  /** Distance for distance-based types (PDQ: Hamming bits); null for exact-match types. */
  readonly distance: number | null;
  readonly detail?: Readonly<Record<string, number>>;
}

export interface SignalType {
  readonly name: SignalTypeName;
  readonly contentTypes: readonly ContentType[];
  /** In HMA's default configuration (pdq and video_md5 are; vpdq is an extension there). */
  readonly hmaDefault: boolean;
  /** The match threshold the reference uses by default; null for exact matching. */
  readonly defaultThreshold: number | null;
  /** Returns the normalised value or throws HmaError('invalid_input') with the reference's reason. */
  validate(value: string): string;
  /** Compares two already valid values; `threshold` overrides the default. */
  compare(a: string, b: string, threshold?: number): SignalComparison;
}

const pdq: SignalType = {
  name: 'pdq',
  contentTypes: ['photo'],
  hmaDefault: true,
  defaultThreshold: 31,
  validate: validatePdq,
  compare(a, b, threshold = 31) {
    const distance = hammingDistanceHex(a, b);
    return { match: distance <= threshold, distance };
  },
};

const videoMd5: SignalType = {
  name: 'video_md5',
  contentTypes: ['video'],
  hmaDefault: true,
  defaultThreshold: null,
  validate: validateMd5,
  compare(a, b) {
    return { match: validateMd5(a) === validateMd5(b), distance: null };
  },
};

const vpdq: SignalType = {
  name: 'vpdq',
  contentTypes: ['video'],
  hmaDefault: false,
  defaultThreshold: PYTX_VPDQ_MATCH.distance,
  validate: validateVpdq,
  compare(a, b, threshold = PYTX_VPDQ_MATCH.distance) {
    const r = matchVpdq(parseVpdqSignal(a), parseVpdqSignal(b), { ...PYTX_VPDQ_MATCH, distance: threshold });
    return {
      match: r.isMatch,
      distance: null,
      detail: { query_match_percent: r.queryMatchPercent, compared_match_percent: r.comparedMatchPercent },
    };
  },
};

export const SIGNAL_TYPES: Readonly<Record<SignalTypeName, SignalType>> = { pdq, video_md5: videoMd5, vpdq };

export function isSignalTypeName(name: string): name is SignalTypeName {
  return (SIGNAL_TYPE_NAMES as readonly string[]).includes(name);
}

export function isContentType(name: string): name is ContentType {
  return (CONTENT_TYPES as readonly string[]).includes(name);
}

export function signalType(name: string): SignalType | undefined {
  return isSignalTypeName(name) ? SIGNAL_TYPES[name] : undefined;
}

/** Signal types that apply to a content type, in registry order. */
export function signalTypesFor(contentType: ContentType): SignalType[] {
  return SIGNAL_TYPE_NAMES.map((n) => SIGNAL_TYPES[n]).filter((t) => t.contentTypes.includes(contentType));
}
