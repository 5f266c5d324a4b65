/**
 * Turning a URL or an upload into signals for POST /c/bank/<b>/content, as HMA's
 * curator does (it hashes itself, no hasher role needed).
 */
import type { Config } from '../../config/config.js';
import { invalidInput } from '../../errors/errors.js';
import { fetchMedia } from '../../media/fetch.js';
import { fetchLimitsFrom, urlPolicyFrom } from '../../media/policy-from-config.js';
import { contentTypeNames } from '../../curation/signal-types.js';
import { hmaSignalValue, type MediaHasher as HashingService } from '../../hashing/index.js';
import { isContentType, isSignalTypeName, signalTypesFor } from '../../signals/registry.js';

/** Hashes media bytes of a content type with its enabled signal types, optionally narrowed to `types`. */
export type MediaHasher = (bytes: Buffer, contentType: string, types: readonly string[] | undefined) => Promise<Record<string, string>>;

/**
 * Curation's view of the hashing service. A signal the media cannot give (a PDQ below
 * the quality minimum, a video without good frames: HMA's "") is left out when another
 * signal remains; when none remains the empty value goes on and fails validation with
 * HMA's message.
 */
export function mediaHasherFrom(service: HashingService): MediaHasher {
  return async (bytes, contentType, types) => {
    if (!isContentType(contentType)) throw invalidInput(`no such content_type: '${contentType}'`);
    const applicable = signalTypesFor(contentType).map((t) => t.name as string);
    for (const t of types ?? []) {
      if (!isSignalTypeName(t) || !applicable.includes(t)) throw invalidInput(`signal type '${t}' doesn't exist or is disabled`);
    }
    const result = await service.hashMedia({
      source: { bytes },
      contentType,
      signalTypes: types?.filter(isSignalTypeName),
    });
    const all = Object.values(result.signals).flatMap((r) => (r ? [[r.type, hmaSignalValue(r)] as const] : []));
    const usable = all.filter(([, v]) => v !== '');
    return Object.fromEntries(usable.length > 0 ? usable : all);
  };
}

export function checkContentType(name: string): string {
  if (!contentTypeNames().includes(name)) throw invalidInput(`no such content_type: '${name}'`);
  return name;
}

/** HMA: the content_type parameter wins; otherwise image/* → photo, video/* → video. */
function contentTypeOf(param: string | undefined, header: string | undefined): string {
  if (param) return checkContentType(param);
  if (header?.startsWith('image/')) return 'photo';
  if (header?.startsWith('video/')) return 'video';
  throw invalidInput(
    `unsupported url ContentType: '${header ?? ''}', if you know the expected type, provide it with the content_type query param`,
  );
}

export function parseTypes(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const types = raw.split(',').map((t) => t.trim()).filter((t) => t.length > 0);
  if (types.length === 0) throw invalidInput('empty signal type selection');
  return types;
}

export async function hashUrl(
  config: Config,
  hasher: MediaHasher,
  url: string,
  contentType: string | undefined,
  types: readonly string[] | undefined,
): Promise<Record<string, string>> {
  if (contentType) checkContentType(contentType); // refuse before downloading
  const media = await fetchMedia(url, urlPolicyFrom(config), fetchLimitsFrom(config));
  return hasher(media.bytes, contentTypeOf(contentType, media.contentType), types);
}
