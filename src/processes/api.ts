/**
 * The API process: the Fastify sidecar with the route groups its roles ask for
 * (/h hasher, /m matcher, /c curator, /ui, /dev), the replica behind /m, and the
 * outbox relay next to /c (a leader lock lets every API process run one safely).
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { buildApp } from '../runtime/app.js';
import { contentRoutes } from '../api/content/routes.js';
import { curatorRoutes } from '../api/curator/index.js';
import { exchangeExtraRoutes } from '../api/exchanges/routes.js';
import { hasherRoutes } from '../api/hasher/routes.js';
import { HashInput, type HashedInput } from '../api/media-input/hash-input.js';
import { devRoutes } from '../api/dev/routes.js';
import { DevTools } from '../api/dev/tools.js';
import { uiRoutes } from '../api/ui/index.js';
import { matcherRoutes, type MediaSignals } from '../api/matcher/routes.js';
import { openApiPlugin } from '../api/openapi.js';
import { formatStaleness, STALENESS_HEADER, type ReadinessCheck } from '../runtime/status.js';
import { startOutboxRelay } from './relay.js';
import { outboxBacklog, signalTypeTargets } from '../curation/stats.js';
import { provenanceOf } from '../curation/provenance.js';
import { MediaHasher } from '../hashing/index.js';
import { drawCoinflip } from '../matching/coinflip.js';
import type { ContentType } from '../signals/registry.js';
import { startMatching, type Matching } from './matching.js';
import { apiSecurity } from '../security/api-security.js';
import { Submitter } from '../pipeline/submit/submitter.js';
import { downReason } from '../kafka/health.js';
import { indexReadiness, kafkaReadiness, startingReason, statusDetails } from '../runtime/health.js';
import { ReadYourWrites } from './read-your-writes.js';
import type { ReplicaFeed } from '../replica/feed.js';
import type { Runtime } from '../runtime/runtime.js';
import { nativeJpegStatus } from '../hashing/native/jpeg.js';

/** What /m needs of a hashed input: HMA's values, and the PDQ variants of a usable photo. */
function mediaSignals(h: HashedInput): MediaSignals {
  const pdq = h.result.signals.pdq;
  return { values: h.values, ...(pdq?.meetsMinQuality && pdq.dihedral ? { pdqVariants: pdq.dihedral } : {}) };
}

export interface ApiProcess {
  readonly app: FastifyInstance;
  readonly matching?: Matching;
  /** The hashing pool, when a role needed one (`hma all` shares it with its hasher). */
  readonly hasher?: MediaHasher;
  readonly url: string;
}

