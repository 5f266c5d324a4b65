/**
 * A local HTTP server for fake exchange APIs: records every request and can be told to
 * answer the next matching request(s) with a fault (429, 500, garbage) instead.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
}

export interface FakeReply {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export interface Fault {
  /** Which requests the fault applies to (default: all). */
  readonly match?: (req: FakeRequest) => boolean;
  readonly reply: FakeReply;
  /** How many matching requests get it (default 1). */
  times?: number;
}

export type Handler = (req: FakeRequest) => FakeReply | Promise<FakeReply>;

export interface FakeServer {
  readonly url: string;
  readonly requests: FakeRequest[];
  fault(f: Fault): void;
  close(): Promise<void>;
}

export async function startFakeServer(handler: Handler): Promise<FakeServer> {
  const requests: FakeRequest[] = [];
  const faults: Fault[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void answer());
    const answer = async () => {
      const fr: FakeRequest = {
        method: req.method ?? 'GET',
        url: new URL(req.url ?? '/', 'http://fake'),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      requests.push(fr);
      let reply: FakeReply;
      const i = faults.findIndex((f) => (f.match ?? (() => true))(fr));
      if (i >= 0) {
        const f = faults[i]!;
        reply = f.reply;
        f.times = (f.times ?? 1) - 1;
        if (f.times <= 0) faults.splice(i, 1);
      } else {
        try {
          reply = await handler(fr);
        } catch (err) {
          reply = { status: 500, body: String(err) };
        }
      }
      res.writeHead(reply.status ?? 200, reply.headers ?? {});
      res.end(reply.body ?? '');
    };
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    fault: (f) => faults.push(f),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const json = (value: unknown, status = 200): FakeReply => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value),
});

export const xml = (body: string, status = 200): FakeReply => ({ status, headers: { 'content-type': 'application/xml' }, body });
