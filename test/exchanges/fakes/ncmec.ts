/**
 * A fake NCMEC hash sharing API v2: Basic auth, `GET /v2/entries?from&to` with
 * `start`/`size` paging (the `next` path XML-escaped, as recorded), entries in a
 * scrambled (not time) order as the real service sends them, deletions, feedback
 * reasons and feedback submissions. Fixtures recorded from the service (the
 * python-threatexchange test data) are in ncmec-fixtures.ts.
 */
import { startFakeServer, xml, type FakeServer } from './server.js';

export interface FakeEntry {
  memberId: number;
  memberName: string;
  id: string;
  type: 'image' | 'video';
  deleted: boolean;
  /** Unix seconds. */
  timestamp: number;
  classification?: string;
  fingerprints: Record<string, string>;
}

export interface FakeNcmec extends FakeServer {
  entries: FakeEntry[];
  pageSize: number;
  reasons: { guid: string; name: string; type: string }[];
  readonly feedback: { path: string; body: string }[];
}

const NS = 'https://hashsharing.ncmec.org/hashsharing/v2';
const iso = (s: number) => new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function entryXml(e: FakeEntry): string {
  const tag = e.deleted ? `deleted${e.type[0]!.toUpperCase()}${e.type.slice(1)}` : e.type;
  const member = `<member id="${e.memberId}">${esc(e.memberName)}</member>`;
  if (e.deleted) return `<${tag}>${member}<id>${esc(e.id)}</id><timestamp>${iso(e.timestamp)}</timestamp></${tag}>`;
  const fps = Object.entries(e.fingerprints).map(([k, v]) => `<${k}>${esc(v)}</${k}>`).join('');
  const cls = e.classification ? `<classification>${e.classification}</classification>` : '';
  return `<${tag}>${member}<timestamp>${iso(e.timestamp)}</timestamp><id>${esc(e.id)}</id>${cls}<fingerprints>${fps}</fingerprints></${tag}>`;
}

/** A stable pseudo-random order: NCMEC pages are not in time order. */
const scramble = (e: FakeEntry) => [...`${e.memberId}-${e.id}`].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);

export function pageXml(entries: readonly FakeEntry[], next: string | null): string {
  const section = (name: 'images' | 'videos', type: 'image' | 'video') => {
    const of = entries.filter((e) => e.type === type);
    if (of.length === 0) return '';
    const max = Math.max(...of.map((e) => e.timestamp));
    return `<${name} count="${of.length}" maxTimestamp="${iso(max)}">${of.map(entryXml).join('')}</${name}>`;
  };
  const paging = next ? `<paging><next>${esc(next)}</next></paging>` : '';
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><queryResult xmlns="${NS}">${section('images', 'image')}${section('videos', 'video')}${paging}</queryResult>`;
}

export async function startFakeNcmec(user = 'user', password = 'secret'): Promise<FakeNcmec> {
  // The handler reads the returned object, so tests may replace its fields.
  let state!: FakeNcmec;
  const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const server = await startFakeServer((req) => {
    if (req.headers.authorization !== expected) return { status: 401, body: 'Unauthorized' };
    const p = req.url.pathname;
    if (req.method === 'GET' && p === '/v2/entries') {
      const q = req.url.searchParams;
      const from = Date.parse(q.get('from') ?? '') / 1000;
      const to = Date.parse(q.get('to') ?? '') / 1000;
      if (Number.isNaN(from) || Number.isNaN(to)) return { status: 400, body: 'bad from/to' };
      const start = Number(q.get('start') ?? 1);
      const size = Number(q.get('size') ?? state.pageSize);
      const inRange = state.entries
        .filter((e) => e.timestamp >= from && e.timestamp <= to)
        .sort((a, b) => scramble(a) - scramble(b));
      const page = inRange.slice(start - 1, start - 1 + size);
      const more = start - 1 + size < inRange.length;
      const nextQ = new URLSearchParams({ from: q.get('from')!, to: q.get('to')!, start: String(start + size), size: String(size), max: String(start + 2 * size - 1) });
      return xml(pageXml(page, more ? `/v2/entries?${nextQ}` : null));
    }
    const reasons = /^\/v2\/feedback\/([A-Z0-9_]+)\/reasons$/.exec(p);
    if (req.method === 'GET' && reasons) {
      const items = state.reasons.map((r) => `<reason guid="${r.guid}" name="${esc(r.name)}" type="${r.type}"/>`).join('');
      return xml(`<?xml version="1.0" encoding="UTF-8"?><availableFeedbackReasons xmlns="${NS}">${items}</availableFeedbackReasons>`);
    }
    if (req.method === 'PUT' && /^\/v2\/entries\/\d+\/[^/]+\/[A-Z0-9_]+\/feedback$/.test(p)) {
      state.feedback.push({ path: p, body: req.body });
      return xml(`<?xml version="1.0" encoding="UTF-8"?><submissionResult xmlns="${NS}"/>`);
    }
    return { status: 404, body: 'no route' };
  });
  state = Object.assign(server, {
    entries: [] as FakeEntry[],
    pageSize: 3,
    reasons: [{ guid: '01234567-abcd-0123-4567-012345678900', name: 'Not CSAM', type: 'Md5' }],
    feedback: [] as { path: string; body: string }[],
  });
  return state;
}
