/**
 * Which content type and signal types a hashing request means, with HMA's
 * messages: `content_type` names, `types` lists, and a response's Content-Type.
 */
import type { Config } from '../../config/config.js';
import { invalidInput } from '../../errors/errors.js';
import { isContentType, signalTypesFor, type ContentType, type SignalTypeName } from '../../signals/registry.js';

export function checkContentType(name: string): ContentType {
  if (!isContentType(name)) throw invalidInput(`no such content_type: '${name}'`);
  return name;
}

/** HMA: the content_type parameter wins; otherwise image/* → photo, video/* → video. */
export function contentTypeOf(param: string | undefined, header: string | undefined): ContentType {
  if (param) return checkContentType(param);
  if (header?.startsWith('image/')) return 'photo';
  if (header?.startsWith('video/')) return 'video';
  throw invalidInput(
    `unsupported url ContentType: '${header ?? ''}', if you know the expected type, provide it with the content_type query param`,
  );
}

/** The `types` query parameter: a comma list, or undefined when absent. */
export function parseTypes(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const types = raw.split(',').map((t) => t.trim()).filter((t) => t.length > 0);
  if (types.length === 0) throw invalidInput('empty signal type selection');
  return types;
}

/** Enabled signal types for a content type, narrowed by `types` (HMA's messages for unknown ones). */
export function selectSignalTypes(config: Pick<Config, 'SIGNAL_TYPES'>, contentType: ContentType, types: readonly string[] | undefined): SignalTypeName[] {
  const enabled = signalTypesFor(contentType)
    .map((t) => t.name)
    .filter((n) => config.SIGNAL_TYPES.includes(n));
  if (types === undefined) return enabled;
  return types.map((t) => {
    const found = enabled.find((n) => n === t);
    if (!found) throw invalidInput(`signal type '${t}' doesn't exist or is disabled`);
    return found;
  });
}
