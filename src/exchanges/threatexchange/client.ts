/**
 * HTTP client of the ThreatExchange Graph API. The app token travels in the query
 * string, so paging links are followed only on the API's own origin.
 */
import { ExchangeError, authError, malformed } from '../errors.js';
import { parseJson } from '../fields.js';
import type { HttpClient } from '../http.js';
import { parseThreatUpdates, type ThreatUpdatesPage } from './wire.js';

export const GRAPH_API_BASE_URL = 'https://graph.facebook.com/v21.0';
const FIELDS = 'id,indicator,type,last_updated,should_delete,descriptors{reactions,my_reactions,owner{id},tags,status,added_on}';

/** Graph API error codes meaning the token is invalid, expired or lacks permission. */
const AUTH_CODES = new Set([102, 190, 10, 200]);

/** The Graph API answers most refusals with 400 and {error: {type, code, message}}. */
function graphError(what: string, body: string): ExchangeError {
  let error: { type?: unknown; code?: unknown; message?: unknown } | undefined;
  try {
    error = (JSON.parse(body) as { error?: typeof error }).error;
  } catch {
    error = undefined;
  }
  const code = typeof error?.code === 'number' ? error.code : undefined;
  if (error?.type === 'OAuthException' && (code === undefined || AUTH_CODES.has(code))) {
    return authError(`${what}: access token refused (OAuthException${code === undefined ? '' : ` ${code}`})`);
  }
  const message = typeof error?.message === 'string' ? `: ${error.message.slice(0, 200)}` : '';
  return new ExchangeError('upstream', `${what}: refused (HTTP 400${message})`, { status: 400 });
}

export class ThreatExchangeClient {
  constructor(
    private readonly http: HttpClient,
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly signal?: AbortSignal,
  ) {}

  async threatUpdates(privacyGroup: number, startTime: number | null): Promise<ThreatUpdatesPage> {
    const q = new URLSearchParams({ access_token: this.token, limit: '100', fields: FIELDS });
    if (startTime !== null) q.set('start_time', String(startTime));
    return this.getPage(`${this.baseUrl}/${privacyGroup}/threat_updates/?${q}`);
  }

  async nextPage(next: string): Promise<ThreatUpdatesPage> {
    let url: URL;
    try {
      url = new URL(next);
    } catch {
      throw malformed('ThreatExchange threat_updates: paging.next is not a URL');
    }
    if (url.origin !== new URL(this.baseUrl).origin) {
      throw malformed(`ThreatExchange threat_updates: paging.next points to another origin (${url.origin})`);
    }
    return this.getPage(url.toString());
  }

  private async getPage(url: string): Promise<ThreatUpdatesPage> {
    const what = 'ThreatExchange threat_updates';
    const res = await this.http.request({ url, what, signal: this.signal, accept: [400] });
    if (res.status === 400) throw graphError(what, res.text);
    return parseThreatUpdates(parseJson(res.text, what));
  }

  async react(descriptorId: string, reaction: string): Promise<void> {
    const what = 'ThreatExchange reaction';
    const form = new URLSearchParams({ access_token: this.token, reactions: reaction });
    const res = await this.http.request({
      method: 'POST',
      url: `${this.baseUrl}/${encodeURIComponent(descriptorId)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      what,
      signal: this.signal,
      accept: [400],
    });
    if (res.status === 400) throw graphError(what, res.text);
  }
}
