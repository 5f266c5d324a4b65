/** A local HTTP server for hasher tests: files by path, plus failure modes. */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MediaServer {
  readonly url: (path: string) => string;
  /** Requests seen per path. */
  readonly hits: Map<string, number>;
  close(): Promise<void>;
}

export type Route = { file: string; type?: string } | { status: number } | { bytes: Buffer; type?: string };

export async function mediaServer(routes: Readonly<Record<string, Route>>): Promise<MediaServer> {
  const hits = new Map<string, number>();
  const cache = new Map<string, Buffer>();
  const server = http.createServer((req, res) => {
    const path = req.url ?? '';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const route = routes[path];
    void (async () => {
      if (!route) return res.writeHead(404).end();
      if ('status' in route) return res.writeHead(route.status).end();
      let body: Buffer;
      if ('file' in route) {
        body = cache.get(route.file) ?? (await readFile(route.file));
        cache.set(route.file, body);
      } else body = route.bytes;
      res.writeHead(200, { 'content-type': route.type ?? 'image/jpeg', 'content-length': body.length }).end(body);
    })();
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    hits,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
