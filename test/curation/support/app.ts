/** The Fastify app with the curator routes on a scratch schema, for app.inject tests. */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/api/app.js';
import { curatorRoutes, type MediaHasher } from '../../../src/api/curator/index.js';
import { openApiPlugin } from '../../../src/api/openapi.js';
import { loadConfig } from '../../../src/config/config.js';
import type { ScratchDb } from './db.js';

/** video_md5 is the MD5 of the raw bytes: enough to exercise the upload and URL paths end to end. */
export const md5Hasher: MediaHasher = async (bytes, contentType) => {
  if (contentType !== 'video') throw new Error('this test hasher only does video');
  return { video_md5: createHash('md5').update(bytes).digest('hex') };
};

export async function curatorApp(db: ScratchDb, opts: { hasher?: MediaHasher; env?: NodeJS.ProcessEnv } = {}): Promise<FastifyInstance> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', ...opts.env });
  const app = await buildApp({
    config,
    plugins: [openApiPlugin, curatorRoutes({ db: db.pool, config, hasher: opts.hasher })],
  });
  await app.ready();
  return app;
}
