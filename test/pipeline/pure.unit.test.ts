/** The pipeline's pure parts: dead-letter mapping, submissions, rules, webhook signatures, request sizes, summaries. */
import { describe, expect, it } from 'vitest';
import { HmaError, type ErrorCode } from '../../src/errors/errors.js';
import { httpStatusOf } from '../../src/runtime/http-errors.js';
import { mediaOf, type MatchResultValue } from '../../src/kafka/values.js';
import { firings, parseRules } from '../../src/pipeline/actioner/rules.js';
import { webhookSecrets } from '../../src/pipeline/actioner/actions.js';
import { signature, verifySignature } from '../../src/pipeline/actioner/webhook.js';
import { classify, malformedEvent, PipelineError } from '../../src/pipeline/deadletter/reasons.js';
import { chunkBySize } from '../../src/pipeline/stage/send-chunks.js';
import { newSubmission } from '../../src/pipeline/submit/submission.js';
import { outcomeRows, table, tally } from '../../src/pipeline/submit/summary.js';

describe('dead-letter reasons', () => {
  it('maps every core error code, retrying only what may succeed later', () => {
    const codes = Object.keys(httpStatusOf) as ErrorCode[];
    const retried = codes.filter((c) => classify(new HmaError(c, 'x')).disposition === 'retry');
    expect(retried.sort()).toEqual(['fetch_transient', 'not_ready', 'rate_limited', 'unavailable']);
    for (const c of codes) expect(classify(new HmaError(c, 'm')).reason).toBe(c);
  });

  it('dead-letters malformed events at once and retries unexpected errors', () => {
    expect(classify(malformedEvent('no id'))).toEqual({ reason: 'malformed_event', disposition: 'deadletter', message: 'no id' });
    expect(classify(new TypeError('bug'))).toMatchObject({ reason: 'internal_error', disposition: 'retry' });
    expect(classify(new PipelineError('action_failed', 'x')).disposition).toBe('deadletter');
  });
});

describe('newSubmission', () => {
  const limits = { maxInlineBytes: 10 };
  it('guesses the content type from the URL path, MIME type or file name', () => {
    expect(newSubmission({ media: { kind: 'url', url: 'https://x.test/a/b.JPG?x=1' } }, limits).content_type).toBe('photo');
    expect(newSubmission({ media: { kind: 'url', url: 'https://x.test/v.mp4' } }, limits).content_type).toBe('video');
    expect(newSubmission({ media: { kind: 'inline', data: Buffer.from('abc'), mimeType: 'video/webm' } }, limits).content_type).toBe('video');
    expect(newSubmission({ media: { kind: 'inline', data: Buffer.from('abc'), fileName: 'p.png' } }, limits).content_type).toBe('photo');
  });

  it('defaults the content id to the submission id and keeps what the caller gave', () => {
    const s = newSubmission({ media: { kind: 'url', url: 'https://x.test/a.jpg' }, metadata: { k: 'v' }, traceId: 't' }, limits, () => 123);
    expect(s.content_id).toBe(s.submission_id);
    expect(s).toMatchObject({ metadata: { k: 'v' }, trace_id: 't', submitted_at: 123 });
    expect(mediaOf(s.media)).toEqual({ kind: 'url', url: 'https://x.test/a.jpg' });
    expect(newSubmission({ media: { kind: 'url', url: 'https://x.test/a.jpg' }, contentId: 'p1' }, limits).content_id).toBe('p1');
  });

  it('refuses what the hasher could not use, with typed errors', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return (err as HmaError).code;
      }
      return 'none';
    };
    expect(code(() => newSubmission({ media: { kind: 'url', url: 'https://x.test/a' } }, limits))).toBe('invalid_input');
    expect(code(() => newSubmission({ media: { kind: 'url', url: 'ftp://x.test/a.jpg' } }, limits))).toBe('invalid_input');
    expect(code(() => newSubmission({ media: { kind: 'url', url: 'not a url.jpg' } }, limits))).toBe('invalid_input');
    expect(code(() => newSubmission({ media: { kind: 'url', url: 'https://x.test/a.jpg' }, contentType: 'audio' }, limits))).toBe('invalid_input');
    expect(code(() => newSubmission({ media: { kind: 'inline', data: Buffer.alloc(11), fileName: 'a.jpg' } }, limits))).toBe('too_large');
    expect(code(() => newSubmission({ media: { kind: 'inline', data: Buffer.alloc(0), fileName: 'a.jpg' } }, limits))).toBe('invalid_input');
    expect(code(() => newSubmission({ media: { kind: 'url', url: 'https://x.test/a.jpg' }, contentId: '' }, limits))).toBe('invalid_input');
  });
});

const result = (matches: MatchResultValue['matches']): MatchResultValue => ({
  submission_id: 's', content_id: 'c', content_type: 'photo', matched: matches.length > 0, matches, suppressed: [], index_positions: {},
  trace_id: null, metadata: null, submitted_at: 0, timings: { hashed_at: 0, match_ms: 0, matched_at: 0 },
});
const match = (bank: string, labels: string[], distance = 0, type = 'pdq') =>
  ({ bank_id: 1, bank_name: bank, bank_content_id: 9, signal_type: type, distance, bank_labels: labels, provenance: null });

