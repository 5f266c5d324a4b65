/**
 * `remote_file`: the URL variant of local_file. A conditional GET (ETag /
 * Last-Modified) skips unchanged lists; servers without validators are compared by a
 * hash of the content.
 */
import { z } from 'zod';
import { field, parseAs } from '../fields.js';
import type { ExchangeType } from '../types.js';
import { contentBatches, fileExchangeBase, fileSettingsShape, formatField, signalTypeField, type FileCheckpoint } from './common.js';

const configSchema = z.object({
  url: z.string().refine((u) => {
    try {
      return ['http:', 'https:'].includes(new URL(u).protocol);
    } catch {
      return false;
    }
  }, 'must be an http(s) URL'),
  ...fileSettingsShape,
});
type Config = z.infer<typeof configSchema>;

export const remoteFileExchange: ExchangeType<Config, null, FileCheckpoint> = {
  ...fileExchangeBase,
  name: 'remote_file',
  configFields: [field('url', 'string', true, 'http(s) URL of the hash list file'), signalTypeField, formatField],
  parseConfig: (raw) => parseAs(configSchema, raw, 'remote_file config'),
  async *fetch(config, _creds, checkpoint, ctx) {
    const headers: Record<string, string> = {};
    if (checkpoint?.etag) headers['if-none-match'] = checkpoint.etag;
    if (checkpoint?.last_modified) headers['if-modified-since'] = checkpoint.last_modified;
    const res = await ctx.http.request({ url: config.url, headers, what: 'hash list URL', signal: ctx.signal, accept: [304] });
    if (res.status === 304) return;
    const next = { etag: res.headers.get('etag'), last_modified: res.headers.get('last-modified') };
    yield* contentBatches(res.text, new URL(config.url).pathname, res.headers.get('content-type'), config, checkpoint, next, ctx);
  },
};
