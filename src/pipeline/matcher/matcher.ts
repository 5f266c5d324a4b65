/** The matcher stage's input check; `hma matcher` is composed in src/processes/matcher.ts. */
import type { ContentHashedValue } from '../../kafka/values.js';
import { malformedEvent } from '../deadletter/reasons.js';

export function validateHashed(v: ContentHashedValue): void {
  if (v.submission_id === '') throw malformedEvent('content.hashed event without a submission_id');
  if (v.content_id === '') throw malformedEvent('content.hashed event without a content_id');
}
