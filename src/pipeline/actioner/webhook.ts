/**
 * Webhook calls of the actioner: a JSON body signed with HMAC-SHA256, retried with
 * backoff on timeouts, connection errors, 408, 429 and 5xx; any other answer is final.
 * Sent through the one outbound HTTP path (src/net/outbound.ts) without following redirects:
 * a signed call goes only where the operator pointed it (a redirect is a failed attempt).
 *
 * Signature header: `X-HMA-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 * Signing the timestamp with the body lets receivers refuse replays of old calls.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { discard, isTransientStatus, outboundFetch } from '../../net/outbound.js';
import { backoffDelayMs, sleep } from '../../retry/backoff.js';

export const SIGNATURE_HEADER = 'x-hma-signature';
export const IDEMPOTENCY_HEADER = 'x-hma-idempotency-key';

export function signature(secret: string, timestampS: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestampS}.${body}`).digest('hex');
  return `t=${timestampS},v1=${mac}`;
}

/** For receivers (and tests): whether a signature header is valid for the body, within `toleranceS` of now. */
export function verifySignature(secret: string, header: string, body: string, nowS = Math.floor(Date.now() / 1000), toleranceS = 300): boolean {
  const parts = Object.fromEntries(header.split(',').map((kv) => kv.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(nowS - t) > toleranceS || typeof parts.v1 !== 'string') return false;
  const expected = Buffer.from(signature(secret, t, body).split('v1=')[1], 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface WebhookCall {
  readonly url: string;
  readonly secret: string;
  readonly body: string;
  readonly idempotencyKey: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface WebhookPolicy {
  readonly attempts: number;
  readonly timeoutMs: number;
  readonly backoffMs: number;
}

export type WebhookOutcome =
  | { readonly ok: true; readonly status: number; readonly attempts: number }
  | { readonly ok: false; readonly reason: string; readonly attempts: number };

const post = outboundFetch({ maxRedirects: 0 });

export async function callWebhook(call: WebhookCall, policy: WebhookPolicy): Promise<WebhookOutcome> {
  let last = '';
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    if (attempt > 1) await sleep(backoffDelayMs({ baseMs: policy.backoffMs, capMs: 30_000, jitter: 'none' }, attempt - 1));
    try {
      const res = await post(call.url, {
        method: 'POST',
        headers: {
          ...call.headers,
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signature(call.secret, Math.floor(Date.now() / 1000), call.body),
          [IDEMPOTENCY_HEADER]: call.idempotencyKey,
        },
        body: call.body,
        signal: AbortSignal.timeout(policy.timeoutMs),
      });
      await discard(res);
      if (res.ok) return { ok: true, status: res.status, attempts: attempt };
      last = `HTTP ${res.status}`;
      if (!isTransientStatus(res.status)) return { ok: false, reason: `${last} (not retried)`, attempts: attempt };
    } catch (err) {
      last = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
  }
  return { ok: false, reason: `${last} after ${policy.attempts} attempts`, attempts: policy.attempts };
}
