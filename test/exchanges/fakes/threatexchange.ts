/**
 * A fake ThreatExchange Graph API: `/{group}/threat_updates/` with `start_time` and
 * absolute `paging.next` links (a cursor parameter), token checks answered as the Graph
 * API does (400 with an OAuthException), and reactions recorded.
 */
import { json, startFakeServer, type FakeServer } from './server.js';

export interface FakeDescriptor {
  id: string;
  owner?: { id: string };
  status?: string;
  tags?: string[] | { data: { id: string; text: string }[] };
  reactions?: { key: string; value: string }[];
  added_on?: string;
}

export interface FakeUpdate {
  id: string;
  indicator: string;
  type: string;
  last_updated: number | string;
  should_delete: boolean;
  descriptors?: { data: FakeDescriptor[] };
}

export interface FakeThreatExchange extends FakeServer {
  updates: FakeUpdate[];
  pageSize: number;
  readonly reactions: { descriptor: string; reaction: string }[];
}

export const APP_ID = '1234567890';
export const TOKEN = `${APP_ID}|abcdefghijklmnopqrstuvwxyz012345`;
export const GROUP = 1012185296055235;

const oauthError = () => json({ error: { message: 'Invalid OAuth access token.', type: 'OAuthException', code: 190 } }, 400);

export async function startFakeThreatExchange(): Promise<FakeThreatExchange> {
  let state!: FakeThreatExchange;
  const server = await startFakeServer((req) => {
    const q = req.url.searchParams;
    const token = req.method === 'GET' ? q.get('access_token') : new URLSearchParams(req.body).get('access_token');
    if (token !== TOKEN) return oauthError();
    if (req.method === 'GET' && req.url.pathname === `/${GROUP}/threat_updates/`) {
      const start = Number(q.get('start_time') ?? 0);
      const offset = Number(q.get('after') ?? 0);
      const limit = Math.min(Number(q.get('limit') ?? 100), state.pageSize);
      const matching = state.updates.filter((u) => Number(u.last_updated) >= start).sort((a, b) => Number(a.last_updated) - Number(b.last_updated));
      const page = matching.slice(offset, offset + limit);
      const next = new URL(`${state.url}${req.url.pathname}`);
      for (const [k, v] of q) next.searchParams.set(k, v);
      next.searchParams.set('after', String(offset + limit));
      return json({ data: page, paging: offset + limit < matching.length ? { cursors: {}, next: next.toString() } : { cursors: {} } });
    }
    const react = /^\/(\d+)$/.exec(req.url.pathname);
    if (req.method === 'POST' && react) {
      state.reactions.push({ descriptor: react[1]!, reaction: new URLSearchParams(req.body).get('reactions') ?? '' });
      return json({ success: true });
    }
    return json({ error: { message: 'Unsupported get request', type: 'GraphMethodException', code: 100 } }, 400);
  });
  state = Object.assign(server, { updates: [] as FakeUpdate[], pageSize: 3, reactions: [] as { descriptor: string; reaction: string }[] });
  return state;
}
