/**
 * HTTP client of the ThreatExchange Graph API. The app token travels in the query
 * string, so paging links are followed only on the API's own origin.
 */
import { malformed } from '../errors.js';
import { parseJson } from '../fields.js';
import type { HttpClient } from '../http.js';
import { parseThreatUpdates, type ThreatUpdatesPage } from './wire.js';

export const GRAPH_API_BASE_URL = 'https://graph.facebook.com/v21.0';
const FIELDS = 'id,indicator,type,last_updated,should_delete,descriptors{reactions,my_reactions,owner{id},tags,status,added_on}';

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
    const res = await this.http.request({ url, what: 'ThreatExchange threat_updates', signal: this.signal });
    return parseThreatUpdates(parseJson(res.text, 'ThreatExchange threat_updates'));
  }

  async react(descriptorId: string, reaction: string): Promise<void> {
    const form = new URLSearchParams({ access_token: this.token, reactions: reaction });
    await this.http.request({
      method: 'POST',
      url: `${this.baseUrl}/${encodeURIComponent(descriptorId)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      what: 'ThreatExchange reaction',
      signal: this.signal,
    });
  }
}
