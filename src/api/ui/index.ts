/**
 * The web UI, /ui/*: server-rendered pages (eta templates in ./templates), one small
 * stylesheet and script (./static, no CDN), and HMA's UI helper endpoints.
 *
 * Every state-changing UI request is a POST of an HTML form to /ui/* or /dev/* (or the
 * same POST from ui.js's send()): a CSRF check or login goes in one preHandler hook here
 * and one in the /dev plugin. Errors render as HTML pages, as HMA's UI does, or as
 * {message} JSON for a client that asks for JSON.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isHmaError } from '../../errors/errors.js';
import type { Kafka } from 'kafkajs';
import type { Config } from '../../config/config.js';
import type { Db } from '../../curation/db.js';
import type { TopicCodec } from '../../kafka/codec.js';
import type { LookupService } from '../../matching/lookup-service.js';
import type { MatchReplica } from '../../replica/replica.js';
import type { DevTools } from '../dev/tools.js';
import type { HashInput } from '../media-input/hash-input.js';
import { httpStatusOf } from '../../runtime/http-errors.js';
import { ClusterStatus } from './cluster.js';
import { frame, type UiContext } from './context.js';
import { uiMedia } from './media.js';
import { bankRoutes } from './pages/bank.js';
import { banksRoutes } from './pages/banks.js';
import { dashboardRoutes } from './pages/dashboard.js';
import { exchangesRoutes } from './pages/exchanges.js';
import { floodRoutes } from './pages/flood.js';
import { matchRoutes } from './pages/match.js';
import { resultsRoutes } from './pages/results.js';
import { ResultsFeed } from './results-feed.js';
import { renderPage } from './view.js';

/** What the UI uses of its process: each part by itself, so the UI sees no more than it needs. */
export interface UiDeps {
  readonly config: Config;
  readonly db: Db;
  /** The process's Kafka client and codec, asked for only when a page reads the cluster or the results. */
  readonly kafka: () => Kafka;
  readonly codec: () => TopicCodec;
  /** Registers a part the UI started, to stop with the process. */
  readonly onStop: (name: string, stop: () => Promise<void>) => void;
  /** The process's name, shown on the dashboard. */
  readonly processName: string;
  /** The process's replica and lookups (matcher role); without it lookups answer 503. */
  readonly matching?: { readonly replica: MatchReplica; readonly lookups: LookupService; readonly isReady: () => boolean };
  /** Read-your-writes before a lookup (when the process also takes curation writes). */
  readonly beforeLookup?: () => Promise<void>;
  /** Development tools (PRODUCTION=false): the dashboard's buttons. */
  readonly dev?: DevTools;
  /** The process's media input (its hashing pool), if it has one; else the UI hashes in-process. */
  readonly input?: HashInput;
}

const staticDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'static');
const STATIC_TYPES: Readonly<Record<string, string>> = {
  'ui.css': 'text/css; charset=utf-8',
  'ui.js': 'text/javascript; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

/** JSON for clients that ask for it and not for HTML (scripts calling /ui/query*). */
const wantsJson = (req: FastifyRequest) => {
  const accept = req.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
};

export function uiRoutes(deps: UiDeps) {
  const { config, matching } = deps;
  const ctx: UiContext = {
    config,
    db: deps.db,
    matching: matching && {
      lookups: matching.lookups,
      isReady: matching.isReady,
      beforeLookup: deps.beforeLookup ?? (async () => undefined),
    },
    replica: matching?.replica,
    media: uiMedia(config, deps.input, deps.onStop),
    dev: deps.dev,
    cluster: new ClusterStatus(deps.kafka, config.TOPIC_PREFIX),
    results: new ResultsFeed(deps.kafka, deps.codec, config.TOPIC_PREFIX),
    processName: deps.processName,
    startedAt: Math.floor(Date.now() / 1000),
  };
  const assets = new Map(Object.entries(STATIC_TYPES).map(([name, type]) => [name, { type, body: readFileSync(path.join(staticDir, name)) }]));

  function errorPage(req: FastifyRequest, reply: FastifyReply, status: number, message: string) {
    if (wantsJson(req)) return reply.status(status).send({ message });
    const referer = req.headers.referer ? new URL(req.headers.referer, 'http://x').pathname : '';
    const back = referer.startsWith('/ui/') ? referer : '/ui/';
    return reply
      .status(status)
      .type('text/html; charset=utf-8')
      .send(renderPage('error', frame(ctx, 'error', status === 404 ? 'Not found' : 'Something went wrong'), { status, message, back }));
  }

  return async (app: FastifyInstance) => {
    await app.register(
      async (ui) => {
        // Pages are not API: keep them out of the OpenAPI document.
        ui.addHook('onRoute', (route) => {
          route.schema = { ...route.schema, hide: true };
        });
        await ui.register(formbody);
        await ui.register(multipart, { limits: { fileSize: config.MAX_MEDIA_BYTES, files: 2, fields: 50, fieldSize: 64 * 1024 } });

        ui.setErrorHandler((err: FastifyError, req, reply) => {
          if (isHmaError(err)) return errorPage(req, reply, httpStatusOf[err.code], err.message);
          const status = err.validation ? 400 : (err.statusCode ?? 500);
          if (status >= 500) {
            req.log.error({ err, url: req.url }, 'unhandled error');
            return errorPage(req, reply, 500, 'internal server error');
          }
          return errorPage(req, reply, status, err.message);
        });
        ui.setNotFoundHandler((req, reply) => errorPage(req, reply, 404, `no page ${req.url.split('?')[0]}`));

        ui.get<{ Params: { file: string } }>('/static/:file', async (req, reply) => {
          const asset = assets.get(req.params.file);
          if (!asset) return errorPage(req, reply, 404, 'no such file');
          return reply.type(asset.type).header('cache-control', 'public, max-age=300').send(asset.body);
        });

        ui.addHook('onClose', async () => {
          await Promise.all([ctx.cluster.close(), ctx.results.stop()]);
        });

        for (const routes of [dashboardRoutes, banksRoutes, bankRoutes, exchangesRoutes, matchRoutes, resultsRoutes, floodRoutes]) {
          await ui.register(routes(ctx));
        }
      },
      { prefix: '/ui' },
    );
  };
}
