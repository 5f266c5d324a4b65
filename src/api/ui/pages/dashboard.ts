/**
 * /ui/: system status (this process, the pipeline's consumer groups with their lag, the
 * outbox relay, the fetchers), signal/content/exchange types, index statistics per
 * signal type, the exchange status table, and the development buttons.
 */
import type { FastifyInstance } from 'fastify';
import { exchangeTypeRegistry } from '../../../exchanges/registry.js';
import { signalTypeRegistry } from '../../../signals/registry.js';
import { getApiAuth } from '../../../curation/exchanges.js';
import { listContentTypes, listSignalTypes } from '../../../curation/type-config.js';
import { frame, nowS, type UiContext } from '../context.js';
import { exchangeRows } from '../exchange-rows.js';
import { floodPanel } from '../flood-panel.js';
import { ago, formatCount, formatDuration } from '../format.js';
import { fetcherActivity, oldestUnapplied, relayState, signalCounts } from '../queries.js';
import { noticeFrom, type DoneQuery } from '../notices.js';
import { sendPage } from '../view.js';

type Health = 'ok' | 'warn' | 'err' | 'info';

export interface ProcessRow {
  readonly name: string;
  readonly health: Health;
  readonly state: string;
  readonly detail: string;
}

export interface IndexRow {
  readonly signalType: string;
  readonly size: number;
  readonly stored: number;
  readonly lastChange: string;
  readonly health: Health;
  readonly freshness: string;
}

async function processRows(ctx: UiContext): Promise<ProcessRow[]> {
  const now = nowS();
  const roles = ['ROLE_HASHER', 'ROLE_MATCHER', 'ROLE_CURATOR'] as const;
  const ready = ctx.matching ? ctx.matching.isReady() : true;
  const rows: ProcessRow[] = [
    {
      name: `${ctx.processName} (this process, ${ctx.config.HMA_INSTANCE_ID})`,
      health: ready ? 'ok' : 'warn',
      state: ready ? 'ready' : 'loading index',
      detail: `roles: ${roles.filter((r) => ctx.config[r]).map((r) => r.slice(5).toLowerCase()).join(', ') || 'none'}; up ${formatDuration(now - ctx.startedAt)}`,
    },
  ];
  const [relay, fetcher, cluster] = await Promise.all([relayState(ctx.db), fetcherActivity(ctx.db), ctx.cluster.view()]);
  rows.push({
    name: 'outbox relay',
    health: relay.updatedAt === null ? 'info' : relay.backlog > 0 && now - relay.updatedAt > 30 ? 'warn' : 'ok',
    state: relay.backlog === 0 ? 'caught up' : `${formatCount(relay.backlog)} changes to publish`,
    detail: relay.updatedAt === null ? 'has not published yet' : `last advanced ${ago(relay.updatedAt, now)}`,
  });
  if (cluster.ok) {
    for (const s of cluster.stages) {
      const running = s.members.length > 0;
      rows.push({
        name: `${s.stage}s (group ${s.group})`,
        health: running ? (s.lag !== null && s.lag > 1000 ? 'warn' : 'ok') : s.state === 'Dead' ? 'info' : 'warn',
        state: running ? `${s.members.length} running (${s.state})` : s.state === 'Dead' ? 'never seen' : `none running (${s.state})`,
        detail: [
          s.lag === null ? '' : `consumer lag ${formatCount(s.lag)}`,
          s.members.map((m) => `${m.clientId}@${m.host}`).join(', '),
        ].filter(Boolean).join('; '),
      });
    }
  } else {
    rows.push({ name: 'pipeline (hashers, matchers, actioners)', health: 'err', state: 'unknown', detail: `Kafka: ${cluster.error}` });
  }
  rows.push({
    name: 'fetchers',
    health: fetcher.lastStart === null ? 'info' : 'ok',
    state: fetcher.running > 0 ? `fetching ${fetcher.running} exchange(s)` : fetcher.lastStart === null ? 'never seen' : 'idle',
    detail: fetcher.lastStart === null ? 'no fetch has run yet' : `last fetch started ${ago(fetcher.lastStart, now)}`,
  });
  return rows;
}

async function indexRows(ctx: UiContext): Promise<IndexRow[]> {
  const replica = ctx.replica;
  if (!replica) return [];
  const stored = await signalCounts(ctx.db);
  const nowMs = Date.now();
  return Promise.all(
    replica.signalTypes().map(async (type) => {
      const s = replica.stats(type)!;
      const missing = await oldestUnapplied(ctx.db, type, replica.appliedSeq);
      return {
        signalType: type,
        size: s.size,
        stored: stored.get(type) ?? 0,
        lastChange: s.lastChangedAt > 0 ? ago(Math.floor(s.lastChangedAt / 1000), Math.floor(nowMs / 1000)) : 'never',
        health: missing === null ? 'ok' : nowMs - missing > 60_000 ? 'err' : 'warn',
        freshness: missing === null ? 'current' : `${formatDuration((nowMs - missing) / 1000)} behind`,
      } satisfies IndexRow;
    }),
  );
}

export function dashboardRoutes(ctx: UiContext) {
  return async (app: FastifyInstance) => {
    app.get<{ Querystring: DoneQuery }>('/', async (req, reply) => {
      // After a write here (a dev button), show index statistics that include it.
      if (ctx.matching?.isReady()) await ctx.matching.beforeLookup();
      const [processes, signalTypes, contentTypes, indexes, exchanges, dev, flood] = await Promise.all([
        processRows(ctx),
        listSignalTypes(ctx.db, signalTypeRegistry(ctx.config.SIGNAL_TYPES)),
        listContentTypes(ctx.db),
        indexRows(ctx),
        exchangeRows(ctx.db, nowS()),
        ctx.dev?.state(),
        floodPanel(ctx.db),
      ]);
      const apis = exchangeTypeRegistry(ctx.config);
      const exchangeTypes = await Promise.all(
        apis.names().map(async (name) => ({
          name,
          takesCredentials: apis.get(name)?.credentialFields !== null,
          hasCredentials: (await getApiAuth(ctx.db, apis, name)).has_set_authentification,
        })),
      );
      return sendPage(reply, 'dashboard', frame(ctx, 'home', 'Dashboard', noticeFrom(req.query)), {
        flood,
        floodBack: '/ui/',
        processes,
        signalTypes,
        contentTypes,
        exchangeTypes,
        indexes,
        indexReady: ctx.matching?.isReady() ?? null,
        exchanges,
        dev: dev === undefined ? null : { ...dev, seed: ctx.dev!.seeder.state },
      });
    });
  };
}
