/** HMA's JSON writing (src/api/hma-json.ts): sorted keys, schema-marked floats, JSON.stringify's rules otherwise. */
import { describe, expect, it } from 'vitest';
import { float, hmaStringify } from '../../src/api/hma-json.js';

const bank = { type: 'object', properties: { name: { type: 'string' }, matching_enabled_ratio: float } } as const;

describe('hmaStringify', () => {
  it('sorts keys at every level, in arrays too', () => {
    expect(hmaStringify({ b: 1, a: { z: [{ y: 1, x: 2 }], c: null } })).toBe('{"a":{"c":null,"z":[{"x":2,"y":1}]},"b":1}');
  });

  it('writes whole numbers of float fields with a fraction, and nothing else', () => {
    expect(hmaStringify({ name: 'B', matching_enabled_ratio: 1 }, bank)).toBe('{"matching_enabled_ratio":1.0,"name":"B"}');
    expect(hmaStringify({ name: 'B', matching_enabled_ratio: 0 }, bank)).toBe('{"matching_enabled_ratio":0.0,"name":"B"}');
    expect(hmaStringify({ name: 'B', matching_enabled_ratio: 0.25 }, bank)).toBe('{"matching_enabled_ratio":0.25,"name":"B"}');
    expect(hmaStringify({ matching_enabled_ratio: 1 })).toBe('{"matching_enabled_ratio":1}');
    expect(hmaStringify({ id: 3, ratio: 1 }, { type: 'object', properties: { id: { type: 'integer' }, ratio: float } })).toBe('{"id":3,"ratio":1.0}');
  });

  it('follows items, additionalProperties and tuple items to the float fields', () => {
    const list = { type: 'array', items: bank } as const;
    expect(hmaStringify([{ name: 'A', matching_enabled_ratio: 1 }], list)).toBe('[{"matching_enabled_ratio":1.0,"name":"A"}]');
    const byType = { type: 'object', additionalProperties: { type: 'object', properties: { p: float }, additionalProperties: true } } as const;
    expect(hmaStringify({ vpdq: { p: 100, n: 2 } }, byType)).toBe('{"vpdq":{"n":2,"p":100.0}}');
    const tuple = { type: 'array', items: [{ type: 'boolean' }, { type: 'object', properties: { q: float } }] } as const;
    expect(hmaStringify([true, { q: 50 }], tuple)).toBe('[true,{"q":50.0}]');
  });

  it('emits only declared properties unless the schema allows more (as the default serializer does)', () => {
    expect(hmaStringify({ name: 'A', matching_enabled_ratio: 1, secret: 'x' }, bank)).toBe('{"matching_enabled_ratio":1.0,"name":"A"}');
    expect(hmaStringify({ a: 1, extra: 2 }, { type: 'object', properties: { a: { type: 'integer' } }, additionalProperties: true })).toBe('{"a":1,"extra":2}');
    expect(hmaStringify({ anything: 1 }, {})).toBe('{"anything":1}');
    expect(hmaStringify({ name: 'A', toString: 'x', constructor: 'y' }, bank)).toBe('{"name":"A"}');
  });

  it('writes numeric text as a number where the schema declares one (Postgres bigints), and only there', () => {
    const status = { type: 'object', properties: { fetched_items: { type: 'integer' }, checkpoint_ts: { type: ['integer', 'null'] }, ratio: float, name: { type: 'string' } } } as const;
    expect(hmaStringify({ fetched_items: '18', checkpoint_ts: null, ratio: '1', name: '42' }, status)).toBe('{"checkpoint_ts":null,"fetched_items":18,"name":"42","ratio":1.0}');
    expect(hmaStringify({ fetched_items: 'many' }, status)).toBe('{"fetched_items":"many"}');
    expect(hmaStringify({ n: '7' })).toBe('{"n":"7"}');
    expect(hmaStringify({ name: 42 }, status)).toBe('{"name":"42"}');
    expect(hmaStringify({ v: 3 }, { type: 'object', properties: { v: { type: ['string', 'integer'] } } })).toBe('{"v":3}');
  });

  it('keeps JSON.stringify semantics: toJSON, undefined, NaN, nested nulls', () => {
    const when = new Date('2026-01-02T03:04:05.000Z');
    expect(hmaStringify({ at: when, gone: undefined, bad: Number.NaN, list: [undefined, 1] })).toBe(
      '{"at":"2026-01-02T03:04:05.000Z","bad":null,"list":[null,1]}',
    );
    expect(hmaStringify('text')).toBe('"text"');
    expect(hmaStringify(undefined)).toBe('null');
    expect(JSON.parse(hmaStringify({ s: 'quote " and \u2028' }))).toEqual({ s: 'quote " and \u2028' });
  });
});
