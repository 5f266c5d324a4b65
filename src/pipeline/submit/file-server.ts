/**
 * A short-lived HTTP server that hands local files to the hasher by URL, for files
 * too big to travel inline in an event (`hma scan` of videos). Each file gets an
 * unguessable path; nothing else is served. The hasher must be allowed to reach the
 * address (URL_ALLOW_LOOPBACK or URL_ALLOWED_PRIVATE_HOSTS).
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export class FileServer {
  private readonly files = new Map<string, string>();
  private readonly server: http.Server;
  private base = '';

  constructor() {
    this.server = http.createServer((req, res) => void this.serve(req, res));
  }

  async listen(host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, host, resolve);
    });
    const { port } = this.server.address() as AddressInfo;
    this.base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  /** The URL under which `file` is served from now on. */
  add(file: string): string {
    const token = randomBytes(16).toString('hex');
    const urlPath = `/${token}/${encodeURIComponent(path.basename(file))}`;
    this.files.set(urlPath, file);
    return `${this.base}${urlPath}`;
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const file = req.method === 'GET' ? this.files.get(req.url ?? '') : undefined;
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    try {
      const { size } = await stat(file);
      res.writeHead(200, { 'content-length': size, 'content-type': 'application/octet-stream' });
      createReadStream(file).on('error', () => res.destroy()).pipe(res);
    } catch {
      res.writeHead(404).end();
    }
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
