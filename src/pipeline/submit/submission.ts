/**
 * Building a content submission (pure): the content type from what the caller
 * said or from the media's MIME type or file name, the size limit of inline media,
 * and ids. One place for the rules the API, `hma submit` and `hma scan` share.
 */
import { randomUUID } from 'node:crypto';
import { contentTypeFromExtension, contentTypeFromMime } from '../../hashing/content-type.js';
import { HmaError, invalidInput } from '../../errors/errors.js';
import { mediaInline, mediaUrl, type ContentSubmittedValue } from '../../kafka/values.js';
import { CONTENT_TYPES } from '../../signals/registry.js';

export type SubmittedMedia =
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'inline'; readonly data: Buffer; readonly mimeType?: string; readonly fileName?: string };

export interface SubmissionInput {
  readonly media: SubmittedMedia;
  /** The platform's id for the content; defaults to the submission id. */
  readonly contentId?: string;
  /** photo or video; guessed from the MIME type or file name when absent. */
  readonly contentType?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly traceId?: string;
}

const MAX_ID_LENGTH = 512;

function contentTypeOf(input: SubmissionInput): string {
  if (input.contentType !== undefined) {
    if (!(CONTENT_TYPES as readonly string[]).includes(input.contentType)) {
      throw invalidInput(`no such content_type '${input.contentType}' (expected ${CONTENT_TYPES.join(' or ')})`);
    }
    return input.contentType;
  }
  const m = input.media;
  const guess =
    m.kind === 'url'
      ? contentTypeFromExtension(safePathname(m.url))
      : contentTypeFromMime(m.mimeType) ?? (m.fileName ? contentTypeFromExtension(m.fileName) : undefined);
  if (!guess) throw invalidInput('content_type is required when it cannot be told from the media type or file name');
  return guess;
}

function safePathname(raw: string): string {
  try {
    return new URL(raw).pathname;
  } catch {
    return '';
  }
}

export interface SubmissionLimits {
  readonly maxInlineBytes: number;
}

export function newSubmission(input: SubmissionInput, limits: SubmissionLimits, now: () => number = Date.now): ContentSubmittedValue {
  const submissionId = randomUUID();
  const contentId = input.contentId ?? submissionId;
  if (contentId.length === 0 || contentId.length > MAX_ID_LENGTH) throw invalidInput(`content_id must have 1 to ${MAX_ID_LENGTH} characters`);
  const contentType = contentTypeOf(input);
  const m = input.media;
  if (m.kind === 'url') {
    let url: URL;
    try {
      url = new URL(m.url);
    } catch {
      throw invalidInput(`not an absolute URL: '${m.url}'`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidInput('the media URL must be http or https');
  } else {
    if (m.data.length === 0) throw invalidInput('empty media');
    if (m.data.length > limits.maxInlineBytes) {
      throw new HmaError('too_large', `inline media is limited to ${limits.maxInlineBytes} bytes (got ${m.data.length}); submit a URL instead`);
    }
  }
  return {
    submission_id: submissionId,
    content_id: contentId,
    content_type: contentType,
    media: m.kind === 'url' ? mediaUrl(m.url) : mediaInline(m.data, m.mimeType ?? null),
    metadata: input.metadata && Object.keys(input.metadata).length > 0 ? { ...input.metadata } : null,
    trace_id: input.traceId ?? null,
    submitted_at: now(),
  };
}
