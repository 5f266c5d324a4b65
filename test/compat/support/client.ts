/**
 * An HTTP client with every header under the test's control (Content-Type, Content-Length,
 * Transfer-Encoding), as the clients of HMA send them on the wire. Every JSON answer is
 * checked the way a strict client reads it: keys sorted at every level, the fields HMA
 * types as float written with a fraction, every other number an integer.
 */
import http from 'node:http';
import { isFloatToken, leavesByKey, parseJsonText, unsortedObjects, type JsonText } from './json-text.js';

/** The only float fields of HMA's answers (Python floats); everything else numeric is an int. */
export const FLOAT_KEYS = new Set(['matching_enabled_ratio', 'enabled_ratio', 'query_match_percent', 'compared_match_percent']);

export interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
  /** The JSON body parsed (undefined when the answer is not JSON); typed as JSON.parse types it. */
  readonly json: ReturnType<typeof JSON.parse>;
  readonly tree?: JsonText;
}

export interface CallOptions {
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** Send the body chunked (no Content-Length). */
  readonly chunked?: boolean;
  /** false for answers that are not HMA's (e.g. the OpenAPI document): no key-order or number checks. */
  readonly strict?: boolean;
}

/** Fields HMA always writes as integers (never as text): ids, timestamps, counts. */
export const INT_KEYS = new Set([
  'id', 'bank_content_id', 'disable_until_ts', 'size', 'built_to', 'db_size', 'index_size', 'newest_db_item', 'index_built_to',
  'fetched_items', 'checkpoint_ts', 'running_fetch_start_ts', 'last_fetch_complete_ts', 'content_count', 'enabled_content_count',
]);

/** Problems a strict client would have with this JSON text. */
export function strictProblems(tree: JsonText): string[] {
  const problems = unsortedObjects(tree).map((p) => `keys not sorted at ${p}`);
  for (const n of leavesByKey(tree)) {
    if (n.kind === 'string') {
      if (FLOAT_KEYS.has(n.key) || INT_KEYS.has(n.key)) problems.push(`${n.at} is ${n.raw}: HMA writes a number`);
      continue;
    }
    if (FLOAT_KEYS.has(n.key) && !isFloatToken(n.raw)) problems.push(`${n.at} is ${n.raw}: HMA writes a float`);
    if (!FLOAT_KEYS.has(n.key) && isFloatToken(n.raw)) problems.push(`${n.at} is ${n.raw}: HMA writes an integer`);
  }
  return problems;
}

export function httpClient(base: string) {
  return function call(method: string, path: string, opts: CallOptions = {}): Promise<Answer> {
    const url = new URL(path, base);
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.body !== undefined && !opts.chunked && headers['content-length'] === undefined) {
      headers['content-length'] = String(Buffer.byteLength(opts.body));
    }
    if (opts.chunked) headers['transfer-encoding'] = 'chunked';
    return new Promise((resolve, reject) => {
      const req = http.request(url, { method, headers, setHost: true }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const isJson = (res.headers['content-type'] ?? '').startsWith('application/json');
          if (!isJson) return resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: undefined });
          try {
            const tree = parseJsonText(text);
            const problems = opts.strict === false ? [] : strictProblems(tree);
            if (problems.length > 0) throw new Error(`${method} ${path} → ${res.statusCode}: ${problems.join('; ')}\n${text}`);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: JSON.parse(text), tree });
          } catch (err) {
            reject(err);
          }
        });
      });
      req.on('error', reject);
      if (opts.body !== undefined) req.write(opts.body);
      req.end();
    });
  };
}

export type Call = ReturnType<typeof httpClient>;

/** multipart/form-data as a client library builds it: one file part plus text fields. */
export function multipart(file: { field: string; filename: string; type: string; bytes: Buffer }, fields: Record<string, string> = {}) {
  const boundary = `----compat${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`,
    ),
    file.bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { body: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
