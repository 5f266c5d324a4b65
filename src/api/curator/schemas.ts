/** JSON schemas shared by the /c routes (validation and the OpenAPI document). */
import { float } from '../hma-json.js';

export const message = {
  type: 'object',
  properties: { message: { type: 'string' } },
  required: ['message'],
} as const;

/** Error answers every route may give. */
export const errors = { 400: message, 404: message } as const;

export const bank = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    matching_enabled_ratio: float,
    labels: { type: 'array', items: { type: 'string' } },
    exchange: { type: ['string', 'null'], description: 'the exchange that owns this bank, if any' },
    match_thresholds: {
      type: 'object',
      additionalProperties: { type: 'integer' },
      description: 'per signal type, the widest distance at which this bank matches (present only when set)',
    },
    allow_list: { type: 'boolean', description: 'present (true) only for an allow-list bank: it never matches, it suppresses' },
    allow_list_scope: { type: ['array', 'null'], items: { type: 'string' }, description: 'labels of the banks it suppresses; null = every bank' },
  },
  required: ['name', 'matching_enabled_ratio'],
} as const;

/** Allow-list settings in a create/update body. */
export const allowListFields = {
  allow_list: { type: ['boolean', 'null'], description: 'an allow-list bank never matches; content matching it has in-scope matches suppressed' },
  allow_list_scope: { type: ['array', 'null'], items: { type: 'string' }, maxItems: 100, description: 'labels of the banks it suppresses; [] = every bank (default)' },
} as const;

/** A bank's per signal type thresholds in a create/update body; curation checks types and bounds (400). */
export const matchThresholds = {
  type: ['object', 'null'],
  description: 'signal type → match threshold, e.g. {"pdq": 20}; bounded by the type\'s maximum; {} clears; a lookup\'s `threshold` only narrows it',
} as const;

export const bankNameParam = {
  type: 'object',
  properties: { bank_name: { type: 'string', maxLength: 1024 } },
  required: ['bank_name'],
} as const;

export const contentParams = {
  type: 'object',
  properties: {
    bank_name: { type: 'string', maxLength: 1024 },
    content_id: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
  },
  required: ['bank_name', 'content_id'],
} as const;

export const labels = { type: 'array', items: { type: 'string' }, maxItems: 100 } as const;

/** Any JSON object (HMA reads these bodies with get_json and checks them itself). */
export const anyObject = { type: 'object', additionalProperties: true } as const;

export const signals = {
  type: 'object',
  additionalProperties: { type: 'string' },
  description: 'signal type → signal value',
} as const;

/** HMA's user metadata object (content_id, content_uri, json, and collab on GET). */
const metadataObject = { type: ['object', 'null'], additionalProperties: true } as const;

/** GET /c/bank/<b>/content/<id>: optional keys are omitted as HMA does. */
export const content = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    disable_until_ts: { type: 'integer' },
    original_media_uri: { type: ['string', 'null'] },
    bank,
    signals,
    metadata: metadataObject,
    note: { type: 'string' },
    review_labels: labels,
  },
} as const;

/** PUT /c/bank/<b>/content/<id>: HMA's raw record shape. */
export const contentRecord = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    disable_until_ts: { type: 'integer' },
    collab_metadata: { type: 'object', additionalProperties: true },
    original_media_uri: { type: ['string', 'null'] },
    bank,
    user_metadata: metadataObject,
    note: { type: ['string', 'null'] },
    review_labels: labels,
  },
} as const;

export const added = {
  type: 'object',
  properties: { id: { type: 'integer' }, signals },
  required: ['id', 'signals'],
} as const;

/**
 * Optional fields of an add. metadata and note carry no type here: the domain checks
 * them so that the messages are HMA's (e.g. "note should be a string").
 */
export const contentExtras = {
  metadata: { description: 'user metadata object: content_id (the platform content id), content_uri, json' },
  note: { description: 'a string of at most 255 characters' },
  platform_content_id: { type: 'string', maxLength: 1024, description: "the platform's own id of the content (= metadata.content_id)" },
  review_labels: labels,
} as const;
