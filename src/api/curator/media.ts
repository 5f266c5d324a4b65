/**
 * Turning a URL or an upload into signals for POST /c/bank/<b>/content, as HMA's
 * curator does (it hashes itself, no hasher role needed).
 */
import type { Config } from '../../config/config.js';
import { fetchLimitsFrom, fetchMedia } from '../../media/fetch.js';
import { urlPolicyFrom } from '../../net/policy-from-config.js';
import { checkContentType, contentTypeOf } from '../media-input/selection.js';
import type { HashInput } from '../media-input/hash-input.js';

export { checkContentType, parseTypes } from '../media-input/selection.js';

/** Hashes media bytes of a content type with its enabled signal types, optionally narrowed to `types`. */
export type MediaHasher = (bytes: Buffer, contentType: string, types: readonly string[] | undefined) => Promise<Record<string, string>>;

/** The hashing service as curation calls it, through the shared media-input module. */
export function mediaHasherFrom(input: HashInput): MediaHasher {
  return async (bytes, contentType, types) => (await input.hashBytes(bytes, checkContentType(contentType), types)).values;
}

/**
 * A signal the media cannot give (a PDQ below the quality minimum, a video without good
 * frames: HMA's "") is left out when another signal remains; when none remains the empty
 * value goes on and fails validation with HMA's message.
 */
export function usableSignals(values: Readonly<Record<string, string>>): Record<string, string> {
  const usable = Object.entries(values).filter(([, v]) => v !== '');
  return Object.fromEntries(usable.length > 0 ? usable : Object.entries(values));
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
