/** The pure parts of curation: field validation, page tokens, import line parsing, outbox row mapping. */
import { describe, expect, it } from 'vitest';
import { checkBankName } from '../../src/curation/bank-name.js';
import { parseDisableUntil, parseLabels, parseMetadata, parseNote } from '../../src/curation/content-fields.js';
import { parseFields } from '../../src/curation/exchange-apis.js';
import { exchangeTypeRegistry } from '../../src/exchanges/registry.js';
import { copyField, pgTextArray } from '../../src/curation/import/copy.js';
import { csvHeader, parseCsvRecord, parseJsonLine } from '../../src/curation/import/rows.js';
import { toChangeRecord } from '../../src/curation/outbox/events.js';
import { decodePageToken, encodePageToken } from '../../src/curation/page-token.js';
import { SIGNAL_TYPE_NAMES, signalTypeRegistry } from '../../src/signals/registry.js';

const PDQ = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';

describe('bank names', () => {
  it('follows HMA: upper case, digits, underscores, no leading digit', () => {
    for (const ok of ['A', '_X', 'SEED_BANK_0', 'A1_B2']) expect(checkBankName(ok)).toBe(ok);
    for (const bad of ['', 'a', '0A', 'A-B', 'A B', 'É']) expect(() => checkBankName(bad)).toThrow('Bank names must be UPPER_WITH_UNDERSCORE');
  });
});

describe('content fields', () => {
  it('metadata: drops collab and nulls, refuses unknown keys and wrong types', () => {
    expect(parseMetadata({ content_id: 'a', collab: { x: 1 }, content_uri: null })).toEqual({ content_id: 'a' });
    expect(parseMetadata({})).toBeUndefined();
    expect(() => parseMetadata({ content_id: 5 })).toThrow('Invalid metadata: content_id should be a string');
    expect(() => parseMetadata({ json: 'x' })).toThrow('json should be a json object');
  });
  it('note and labels', () => {
    expect(parseNote('')).toBeNull();
    expect(parseNote('x'.repeat(255))).toHaveLength(255);
    expect(() => parseNote('x'.repeat(256))).toThrow();
    expect(parseLabels([' a ', 'a', 'b'], 'labels')).toEqual(['a', 'b']);
    expect(() => parseLabels('a', 'labels')).toThrow('labels should be a list of strings');
  });
  it('disable_until_ts: 0, 1, timestamps up to now + 5 years', () => {
    const now = 1_700_000_000;
    expect(parseDisableUntil(0, now)).toBe(0);
    expect(parseDisableUntil('42', now)).toBe(42);
    expect(parseDisableUntil(now + 5 * 365 * 86400, now)).toBe(now + 5 * 365 * 86400);
    expect(() => parseDisableUntil(now + 5 * 365 * 86400 + 1, now)).toThrow('less than 5 years');
    expect(() => parseDisableUntil(true, now)).toThrow("Invalid int: 'true'");
  });
});

describe('page tokens', () => {
  it('round-trip, and refuse tampering and the other order', () => {
    const cursor = { updatedAt: '2026-11-22 01:33:56.520123+00', id: 42 };
    const token = encodePageToken(cursor, 'desc');
    expect(decodePageToken(token, 'desc')).toEqual(cursor);
    expect(() => decodePageToken(token, 'asc')).toThrow('order=desc');
    expect(() => decodePageToken(`${token}x`, 'desc')).toThrow();
    const forged = Buffer.from(JSON.stringify({ v: 1, t: "'; DROP TABLE bank; --", i: 1, o: 'desc' })).toString('base64url');
    expect(() => decodePageToken(forged, 'desc')).toThrow('invalid page_token');
  });
});

describe('exchange config fields', () => {
  it('validates required fields, types, enums and unknown keys', () => {
    const ncmec = exchangeTypeRegistry({ PRODUCTION: true }).get('ncmec')!;
    const env = ncmec.configFields[0]!.choices![0]!;
    expect(parseFields(ncmec.configFields, { environment: env, only_esp_ids: [1, 1, 2] })).toEqual({ environment: env, only_esp_ids: [1, 2] });
    expect(parseFields(ncmec.configFields, { environment: env })).toEqual({ environment: env, only_esp_ids: [] });
    expect(() => parseFields(ncmec.configFields, {})).toThrow("missing required field 'environment'");
    expect(() => parseFields(ncmec.configFields, { environment: env, only_esp_ids: ['a'] })).toThrow('list of numbers');
    expect(() => parseFields(ncmec.configFields, { environment: env, name: 'X' })).toThrow("unknown field 'name'");
    expect(parseFields(ncmec.configFields, { environment: env, name: 'X' }, ['name'])).not.toHaveProperty('name');
  });
});

