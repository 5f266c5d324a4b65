/**
 * /dev/*: HMA's development endpoints (POST, no body, 302 to the UI page that shows the
 * result; docs/reference/hma-api.md §1.7), plus the seeding progress the dashboard polls. Registered only
 * when PRODUCTION is false. Errors are JSON like the other API groups; HMA's 500s on a
 * repeated create are 403s here.
 */
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { SAMPLE_EXCHANGE, TX_EXCHANGE, type DevTools } from './tools.js';
import { hmaCompatible } from '../hma-compat.js';

export interface DevRoutesOptions {
  /** With the UI off there is no page to go back to: answer JSON instead of redirecting. */
  readonly uiEnabled: boolean;
}

const message = { type: 'object', properties: { message: { type: 'string' } } } as const;
const seedState = {
  type: 'object',
  properties: {
    state: { type: 'string', enum: ['idle', 'running', 'done', 'failed'] },
    done: { type: 'integer' },
    total: { type: 'integer' },
    error: { type: 'string' },
  },
} as const;

export function devRoutes(tools: DevTools, opts: DevRoutesOptions) {
  const back = (reply: FastifyReply, page: string, done: string) =>
    opts.uiEnabled ? reply.redirect(page, 302) : reply.send({ message: done });
  const schema = (summary: string) => ({ tags: ['development'], summary, response: { 200: message } });

  return async (app: FastifyInstance) => {
    hmaCompatible(app);
    // The dashboard's buttons are plain HTML forms (the reset form carries its confirmation box).
    await app.register(formbody);

    app.post('/dev/setup_sample_example', { schema: schema(`Create the ${SAMPLE_EXCHANGE} exchange (API sample)`) }, async (_req, reply) => {
      await tools.setupSample();
      return back(reply, '/ui/', 'Sample API created');
    });

    app.post('/dev/setup_tx_example', { schema: schema(`Create the ${TX_EXCHANGE} ThreatExchange exchange (needs credentials to fetch)`) }, async (_req, reply) => {
      await tools.setupTx();
      return back(reply, '/ui/', 'Tx API created');
    });

    app.post<{ Querystring: { background?: boolean } }>('/dev/seed_banks', {
      schema: {
        tags: ['development'],
        summary: 'Create SEED_BANK_0 and SEED_BANK_1 with 10,000 random signals (5,000 PDQ + 5,000 MD5)',
        querystring: {
          type: 'object',
          properties: { background: { type: 'boolean', default: false, description: 'answer 202 at once; progress at GET /dev/seed_banks' } },
        },
        response: { 200: message, 202: seedState },
      },
    }, async (req, reply) => {
      const { started, finished } = tools.seeder.start();
      await started;
      if (req.query.background) return reply.status(202).send(tools.seeder.state);
      await finished;
      return back(reply, '/ui/', 'Banks seeded');
    });

    app.get('/dev/seed_banks', {
      schema: { tags: ['development'], summary: 'Progress of the last bank seeding in this process', response: { 200: seedState } },
    }, async () => tools.seeder.state);

    app.post('/dev/run_fetch', { schema: schema('Fetch every enabled exchange once, now') }, async (_req, reply) => {
      await tools.runFetch();
      return back(reply, '/ui/exchanges', 'Fetched');
    });

    app.post('/dev/factory_reset', { schema: schema('Delete every bank, exchange, credential and setting') }, async (_req, reply) => {
      await tools.factoryReset();
      return back(reply, '/ui/', 'Factory reset done');
    });
  };
}
