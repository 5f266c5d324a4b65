/**
 * HTTP client of the TAT hash list API: one bearer token per session, renewed only when
 * the API refuses it (the reference authenticated before every page: docs/reference/exchanges.md §6 #5).
 */
import { ExchangeError, authError, malformed } from '../errors.js';
import { parseJson } from '../fields.js';
import type { HttpClient } from '../http.js';
import { parseTatAuth, parseTatPage, type TatPage } from './wire.js';

export const TAT_BASE_URL = 'https://app.terrorismanalytics.org/';
const LIST_PATH = 'api/hash-list/v2/all';

export class TatClient {
  private token: string | null = null;

  constructor(
    private readonly http: HttpClient,
    /** Ends with '/'. */
    private readonly baseUrl: string,
    private readonly username: string,
    private readonly password: string,
    private readonly signal?: AbortSignal,
  ) {}

  private async authenticate(): Promise<string> {
    const form = new URLSearchParams({ username: this.username, password: this.password, resend: 'False' });
    let res;
    try {
      res = await this.http.request({
        method: 'POST',
        url: `${this.baseUrl}token-auth/tcap/`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        what: 'TAT authentication',
        signal: this.signal,
      });
    } catch (err) {
      // A refused login is answered 400 by some deployments.
      if (err instanceof ExchangeError && err.kind === 'upstream' && err.status === 400) throw authError('TAT authentication: credentials refused (HTTP 400)');
      throw err;
    }
    this.token = parseTatAuth(parseJson(res.text, 'TAT authentication'));
    return this.token;
  }

  /** First page after `after` (a checkpoint string; empty = from the start). */
  firstPage(after: string): Promise<TatPage> {
    const q = new URLSearchParams({ order: 'asc' });
    if (after !== '') q.set('after', after);
    return this.getPage(`${this.baseUrl}${LIST_PATH}?${q}`);
  }

  /** `next` may be an absolute URL or just its query string. */
  nextPage(next: string): Promise<TatPage> {
    if (/^https?:\/\//i.test(next)) {
      const url = new URL(next);
      if (url.origin !== new URL(this.baseUrl).origin) throw malformed(`TAT hash list: next points to another origin (${url.origin})`);
      return this.getPage(url.toString());
    }
    return this.getPage(`${this.baseUrl}${LIST_PATH}?${next.replace(/^\?/, '')}`);
  }

  private async getPage(url: string): Promise<TatPage> {
    for (let renewed = false; ; renewed = true) {
      const token = this.token ?? (await this.authenticate());
      const res = await this.http.request({
        url,
        headers: { authorization: `Bearer ${token}` },
        what: 'TAT hash list',
        signal: this.signal,
        accept: renewed ? [] : [401],
      });
      if (res.status === 401) {
        this.token = null;
        continue;
      }
      return parseTatPage(parseJson(res.text, 'TAT hash list'));
    }
  }
}
