/** The Fastify app with the curator routes on a scratch schema, for app.inject tests. */
import { createHash } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { buildApp } from '../../../src/runtime/app.js';
import { curatorRoutes, type MediaHasher } from '../../../src/api/curator/index.js';
import { openApiPlugin } from '../../../src/api/openapi.js';
import { loadConfig } from '../../../src/config/config.js';
import { SIGNAL_TYPE_NAMES } from '../../../src/signals/registry.js';
import { scratchDb, type ScratchDb } from '../../support/scratch-db.js';

/** video_md5 is the MD5 of the raw bytes: enough to exercise the upload and URL paths end to end. */
export const md5Hasher: MediaHasher = async (bytes, contentType) => {
  if (contentType !== 'video') throw new Error('this test hasher only does video');
  return { video_md5: createHash('md5').update(bytes).digest('hex') };
};

export async function curatorApp(db: ScratchDb, opts: { hasher?: MediaHasher; env?: NodeJS.ProcessEnv } = {}): Promise<FastifyInstance> {
  // Every registered signal type installed (vpdq is opt-in in the default config).
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', SIGNAL_TYPES: SIGNAL_TYPE_NAMES.join(','), ...opts.env });
  const app = await buildApp({
    config,
    plugins: [openApiPlugin, curatorRoutes({ db: db.pool, config, hasher: opts.hasher })],
  });
  await app.ready();
  return app;
}

export interface CuratorFixture {
  readonly db: ScratchDb;
  readonly app: FastifyInstance;
  call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown): Promise<LightMyRequestResponse>;
}

/** A scratch schema and an app on it for the whole test file, torn down after it. */
export function useCuratorApp(label: string, opts: { hasher?: MediaHasher; env?: NodeJS.ProcessEnv } = {}): CuratorFixture {
  let db: ScratchDb | undefined;
  let app: FastifyInstance | undefined;
  beforeAll(async () => {
    db = await scratchDb(label);
    app = await curatorApp(db, opts);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });
  return {
    get db() {
      return db!;
    },
    get app() {
      return app!;
    },
    call: (method, url, payload) => app!.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) }),
  };
}