describe('import lines', () => {
  it('CSV: positional and header forms', () => {
    expect(parseCsvRecord(signalTypeRegistry(SIGNAL_TYPE_NAMES), ['pdq', PDQ], undefined)).toMatchObject({ ok: true, row: { signalType: 'pdq', value: PDQ, disableUntil: 1 } });
    const header = csvHeader(['Signal_Type', 'value', 'review_labels', 'extra'])!;
    expect(parseCsvRecord(signalTypeRegistry(SIGNAL_TYPE_NAMES), ['pdq', PDQ, 'a;b', 'e'], header)).toMatchObject({ ok: true, row: { reviewLabels: ['a', 'b'], metadata: { json: { extra: 'e' } } } });
    expect(parseCsvRecord(signalTypeRegistry(SIGNAL_TYPE_NAMES), ['pdq', PDQ, '', '', '', '', 'x'], undefined)).toMatchObject({ ok: false, reason: expect.stringContaining('too many columns') });
    expect(parseCsvRecord(signalTypeRegistry(SIGNAL_TYPE_NAMES), ['pdq'], undefined)).toEqual({ ok: false, reason: 'missing value' });
    expect(parseCsvRecord(signalTypeRegistry(SIGNAL_TYPE_NAMES), ['pdq', PDQ, '', '', '', 'soon'], undefined)).toEqual({ ok: false, reason: 'disable_until_ts must be a non-negative integer' });
  });
  it('JSON lines', () => {
    expect(parseJsonLine(signalTypeRegistry(SIGNAL_TYPE_NAMES), JSON.stringify({ signal_type: 'video_md5', signal_value: 'D41D8CD98F00B204E9800998ECF8427E' })))
      .toMatchObject({ ok: true, row: { value: 'd41d8cd98f00b204e9800998ecf8427e' } });
    expect(parseJsonLine(signalTypeRegistry(SIGNAL_TYPE_NAMES), 'null')).toEqual({ ok: false, reason: 'expected a JSON object' });
  });
  it('COPY encoding keeps NULL apart from empty strings and escapes quotes', () => {
    expect(copyField(null)).toBe('');
    expect(copyField('')).toBe('""');
    expect(copyField('say "hi"')).toBe('"say ""hi"""');
    expect(pgTextArray(['a"b', 'c\\d'])).toBe('{"a\\"b","c\\\\d"}');
  });
});

describe('outbox rows → topic values', () => {
  it('maps signal rows, bank rows and tombstones; change_seq is the outbox seq', () => {
    const createdAt = new Date(1_795_000_000_000);
    expect(toChangeRecord({ seq: 7, topic: 'signals', key: 'pdq:3', createdAt, value: { signal_type: 'pdq', content_id: 3, bank_id: 2, value: PDQ, disable_until_ts: 0 } }))
      .toEqual({ topic: 'signals', key: 'pdq:3', seq: 7, change: { topic: 'signals', value: { signal_type: 'pdq', content_id: 3, bank_id: 2, value: PDQ, disable_until_ts: 0, change_seq: 7, changed_at: createdAt.getTime(), quarantined: false } } });
    expect(toChangeRecord({ seq: 8, topic: 'banks', key: '2', createdAt, value: { bank_id: 2, name: 'B', matching_enabled_ratio: 0.5, labels: ['l'] } }).change)
      .toEqual({ topic: 'banks', value: { bank_id: 2, name: 'B', matching_enabled_ratio: 0.5, labels: ['l'], match_thresholds: {}, allow_list: false, allow_list_scope: null, change_seq: 8, changed_at: createdAt.getTime() } });
    // Bank policy fields as the outbox trigger writes them.
    expect(toChangeRecord({
      seq: 10, topic: 'banks', key: '3', createdAt,
      value: { bank_id: 3, name: 'M', matching_enabled_ratio: 1, labels: [], match_thresholds: { pdq: 20 }, allow_list: true, allow_list_scope: ['shared'] },
    }).change?.value).toMatchObject({ match_thresholds: { pdq: 20 }, allow_list: true, allow_list_scope: ['shared'] });
    expect(toChangeRecord({ seq: 9, topic: 'banks', key: '2', createdAt, value: null }).change).toBeNull();
  });
});
