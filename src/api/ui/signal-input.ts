/**
 * The three ways a UI form names content: an uploaded file, a URL (fetched and hashed
 * here, with the media fetcher's SSRF checks), or a signal typed in. Each becomes a
 * `{signal_type: value}` map.
 */
import { HmaError, invalidInput } from '../../errors/errors.js';
import { normalizeSignal } from '../../curation/signal-types.js';
import type { SignalTypeRegistry } from '../../signals/registry.js';
import { checkContentType } from '../media-input/selection.js';
import { field, requiredField, type Form } from './forms.js';
import type { UiMedia } from './media.js';

export type Source = 'upload' | 'url' | 'hash';

export interface SignalInput {
  readonly source: Source;
  /** What was asked, for the result heading: a file name, a URL or a hash. */
  readonly label: string;
  readonly signals: Record<string, string>;
}

export function sourceOf(form: Form): Source {
  const s = field(form, 'source') ?? (form.file ? 'upload' : field(form, 'url') ? 'url' : 'hash');
  if (s !== 'upload' && s !== 'url' && s !== 'hash') throw invalidInput(`unknown source '${s}'`);
  return s;
}

export async function hashUploaded(media: UiMedia, form: Form): Promise<SignalInput> {
  if (!form.file) throw invalidInput('Choose a file to upload');
  const contentType = checkContentType(field(form, 'content_type') ?? 'photo');
  const { values } = await media.input.hashBytes(form.file.bytes, contentType, undefined);
  return { source: 'upload', label: form.file.filename || 'uploaded file', signals: values };
}

/** HMA's /ui/query_url wraps hashing failures: 400 "Failed to hash URL content: …". */
export async function hashFetched(media: UiMedia, form: Form): Promise<SignalInput> {
  const url = requiredField(form, 'url', 'URL is required');
  const contentType = requiredField(form, 'content_type', 'Content type is required');
  try {
    return { source: 'url', label: url, signals: (await media.input.hashUrl(url, contentType, undefined)).values };
  } catch (err) {
    if (err instanceof HmaError && err.code !== 'not_ready') {
      throw new HmaError(err.code === 'too_large' ? 'too_large' : 'invalid_input', `Failed to hash URL content: ${err.message}`);
    }
    throw err;
  }
}

export function typedSignal(types: SignalTypeRegistry, form: Form): SignalInput {
  const type = requiredField(form, 'signal_type', 'Signal type is required');
  const value = requiredField(form, 'signal_value', 'Signal value is required');
  return { source: 'hash', label: value, signals: { [type]: normalizeSignal(types, type, value) } };
}

export function signalInput(types: SignalTypeRegistry, media: UiMedia, form: Form): Promise<SignalInput> {
  switch (sourceOf(form)) {
    case 'upload':
      return hashUploaded(media, form);
    case 'url':
      return hashFetched(media, form);
    case 'hash':
      return Promise.resolve(typedSignal(types, form));
  }
}
