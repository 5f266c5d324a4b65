/**
 * /ui/banks: every bank with its ratio, labels and item counts; creating a bank; "Find
 * content in banks" by upload, URL or hash (with the bypass-ratio option). Also HMA's
 * JSON helpers behind that search: /ui/query, /ui/query_url, /ui/query_hash.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { createBank, getBankMetadata, listBanks } from '../../../curation/banks.js';
import { parseLabels } from '../../../curation/content-fields.js';
import { CONTENT_TYPES, signalTypeRegistry, type SignalTypeRegistry } from '../../../signals/registry.js';
import { HmaError, invalidInput } from '../../../errors/errors.js';
import { frame, nowS, type UiContext } from '../context.js';
import { findInBanks, type FindResult } from '../find.js';
import { field, notFalse, readForm, requiredField, type Form } from '../forms.js';
import { doneUrl, noticeFrom, type DoneQuery } from '../notices.js';
import { hashFetched, signalInput, typedSignal, type SignalInput } from '../signal-input.js';
import { sendPage, type Notice } from '../view.js';

export interface BankRow {
  readonly name: string;
  readonly ratio: number;
  readonly labels: readonly string[];
  readonly exchange: string | null;
  readonly contents: number;
  readonly enabled: number;
  readonly signals: ReadonlyArray<readonly [string, number]>;
}

export interface FindView extends FindResult {
  readonly label: string;
  readonly bypass: boolean;
}

async function bankRows(ctx: UiContext): Promise<BankRow[]> {
  const banks = await listBanks(ctx.db);
  return Promise.all(
    banks.map(async (b) => {
      const { meta } = await getBankMetadata(ctx.db, b.name, nowS());
      return {
        name: b.name,
        ratio: b.matching_enabled_ratio,
        labels: b.labels,
        exchange: b.exchange,
        contents: meta.content_count,
        enabled: meta.enabled_content_count,
        signals: Object.entries(meta.signal_counts),
      };
    }),
  );
}

/** Shared by the signal-typing forms of the banks and bank pages. */
export const formChoices = (types: SignalTypeRegistry) => ({ signalTypes: [...types.names], contentTypes: [...CONTENT_TYPES] });

async function banksPage(
  ctx: UiContext,
  reply: FastifyReply,
  extra: { notices?: Notice[]; find?: FindView; status?: number } = {},
): Promise<FastifyReply> {
  return sendPage(reply, 'banks', frame(ctx, 'banks', 'Banks', extra.notices), {
    banks: await bankRows(ctx),
    find: extra.find ?? null,
    ...formChoices(signalTypeRegistry(ctx.config.SIGNAL_TYPES)),
  }, extra.status);
}

/** An HmaError shown on the page it came from; anything else goes to the error page. */
export function asNotice(err: unknown): Notice {
  if (err instanceof HmaError) return { kind: 'error', text: err.message };
  throw err;
}

/** HMA's JSON answer of the find helpers. */
async function findJson(ctx: UiContext, form: Form, input: (form: Form) => Promise<SignalInput> | SignalInput) {
  const { signals } = await input(form);
  return findInBanks(ctx.db, ctx.matching, signals, { bypassRatio: notFalse(form.fields.bypass_enabled_ratio) });
}

export function banksRoutes(ctx: UiContext) {
  const types = signalTypeRegistry(ctx.config.SIGNAL_TYPES);
  return async (app: FastifyInstance) => {
    app.get<{ Querystring: DoneQuery }>('/banks', async (req, reply) => banksPage(ctx, reply, { notices: noticeFrom(req.query) }));

    app.post('/banks/find', async (req, reply) => {
      const form = await readForm(req);
      const bypass = notFalse(form.fields.bypass_enabled_ratio);
      try {
        const input = await signalInput(types, ctx.media, form);
        const result = await findInBanks(ctx.db, ctx.matching, input.signals, { bypassRatio: bypass });
        return await banksPage(ctx, reply, { find: { ...result, label: input.label, bypass } });
      } catch (err) {
        return banksPage(ctx, reply, { notices: [asNotice(err)], status: 400 });
      }
    });

    // HMA's form: bank_name; here also an initial ratio and labels.
    app.post('/create_bank', async (req, reply) => {
      const form = await readForm(req);
      // As HMA's bank form does on blur: trimmed and upper-cased.
      const name = requiredField(form, 'bank_name', 'bank_name is required').toUpperCase();
      const ratioText = field(form, 'enabled_ratio');
      const ratio = ratioText === undefined ? undefined : Number(ratioText);
      if (ratio !== undefined && !Number.isFinite(ratio)) throw invalidInput('enabled_ratio must be a number');
      const labels = parseLabels((field(form, 'labels') ?? '').split(',').map((l) => l.trim()).filter(Boolean), 'labels');
      try {
        await createBank(ctx.db, { name, enabled_ratio: ratio, labels });
      } catch (err) {
        return banksPage(ctx, reply, { notices: [asNotice(err)], status: err instanceof HmaError && err.code === 'forbidden' ? 403 : 400 });
      }
      return reply.redirect(doneUrl('/ui/banks', 'bank_created', { name }), 303);
    });

    // HMA's upload form: one file whose field name is its content type.
    app.post('/query', async (req) => {
      const { values, fields } = await ctx.media.input.hashUpload(req, undefined);
      return findInBanks(ctx.db, ctx.matching, values, { bypassRatio: notFalse(fields.bypass_enabled_ratio) });
    });
    app.post('/query_url', async (req) => findJson(ctx, await readForm(req), (form) => hashFetched(ctx.media, form)));
    app.post('/query_hash', async (req) => findJson(ctx, await readForm(req), (form) => typedSignal(types, form)));
  };
}
