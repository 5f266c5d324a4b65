/** HTTP client of the NCMEC hash sharing API v2: Basic auth on every request. */
import type { HttpClient } from '../http.js';
import { feedbackBody, formatNcmecTime, parseEntries, parseReasons, type EntriesPage, type FeedbackReason } from './wire.js';

export class NcmecClient {
  private readonly auth: string;

  constructor(
    private readonly http: HttpClient,
    /** The environment URL (e.g. https://report.cybertip.org/hashsharing), no trailing slash. */
    private readonly baseUrl: string,
    user: string,
    password: string,
    private readonly signal?: AbortSignal,
  ) {
    this.auth = `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
  }

  private async get(pathAndQuery: string, what: string): Promise<string> {
    const res = await this.http.request({
      url: `${this.baseUrl}${pathAndQuery}`,
      headers: { authorization: this.auth, accept: 'application/xml' },
      what,
      signal: this.signal,
    });
    return res.text;
  }

  async entries(fromS: number, toS: number): Promise<EntriesPage> {
    const q = new URLSearchParams({ from: formatNcmecTime(fromS), to: formatNcmecTime(toS) });
    return parseEntries(await this.get(`/v2/entries?${q}`, 'NCMEC entries'));
  }

  /** A follow-up page: `next` is a path (`/v2/entries?…&start=…`) used as given. */
  async page(next: string): Promise<EntriesPage> {
    return parseEntries(await this.get(next.startsWith('/') ? next : `/${next}`, 'NCMEC entries'));
  }

  async reasons(fingerprintType: string): Promise<FeedbackReason[]> {
    return parseReasons(await this.get(`/v2/feedback/${encodeURIComponent(fingerprintType)}/reasons`, 'NCMEC feedback reasons'));
  }

  async sendFeedback(
    espId: number,
    entryId: string,
    fingerprintType: string,
    verdict: { affirmative: true } | { affirmative: false; reasonGuid: string },
  ): Promise<void> {
    const path = `/v2/entries/${espId}/${encodeURIComponent(entryId)}/${encodeURIComponent(fingerprintType)}/feedback`;
    await this.http.request({
      method: 'PUT',
      url: `${this.baseUrl}${path}`,
      headers: { authorization: this.auth, 'content-type': 'application/xml; charset=utf-8' },
      body: feedbackBody(verdict),
      what: 'NCMEC feedback',
      signal: this.signal,
    });
  }
}
