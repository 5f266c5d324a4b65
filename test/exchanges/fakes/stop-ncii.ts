/**
 * A fake StopNCII API: function and subscription keys checked on every call,
 * FetchHashes paging by nextPageToken under one startTimestamp, records as full
 * snapshots of a hash (status Withdrawn/Deleted included), SubmitFeedback recorded.
 */
import { json, startFakeServer, type FakeServer } from './server.js';

export interface FakeHashRecord {
  lastModtimestamp: number;
  signalType: string;
  hashValue: string;
  hashStatus: string;
  caseNumbers: Record<string, string>;
  CSPFeedbacks?: { source: string; feedbackValue: string; tags: string[] }[];
}

export interface FakeStopNcii extends FakeServer {
  records: FakeHashRecord[];
  /** Records per page at most (the client asks for 800). */
  pageSize: number;
  readonly feedback: unknown[];
}

export const KEYS = { fetch_function_key: 'fetch-key', subscription_key: 'sub-key', submit_feedback_function_key: 'submit-key' };

const token = (start: number, offset: number) => Buffer.from(JSON.stringify({ start, offset })).toString('base64url');

export async function startFakeStopNcii(): Promise<FakeStopNcii> {
  let state!: FakeStopNcii;
  const server = await startFakeServer((req) => {
    const sub = req.headers['ocp-apim-subscription-key'];
    const fn = req.headers['x-functions-key'];
    if (req.method === 'GET' && req.url.pathname === '/FetchHashes') {
      if (sub !== KEYS.subscription_key || fn !== KEYS.fetch_function_key) return json({ message: 'Access denied' }, 401);
      const q = req.url.searchParams;
      const start = Number(q.get('startTimestamp'));
      const size = Math.min(Number(q.get('pageSize')), state.pageSize);
      let offset = 0;
      const t = q.get('nextPageToken');
      if (t) {
        const parsed = JSON.parse(Buffer.from(t, 'base64url').toString()) as { start: number; offset: number };
        if (parsed.start !== start) return json({ message: 'bad token' }, 400);
        offset = parsed.offset;
      }
      const matching = state.records.filter((r) => r.lastModtimestamp >= start).sort((a, b) => a.lastModtimestamp - b.lastModtimestamp);
      const page = matching.slice(offset, offset + size);
      const more = offset + size < matching.length;
      return json({
        count: page.length,
        nextSetTimestamp: page.at(-1)?.lastModtimestamp ?? start,
        nextPageToken: more ? token(start, offset + size) : null,
        hasMoreRecords: more,
        hashRecords: page,
      });
    }
    if (req.method === 'POST' && req.url.pathname === '/SubmitFeedback') {
      if (sub !== KEYS.subscription_key || fn !== KEYS.submit_feedback_function_key) return json({ message: 'Access denied' }, 401);
      state.feedback.push(JSON.parse(req.body));
      return json({ message: 'ok' });
    }
    return { status: 404 };
  });
  state = Object.assign(server, { records: [] as FakeHashRecord[], pageSize: 3, feedback: [] as unknown[] });
  return state;
}