describe('actioner rules', () => {
  const yaml = `
rules:
  - name: hook
    when: { labels: [csam, terror] }
    action: { type: webhook, url: "https://h.test/x", secret_env: HOOK }
  - name: close
    when: { banks: [B], max_distance: 10, signal_types: [pdq] }
    action: { type: topic, topic: out.topic }
  - name: all
    action: { type: log, level: warn }
`;
  it('parses YAML (and JSON) and fires rules on the matches that pass them', () => {
    const rules = parseRules(yaml, 'rules.yaml');
    expect(parseRules(JSON.stringify({ rules: [{ name: 'j', action: { type: 'log' } }] }), 'r.json')).toHaveLength(1);
    expect(firings(result([]), rules)).toEqual([]);
    const f = firings(result([match('A', ['terror']), match('B', ['x'], 12), match('B', ['y'], 3)]), rules);
    expect(f.map((x) => [x.rule.name, x.matches.length])).toEqual([['hook', 1], ['close', 1], ['all', 3]]);
    expect(firings(result([match('B', ['y'], 3, 'video_md5')]), rules).map((x) => x.rule.name)).toEqual(['all']);
  });

  it('never fires on a quarantined match (flood quarantine), only on the others of the result', () => {
    const rules = parseRules(yaml, 'rules.yaml');
    expect(firings(result([{ ...match('A', ['terror']), quarantined: true }]), rules)).toEqual([]);
    const f = firings(result([{ ...match('A', ['terror']), quarantined: true }, { ...match('B', ['y'], 3), quarantined: false }]), rules);
    expect(f.map((x) => [x.rule.name, x.matches.length])).toEqual([['close', 1], ['all', 1]]);
  });

  it('refuses bad rule files with the problem and where it is', () => {
    expect(() => parseRules('rules: [', 'r.yaml')).toThrow(/r.yaml: not valid YAML/);
    expect(() => parseRules('rules: []', 'r.yaml')).toThrow(/rules/);
    expect(() => parseRules('rules: [{ name: a, action: { type: email } }]', 'r.yaml')).toThrow(/r.yaml: rules.0.action/);
    expect(() => parseRules('rules: [{ name: a, action: { type: webhook, url: "ftp://x" , secret_env: S} }]', 'r.yaml')).toThrow(/url/);
    expect(() => parseRules('rules: [{ name: a, action: { type: log } }, { name: a, action: { type: log } }]', 'r.yaml')).toThrow(/used twice/);
    expect(() => parseRules('rules: [{ name: a, when: { bank: [x] }, action: { type: log } }]', 'r.yaml')).toThrow(/when/);
    expect(() => webhookSecrets(parseRules(yaml, 'r'), {})).toThrow(/HOOK \(rule hook\)/);
    expect(webhookSecrets(parseRules(yaml, 'r'), { HOOK: 's' }).get('hook')).toBe('s');
  });
});

describe('webhook signatures', () => {
  it('verify for the right secret, body and time only', () => {
    const now = 1_800_000_000;
    const header = signature('k', now, '{"a":1}');
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    expect(verifySignature('k', header, '{"a":1}', now)).toBe(true);
    expect(verifySignature('k', header, '{"a":2}', now)).toBe(false);
    expect(verifySignature('x', header, '{"a":1}', now)).toBe(false);
    expect(verifySignature('k', header, '{"a":1}', now + 301)).toBe(false);
    expect(verifySignature('k', 'garbage', '{"a":1}', now)).toBe(false);
  });
});

describe('chunkBySize', () => {
  it('keeps every request under the limit except single oversized messages', () => {
    const m = (n: number) => ({ key: 'k', value: Buffer.alloc(n) });
    const chunks = chunkBySize([m(100), m(100), m(900), m(50), m(2000), m(10)], 1000);
    expect(chunks.map((c) => c.map((x) => x.value.length))).toEqual([[100, 100], [900], [50], [2000], [10]]);
    expect(chunkBySize([])).toEqual([]);
  });
});

describe('summaries', () => {
  it('tallies outcomes and lists matches and failures', () => {
    const items = [{ item: 'a.jpg', submissionId: '1' }, { item: 'b.jpg', submissionId: '2' }, { item: 'c.jpg', submissionId: '3' }, { item: 'd.jpg', submissionId: '4' }];
    const outcomes = new Map([
      ['1', { kind: 'result' as const, result: result([match('A', ['l1'], 5), match('B', ['l2'], 2)]) }],
      ['2', { kind: 'result' as const, result: result([]) }],
      ['3', { kind: 'failed' as const, deadLetter: { original_topic: 't', original_partition: 0, original_offset: 0, original_key: null, original_value: null, stage: 'hasher', reason: 'unsupported_media', message: 'bad', attempts: 1, failed_at: 0 } }],
    ]);
    const t = tally(items, outcomes);
    expect(t).toMatchObject({ total: 4, matched: 1, notMatched: 1, failed: 1, pending: 1 });
    expect(t.failedByReason.get('unsupported_media')).toBe(1);
    const rows = outcomeRows(items, outcomes, true);
    expect(rows).toEqual([
      ['a.jpg', 'MATCH', 'A,B', 'l1,l2', 'distance 2'],
      ['c.jpg', 'failed: unsupported_media', '', '', 'bad'],
      ['d.jpg', 'pending', '', '', ''],
    ]);
    expect(table(['x', 'yy'], [['long', 'b']]).split('\n')).toEqual(['x     yy', '----  --', 'long  b']);
  });
});