/** Notes every accepted curation write before its response leaves, so the next lookup can wait for it. */
const noteWrites = (ryw: ReadYourWrites) =>
  fp(async (app: FastifyInstance) => {
    app.addHook('onSend', async (req, reply) => {
      if (req.method !== 'GET' && /^\/(c|ui|dev)\//.test(req.url) && reply.statusCode < 400) ryw.noteWrite();
    });
  });

/** Every /m answer says how stale the replica it came from may be. */
const stalenessHeader = (feed: ReplicaFeed) =>
  fp(async (app: FastifyInstance) => {
    app.addHook('onSend', async (req, reply) => {
      if (!req.url.startsWith('/m/')) return;
      const stale = feed.stalenessSeconds();
      if (stale !== undefined) reply.header(STALENESS_HEADER, formatStaleness(stale));
    });
  });

export interface BuiltApi {
  readonly app: FastifyInstance;
  readonly matching?: Matching;
  readonly hasher?: MediaHasher;
  /** Adds a readiness check to /status (e.g. of the pipeline parts `hma all` starts next to the API). */
  readonly addReadiness: (check: ReadinessCheck) => void;
}

export async function buildApi(runtime: Runtime): Promise<BuiltApi> {
  const { config } = runtime;
  // fastify-plugin wrapped plugins (security, openapi, noteWrites) are passed as they are so that they act at the root.
  // Security first: its hooks and route options must be in place before any route is declared.
  const security = apiSecurity(config, runtime.db);
  const plugins: Array<(app: FastifyInstance) => Promise<void>> = [...security.plugins, openApiPlugin];
  const readiness: ReadinessCheck[] = [];

  // Every role but a bare hasher of /h uses Kafka; none of them waits for it to start (curation and hashing need only Postgres).
  const usesKafka = config.ROLE_MATCHER || config.ROLE_HASHER || config.ROLE_CURATOR;
  if (usesKafka) readiness.push(kafkaReadiness(runtime));
  // Parts still waiting for the registry (the replica decoding its replay, the relay): its absence is the reason to give.
  const waitingParts: Array<() => boolean> = [];
  if (usesKafka) readiness.push(() => (!runtime.health.registry.available && waitingParts.some((w) => w()) ? downReason['schema-registry'] : undefined));
  let matching: Matching | undefined;
  if (config.ROLE_MATCHER) {
    matching = await startMatching(runtime);
    const feed = matching.feed;
    waitingParts.push(() => !feed.ready);
    readiness.push(indexReadiness(feed, config.INDEX_MAX_STALE_SECONDS));
    plugins.push(stalenessHeader(matching.feed));
  }
  // Hooks apply to routes declared after them: the write hook goes before /c.
  const ryw = matching && config.ROLE_CURATOR ? new ReadYourWrites(runtime.db, matching.feed, () => runtime.health.kafka.available) : undefined;
  if (ryw) plugins.push(noteWrites(ryw));
  // The curator hashes URLs and uploads itself (as HMA's does), so it gets the pool too.
  let input: HashInput | undefined;
  let hasher: MediaHasher | undefined;
  if (config.ROLE_HASHER || config.ROLE_CURATOR) {
    hasher = MediaHasher.fromConfig(config);
    runtime.logger.info({ jpegDecoder: nativeJpegStatus(config.JPEG_DECODER) }, 'hash pool started');
    const pool = hasher;
    runtime.onStop('hashing pool', () => pool.close());
    input = new HashInput(config, hasher);
  }
  if (config.ROLE_HASHER && input) plugins.push(hasherRoutes({ config, input }));
  if (config.ROLE_HASHER) {
    // The streaming entry point: POST /v1/content puts a submission on content.submitted.
    const submitter = new Submitter({ config, kafka: runtime.kafka, codec: runtime.codec, health: runtime.health });
    runtime.onStop('submitter', () => submitter.close());
    plugins.push(contentRoutes({ config, submit: (s) => submitter.submit(s) }));
  }
  if (config.ROLE_CURATOR) {
    plugins.push(exchangeExtraRoutes({ db: runtime.db, config }));
    plugins.push(security.audit);
    const relay = await startOutboxRelay(config, runtime.db);
    runtime.onStop('outbox relay', () => relay.stop());
    waitingParts.push(() => relay.readiness() !== undefined);
    readiness.push(() => (relay.readiness() === undefined ? undefined : startingReason(runtime, 'relay')));
    const curatorInput = input;
    plugins.push(
      curatorRoutes({
        db: runtime.db,
        config,
        hasher: curatorInput
          ? async (bytes, contentType, types) => (await curatorInput.hashBytes(bytes, contentType as ContentType, types)).values
          : undefined,
      }),
    );
  }
  if (matching) {
    const feed = matching.feed;
    plugins.push(
      matcherRoutes({
        replica: matching.replica,
        lookups: matching.lookups,
        drawCoinflip: (seed) => drawCoinflip({ seed }),
        isReady: () => feed.ready,
        beforeLookup: ryw ? () => ryw.beforeLookup() : async () => undefined,
        maxUploadBytes: config.MAX_MEDIA_BYTES,
        provenance: (ids) => provenanceOf(runtime.db, ids),
        indexTarget: config.ROLE_CURATOR
          ? {
              database: async () => {
                const [signals, unpublished] = await Promise.all([signalTypeTargets(runtime.db), outboxBacklog(runtime.db)]);
                return { signals, unpublished };
              },
              replicaCaughtUp: () => feed.caughtUpNow(),
            }
          : undefined,
        media:
          config.ROLE_HASHER && input
            ? {
                hashUrl: async (url, ct, types, dihedral) => mediaSignals(await input!.hashUrl(url, ct, types, { dihedral })),
                hashUpload: async (req, types, dihedral) => mediaSignals(await input!.hashUpload(req, types, { dihedral })),
              }
            : undefined,
      }),
    );
  }
  const dev = config.PRODUCTION ? undefined : new DevTools(config, runtime.db);
  if (dev) plugins.push(devRoutes(dev, { uiEnabled: config.UI_ENABLED }));
  if (config.UI_ENABLED) {
    const m = matching;
    plugins.push(
      uiRoutes({
        config,
        db: runtime.db,
        kafka: () => runtime.kafka,
        codec: () => runtime.codec,
        onStop: (name, stop) => runtime.onStop(name, stop),
        processName: runtime.name,
        matching: m && { replica: m.replica, lookups: m.lookups, isReady: () => m.feed.ready },
        dev,
        input,
        beforeLookup: ryw ? () => ryw.beforeLookup() : undefined,
      }),
    );
  }
  plugins.push(async (app) => {
    app.get('/', async (_req, reply) => reply.redirect(config.UI_ENABLED ? '/ui/' : '/status'));
  });

  const app = await buildApp({ config, readiness, plugins, status: usesKafka ? statusDetails(runtime, matching?.feed) : undefined });
  runtime.onStop('http', () => app.close());
  return { app, matching, hasher, addReadiness: (check) => readiness.push(check) };
}

export async function startApi(runtime: Runtime): Promise<ApiProcess & Pick<BuiltApi, 'addReadiness'>> {
  const { app, matching, hasher, addReadiness } = await buildApi(runtime);
  const url = await app.listen({ host: runtime.config.API_HOST, port: runtime.config.API_PORT });
  runtime.logger.info({ url }, 'API listening');
  return { app, matching, hasher, url, addReadiness };
}
