/**
 * /ui/results (beyond HMA): the pipeline's recent match results, live. The page shows
 * what this process has buffered; /ui/results/stream pushes new ones as server-sent
 * events, optionally only those with a match in one bank. /ui/documentation is here too.
 */
import type { FastifyInstance } from 'fastify';
import { listBanks } from '../../../curation/banks.js';
import { frame, type UiContext } from '../context.js';
import { inBank, type LiveResult } from '../results-feed.js';
import { sendPage } from '../view.js';

interface ResultsQuery {
  bank?: string;
  after?: string;
}

const bankOf = (q: ResultsQuery): string | undefined => (q.bank ? q.bank : undefined);

export function resultsRoutes(ctx: UiContext) {
  const streams = new Set<{ end: () => void }>();

  return async (app: FastifyInstance) => {
    app.get<{ Querystring: ResultsQuery }>('/results', async (req, reply) => {
      ctx.results.ensureStarted();
      const bank = bankOf(req.query);
      const recent = ctx.results.recent(bank);
      const params = new URLSearchParams({ after: String(recent[0]?.seq ?? 0), ...(bank ? { bank } : {}) });
      return sendPage(reply, 'results', frame(ctx, 'results', 'Live match results'), {
        results: recent,
        bank: bank ?? null,
        banks: (await listBanks(ctx.db)).map((b) => b.name),
        feed: ctx.results.state,
        stream: `/ui/results/stream?${params.toString()}`,
      });
    });

    app.get<{ Querystring: ResultsQuery }>('/results/stream', (req, reply) => {
      ctx.results.ensureStarted();
      const bank = bankOf(req.query);
      // EventSource resends the last id it saw on reconnect: nothing is shown twice.
      const lastId = Number(req.headers['last-event-id'] ?? req.query.after ?? 0) || 0;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      const send = (r: LiveResult) => {
        if (inBank(r, bank)) res.write(`id: ${r.seq}\nevent: result\ndata: ${JSON.stringify(r)}\n\n`);
      };
      res.write('retry: 2000\n\n');
      for (const r of ctx.results.recent(bank, lastId).reverse()) send(r);
      const unsubscribe = ctx.results.subscribe(send);
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
      const stream = {
        end: () => {
          clearInterval(heartbeat);
          unsubscribe();
          streams.delete(stream);
          res.end();
        },
      };
      streams.add(stream);
      req.raw.on('close', stream.end);
    });

    // Open streams would keep the server from closing.
    app.addHook('preClose', async () => {
      for (const s of [...streams]) s.end();
    });

    app.get('/documentation', async (_req, reply) =>
      sendPage(reply, 'documentation', frame(ctx, 'documentation', 'API documentation'), {}),
    );
  };
}
