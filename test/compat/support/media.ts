/**
 * Media for the compat suite: a photo made here (seeded noise, so its PDQ has full
 * quality and needs no test files), and a real HTTP server that serves it well or badly:
 * a 500, a Content-Length over any limit, a download cut short.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { freePort } from '../../support/ports.js';

/** A PNG of seeded noise: deterministic bytes, full PDQ quality. */
export async function noisePhoto(seed: number, size = 96): Promise<Buffer> {
  const pixels = Buffer.alloc(size * size * 3);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < pixels.length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    pixels[i] = x & 0xff;
  }
  return sharp(pixels, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer();
}

export interface MediaServer {
  readonly base: string;
  /** A URL nothing listens on (connection refused). */
  readonly unreachable: string;
  close(): Promise<void>;
}

export async function mediaServer(files: Record<string, Buffer>): Promise<MediaServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const file = files[path.slice(1)];
    if (file) {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': file.length });
      return res.end(file);
    }
    if (path === '/broken') {
      res.writeHead(500, { 'content-type': 'text/plain' });
      return res.end('upstream failure');
    }
    if (path === '/huge') {
      // Declares far more than any limit; the body never comes.
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(10 * 1024 ** 4) });
      res.write(Buffer.alloc(16));
      setTimeout(() => res.destroy(), 2000).unref();
      return;
    }
    if (path === '/truncated') {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': '100000' });
      res.write(Buffer.alloc(1000));
      setTimeout(() => res.socket?.destroy(), 50).unref();
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('no such file');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    unreachable: `http://127.0.0.1:${await freePort()}/photo.png`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
