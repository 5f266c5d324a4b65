/** HTTP client of the StopNCII API: a function key per endpoint plus the subscription key. */
import type { HttpClient } from '../http.js';
import { parseJson } from '../fields.js';
import { parseFetchHashes, type FetchHashesPage } from './wire.js';

export const STOP_NCII_BASE_URL = 'https://api.stopncii.org/v1';
export const PAGE_SIZE = 800;

export interface StopNciiKeys {
  readonly fetchFunctionKey: string;
  readonly submitFeedbackFunctionKey: string | null;
  readonly subscriptionKey: string;
}

export class StopNciiClient {
  constructor(
    private readonly http: HttpClient,
    private readonly baseUrl: string,
    private readonly keys: StopNciiKeys,
    private readonly signal?: AbortSignal,
  ) {}

  private headers(functionKey: string): Record<string, string> {
    return { 'x-functions-key': functionKey, 'Ocp-Apim-Subscription-Key': this.keys.subscriptionKey };
  }

  async fetchHashes(startTimestamp: number, pageToken: string | null): Promise<FetchHashesPage> {
    const q = new URLSearchParams({ startTimestamp: String(startTimestamp), pageSize: String(PAGE_SIZE) });
    if (pageToken) q.set('nextPageToken', pageToken);
    const res = await this.http.request({
      url: `${this.baseUrl}/FetchHashes?${q}`,
      headers: this.headers(this.keys.fetchFunctionKey),
      what: 'StopNCII FetchHashes',
      signal: this.signal,
    });
    return parseFetchHashes(parseJson(res.text, 'StopNCII FetchHashes'));
  }

  async submitFeedback(functionKey: string, feedback: { hashValue: string; feedbackValue: string; tags: readonly string[] }): Promise<void> {
    await this.http.request({
      method: 'POST',
      url: `${this.baseUrl}/SubmitFeedback`,
      headers: { ...this.headers(functionKey), 'content-type': 'application/json' },
      body: JSON.stringify({ count: 1, hashFeedbacks: [{ tags: feedback.tags, feedbackValue: feedback.feedbackValue, hashValue: feedback.hashValue }] }),
      what: 'StopNCII SubmitFeedback',
      signal: this.signal,
    });
  }
}
