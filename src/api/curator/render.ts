/** HMA's JSON shapes for curation objects (docs/reference/hma-api.md §1.6), plus our documented additions. */
import type { Bank } from '../../curation/banks.js';
import type { Content } from '../../curation/contents.js';

export const bankJson = (b: Bank) => ({
  name: b.name,
  matching_enabled_ratio: b.matching_enabled_ratio,
  labels: [...b.labels],
  exchange: b.exchange,
  // Beyond HMA, and only when set: a bank without thresholds keeps HMA's shape.
  ...(Object.keys(b.match_thresholds).length > 0 ? { match_thresholds: { ...b.match_thresholds } } : {}),
  ...(b.allow_list ? { allow_list: true, allow_list_scope: b.allow_list_scope === null ? null : [...b.allow_list_scope] } : {}),
});

/** HMA's metadata object: content_id, content_uri, json, collab (unset ones null). */
function metadataJson(c: Content) {
  return {
    content_id: c.platform_content_id,
    content_uri: c.metadata?.content_uri ?? null,
    json: c.metadata?.json ?? null,
    collab: Object.keys(c.collab).length > 0 ? c.collab : null,
  };
}

const hasMetadata = (c: Content) => c.platform_content_id !== null || c.metadata !== null || Object.keys(c.collab).length > 0;

/** GET /c/bank/<b>/content/<id>: optional keys are omitted, as HMA does. */
export function contentJson(bank: Bank, c: Content, opts: { signals: boolean; metadata: boolean }) {
  const hasSignals = Object.keys(c.signals).length > 0;
  return {
    id: c.id,
    disable_until_ts: c.disable_until_ts,
    original_media_uri: c.original_content_uri,
    bank: bankJson(bank),
    ...(opts.signals && hasSignals ? { signals: c.signals } : {}),
    ...(opts.metadata && hasMetadata(c) ? { metadata: metadataJson(c) } : {}),
    ...(c.note !== null ? { note: c.note } : {}),
    ...(c.review_labels.length > 0 ? { review_labels: [...c.review_labels] } : {}),
  };
}

/** PUT /c/bank/<b>/content/<id> answers HMA's raw record shape. */
export function contentRecordJson(bank: Bank, c: Content) {
  const user = c.platform_content_id !== null || c.metadata !== null
    ? { content_id: c.platform_content_id, content_uri: c.metadata?.content_uri ?? null, json: c.metadata?.json ?? null }
    : null;
  return {
    id: c.id,
    disable_until_ts: c.disable_until_ts,
    collab_metadata: c.collab,
    original_media_uri: c.original_content_uri,
    bank: bankJson(bank),
    user_metadata: user,
    note: c.note,
    review_labels: [...c.review_labels],
  };
}

/** One item of the paginated listing. */
export const listedContentJson = (c: Content) => ({
  id: c.id,
  disable_until_ts: c.disable_until_ts,
  signals: c.signals,
  updated_at: c.updated_at.toISOString(),
  ...(c.note !== null ? { note: c.note } : {}),
  ...(c.platform_content_id !== null ? { platform_content_id: c.platform_content_id } : {}),
  ...(c.review_labels.length > 0 ? { review_labels: [...c.review_labels] } : {}),
});
