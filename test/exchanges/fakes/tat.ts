/**
 * A fake Tech Against Terrorism hash list API: form login returning a bearer token
 * (which can be made to expire), `api/hash-list/v2/all?order=asc&after=<cursor>` pages
 * with a `checkpoint` cursor per page, and `next` given either as a full URL or as a
 * bare query string.
 */
import { json, startFakeServer, type FakeServer } from './server.js';

export interface FakeTatResult {
  id: number;
  hash_digest: string;
  algorithm: string;
  ideology: string;
  file_type: string;
  deleted: boolean;
  updated_on: number;
  created_on: number;
}

export interface FakeTat extends FakeServer {
  results: FakeTatResult[];
  pageSize: number;
  nextStyle: 'url' | 'query';
  /** Tokens stop working after this many uses (forces a re-login). */
  tokenUses: number;
  logins: number;
}

export const TAT_CREDS = { username: 'analyst', password: 'pw' };

const cursorOf = (r: FakeTatResult) => `${r.updated_on.toFixed(6)},${r.id}`;
const after = (r: FakeTatResult, cursor: string) => {
  const [ts, id] = cursor.split(',');
  return r.updated_on > Number(ts) || (r.updated_on === Number(ts) && r.id > Number(id));
};

export async function startFakeTat(): Promise<FakeTat> {
  let state!: FakeTat;
  const tokens = new Map<string, number>();
  const server = await startFakeServer((req) => {
    if (req.method === 'POST' && req.url.pathname === '/token-auth/tcap/') {
      const form = new URLSearchParams(req.body);
      if (form.get('username') !== TAT_CREDS.username || form.get('password') !== TAT_CREDS.password) {
        return json({ non_field_errors: ['Unable to log in with provided credentials.'] }, 400);
      }
      state.logins += 1;
      const token = `tok-${state.logins}`;
      tokens.set(token, state.tokenUses);
      return json({ user: { username: TAT_CREDS.username }, token });
    }
    if (req.method === 'GET' && req.url.pathname === '/api/hash-list/v2/all') {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      const left = tokens.get(token) ?? 0;
      if (left <= 0) return json({ detail: 'Given token not valid for any token type' }, 401);
      tokens.set(token, left - 1);
      const q = req.url.searchParams;
      const cursor = q.get('after');
      const offset = Number(q.get('offset') ?? 0);
      const sorted = [...state.results].sort((a, b) => a.updated_on - b.updated_on || a.id - b.id);
      const matching = cursor ? sorted.filter((r) => after(r, cursor)) : sorted;
      const page = matching.slice(offset, offset + state.pageSize);
      const nextQ = new URLSearchParams({ order: 'asc', ...(cursor ? { after: cursor } : {}), offset: String(offset + state.pageSize) });
      const more = offset + state.pageSize < matching.length;
      const next = !more ? null : state.nextStyle === 'url' ? `${state.url}/api/hash-list/v2/all?${nextQ}` : nextQ.toString();
      return json({
        count: matching.length,
        next,
        previous: null,
        checkpoint: page.length > 0 ? cursorOf(page.at(-1)!) : '',
        results: page.map((r) => ({ ...r, extra_field: 'ignored' })),
      });
    }
    return { status: 404 };
  });
  state = Object.assign(server, { results: [] as FakeTatResult[], pageSize: 3, nextStyle: 'query' as const, tokenUses: 1000, logins: 0 });
  return state;
}
