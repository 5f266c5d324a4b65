/**
 * The signal types this system knows: the one place they are plugged in. Each type lives in
 * src/signals/<type>/ and declares its content types, validation, comparison, index and hasher
 * (src/signals/types.ts); adding one is a folder there and one line below.
 */
import { videoMd5SignalType } from './md5/type.js';
import { pdqSignalType } from './pdq/type.js';
import { CONTENT_TYPES, type ContentType, type SignalType } from './types.js';
import { vpdqSignalType } from './vpdq/type.js';

const REGISTERED = [
  pdqSignalType,
  videoMd5SignalType,
  vpdqSignalType,
] as const;

export { CONTENT_TYPES, type ContentType, type SignalComparison, type SignalType } from './types.js';

export type SignalTypeName = (typeof REGISTERED)[number]['name'];
export const SIGNAL_TYPE_NAMES = REGISTERED.map((t) => t.name) as [SignalTypeName, ...SignalTypeName[]];

export const SIGNAL_TYPES = Object.fromEntries(REGISTERED.map((t) => [t.name, t])) as Readonly<Record<SignalTypeName, SignalType<SignalTypeName>>>;

export function isSignalTypeName(name: string): name is SignalTypeName {
  return (SIGNAL_TYPE_NAMES as readonly string[]).includes(name);
}

export function isContentType(name: string): name is ContentType {
  return (CONTENT_TYPES as readonly string[]).includes(name);
}

export function signalType(name: string): SignalType<SignalTypeName> | undefined {
  return isSignalTypeName(name) ? SIGNAL_TYPES[name] : undefined;
}

/**
 * The registered types followed by `extra` (a test's or an experiment's own types): a list to give
 * a MediaHasher and an in-process executor. Production registers types above instead, since a
 * hash process finds a pixel or frame type's hasher here by name.
 */
export function signalTypesWith(extra: readonly SignalType[]): readonly SignalType[] {
  const names = new Set<string>(SIGNAL_TYPE_NAMES);
  for (const t of extra) {
    if (names.has(t.name)) throw new Error(`signal type '${t.name}' is already registered`);
    names.add(t.name);
  }
  return [...REGISTERED, ...extra];
}

/** Signal types that apply to a content type, in registry order. */
export function signalTypesFor(contentType: ContentType): SignalType<SignalTypeName>[] {
  return REGISTERED.filter((t) => t.contentTypes.includes(contentType));
}

/**
 * The signal types a process installs (config SIGNAL_TYPES), in registry order: built once by the
 * process composition and passed to whatever validates, lists or indexes signals.
 */
export interface SignalTypeRegistry {
  readonly names: readonly SignalTypeName[];
  get(name: string): SignalType<SignalTypeName> | undefined;
}

export function signalTypeRegistry(installed: readonly string[]): SignalTypeRegistry {
  const names = SIGNAL_TYPE_NAMES.filter((n) => installed.includes(n));
  return { names, get: (name) => (names.includes(name as SignalTypeName) ? signalType(name) : undefined) };
}
