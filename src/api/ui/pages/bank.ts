/**
 * /ui/bank/<name>: one bank's content, a page at a time (HMA's UI cannot browse a bank),
 * each item with its signals, metadata, note and enabled state and an enable/disable
 * toggle; adding content by upload, URL or hash with metadata and note; removing
 * content by id, URL or hash. Also HMA's JSON helper /ui/bank/<name>/content/find.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { getBank, getBankMetadata, updateBank } from '../../../curation/banks.js';
import { thresholdLimits } from '../../../curation/thresholds.js';
import { parseMetadata, parseNote } from '../../../curation/content-fields.js';
import * as contents from '../../../curation/contents.js';
import { findContent } from '../../../curation/content-store.js';
import { invalidInput, notFound } from '../../../errors/errors.js';
import { isContentEnabled } from '../../../replica/content-enabled.js';
import { frame, nowS, type UiContext } from '../context.js';
import { exactContentIds, findInBanks } from '../find.js';
import { field, readForm, requiredField, type Form } from '../forms.js';
import { floodPanel } from '../flood-panel.js';
import { formatUtc } from '../format.js';
import { backTo, doneUrl, noticeFrom, type DoneQuery } from '../notices.js';
import { signalInput } from '../signal-input.js';
import { signalTypeRegistry } from '../../../signals/registry.js';
import { sendPage, type Notice } from '../view.js';
import { asNotice, formChoices } from './banks.js';

interface BankParams {
  bank_name: string;
}
interface BrowseQuery extends DoneQuery {
  page_token?: string;
  page_size?: string;
  order?: string;
  focus?: string;
}

export interface ItemRow {
  readonly id: number;
  readonly signals: ReadonlyArray<readonly [string, string]>;
  readonly enabled: boolean;
  readonly state: string;
  readonly note: string | null;
  readonly metadata: ReadonlyArray<readonly [string, string]>;
  readonly source: string | null;
  readonly updated: string;
}

const PAGE_SIZES = [25, 50, 100, 500] as const;

export const bankUrl = (name: string, query: Record<string, string> = {}) => {
  const qs = new URLSearchParams(query).toString();
  return `/ui/bank/${encodeURIComponent(name)}${qs ? `?${qs}` : ''}`;
};

function itemRow(c: contents.Content, now: number): ItemRow {
  const enabled = isContentEnabled(c.disable_until_ts, now);
  const meta: Array<[string, string]> = [];
  if (c.platform_content_id) meta.push(['ID', c.platform_content_id]);
  if (c.metadata?.content_uri) meta.push(['URI', c.metadata.content_uri]);
  for (const [k, v] of Object.entries(c.metadata?.json ?? {})) meta.push([k, typeof v === 'string' ? v : JSON.stringify(v)]);
  for (const l of c.review_labels) meta.push(['review label', l]);
  const collab = Object.entries(c.collab).map(([ex, keys]) => `${ex}: ${keys.join(', ')}`);
  return {
    id: c.id,
    signals: Object.entries(c.signals),
    enabled,
    state: c.disable_until_ts === 0 ? 'disabled' : enabled ? 'enabled' : `disabled until ${formatUtc(c.disable_until_ts * 1000)}`,
    note: c.note,
    metadata: meta,
    source: collab.length > 0 ? collab.join('; ') : null,
    updated: formatUtc(c.updated_at.getTime()),
  };
}

/** Metadata from the add form: platform id, URI, and a JSON object typed in. */
function formMetadata(form: Form) {
  const jsonText = field(form, 'json');
  let json: unknown;
  if (jsonText !== undefined) {
    try {
      json = JSON.parse(jsonText);
    } catch {
      throw invalidInput('Metadata JSON must be valid JSON (an object)');
    }
  }
  const raw: Record<string, unknown> = { content_id: field(form, 'content_id'), content_uri: field(form, 'content_uri'), json };
  return parseMetadata(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)));
}

async function bankPage(ctx: UiContext, reply: FastifyReply, name: string, q: BrowseQuery, notices: Notice[], status = 200) {
  const order = q.order === 'asc' ? 'asc' : 'desc';
  const size = PAGE_SIZES.find((s) => String(s) === q.page_size) ?? PAGE_SIZES[0];
  const now = nowS();
  const [{ bank, meta }, page] = await Promise.all([
    getBankMetadata(ctx.db, name, now),
    contents.listContent(ctx.db, name, { pageSize: size, pageToken: q.page_token || undefined, order }),
  ]);
  const flood = await floodPanel(ctx.db, { bankId: bank.id, bankName: bank.name });
  const base = { order, page_size: String(size) };
  const here = bankUrl(name, { ...base, ...(q.page_token ? { page_token: q.page_token } : {}) });
  return sendPage(reply, 'bank', frame(ctx, 'banks', `Bank ${bank.name}`, notices), {
    bank: {
      name: bank.name,
      ratio: bank.matching_enabled_ratio,
      labels: bank.labels,
      exchange: bank.exchange,
      contents: meta.content_count,
      enabled: meta.enabled_content_count,
      signals: Object.entries(meta.signal_counts),
      allowList: bank.allow_list,
      allowListScope: bank.allow_list_scope,
    },
    // One row per distance-based signal type: the bank's own threshold, or the default it falls back to.
    thresholds: [...thresholdLimits(ctx.config)].flatMap(([type, bounds]) =>
      bounds ? [{ type, own: bank.match_thresholds[type] ?? null, default: bounds.default, max: bounds.max }] : []),
    items: page.items.map((c) => itemRow(c, now)),
    flood,
    floodBack: bankUrl(bank.name),
    focus: Number(q.focus) || null,
    order,
    pageSize: size,
    pageSizes: PAGE_SIZES,
    here,
    firstUrl: q.page_token ? bankUrl(name, base) : null,
    nextUrl: page.nextPageToken ? bankUrl(name, { ...base, page_token: page.nextPageToken }) : null,
    ...formChoices(signalTypeRegistry(ctx.config.SIGNAL_TYPES)),
  }, status);
}

/** Content ids to remove: typed in, or every item of the bank holding exactly the given media's or hash's signal. */
async function idsToRemove(ctx: UiContext, bank: string, form: Form): Promise<number[]> {
  if (field(form, 'source') === 'id') {
    const raw = requiredField(form, 'content_id', 'Content id is required');
    const ids = raw.split(/[\s,]+/).filter(Boolean).map((t) => {
      if (!/^\d+$/.test(t)) throw invalidInput(`Invalid content id: '${t}'`);
      return Number(t);
    });
    return [...new Set(ids)];
  }
  const input = await signalInput(signalTypeRegistry(ctx.config.SIGNAL_TYPES), ctx.media, form);
  return [...new Set((await exactContentIds(ctx.matching, bank, input.signals)).map((m) => m.content_id))];
}

export function bankRoutes(ctx: UiContext) {
  return async (app: FastifyInstance) => {
    app.get<{ Params: BankParams; Querystring: BrowseQuery }>('/bank/:bank_name', async (req, reply) =>
      bankPage(ctx, reply, req.params.bank_name, req.query, noticeFrom(req.query)),
    );

    app.post<{ Params: BankParams }>('/bank/:bank_name/add', async (req, reply) => {
      const name = req.params.bank_name;
      const form = await readForm(req);
      try {
        const extras = { metadata: formMetadata(form), note: parseNote(field(form, 'note')) };
        const input = await signalInput(signalTypeRegistry(ctx.config.SIGNAL_TYPES), ctx.media, form);
        const { id } = await contents.addContent(ctx.db, signalTypeRegistry(ctx.config.SIGNAL_TYPES), name, input.signals, extras);
        return await reply.redirect(`${doneUrl(bankUrl(name, { focus: String(id) }), 'added', { id: String(id) })}#item-${id}`, 303);
      } catch (err) {
        return bankPage(ctx, reply, name, {}, [asNotice(err)], 400);
      }
    });

    app.post<{ Params: BankParams }>('/bank/:bank_name/remove', async (req, reply) => {
      const name = req.params.bank_name;
      const form = await readForm(req);
      try {
        const ids = await idsToRemove(ctx, name, form);
        // All or nothing: refuse before deleting anything if one id is another bank's.
        const bank = await getBank(ctx.db, name);
        for (const id of ids) {
          const c = await findContent(ctx.db, id);
          if (c && c.bank_id !== bank.id) throw notFound(`content '${id}' not found in bank '${name}'`);
        }
        let removed = 0;
        for (const id of ids) removed += await contents.deleteContent(ctx.db, name, id);
        return await reply.redirect(doneUrl(bankUrl(name), 'removed', { n: String(removed) }), 303);
      } catch (err) {
        return bankPage(ctx, reply, name, {}, [asNotice(err)], 400);
      }
    });

    // Match thresholds: one number per signal type; an empty field falls back to the default.
    app.post<{ Params: BankParams }>('/bank/:bank_name/thresholds', async (req, reply) => {
      const name = req.params.bank_name;
      const form = await readForm(req);
      const limits = thresholdLimits(ctx.config);
      const thresholds: Record<string, unknown> = {};
      for (const [type, bounds] of limits) {
        const text = bounds ? field(form, `threshold_${type}`) : undefined;
        if (text === undefined || text.trim() === '') continue;
        const n = Number(text);
        thresholds[type] = Number.isFinite(n) ? n : text;
      }
      await updateBank(ctx.db, name, { match_thresholds: thresholds }, limits);
      return reply.redirect(doneUrl(bankUrl(name), 'thresholds_saved', { name }), 303);
    });

    // Allow-list: on/off and the labels of the banks it suppresses (empty = every bank).
    app.post<{ Params: BankParams }>('/bank/:bank_name/allow_list', async (req, reply) => {
      const name = req.params.bank_name;
      const form = await readForm(req);
      const on = field(form, 'allow_list') === 'true';
      const scope = (field(form, 'allow_list_scope') ?? '').split(/[\s,]+/).filter((l) => l !== '');
      await updateBank(ctx.db, name, { allow_list: on, allow_list_scope: scope });
      return reply.redirect(doneUrl(bankUrl(name), on ? 'allow_list_on' : 'allow_list_off', { name }), 303);
    });

    // The toggle: 1 = enabled, 0 = disabled indefinitely (HMA's magic values).
    app.post<{ Params: BankParams & { content_id: string } }>('/bank/:bank_name/content/:content_id/enabled', async (req, reply) => {
      const name = req.params.bank_name;
      const id = Number(req.params.content_id);
      if (!Number.isSafeInteger(id) || id < 0) throw notFound(`content '${req.params.content_id}' not found`);
      const form = await readForm(req);
      const enable = requiredField(form, 'enabled', 'enabled is required') === 'true';
      await contents.updateContent(ctx.db, name, id, { disable_until_ts: enable ? 1 : 0 }, nowS());
      // The listing is by modification time: the item is now first, so go there.
      const back = backTo(field(form, 'back'), bankUrl(name, { focus: String(id) }));
      return reply.redirect(`${doneUrl(back, enable ? 'enabled' : 'disabled', { id: String(id) })}#item-${id}`, 303);
    });

    // HMA's JSON helper: {url, content_type} or {signal_type, signal_value}; always bypasses the ratio.
    app.post<{ Params: BankParams; Body: Record<string, unknown> }>('/bank/:bank_name/content/find', async (req) => {
      const name = req.params.bank_name;
      await getBank(ctx.db, name);
      const body = req.body ?? {};
      const text = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : undefined);
      const fields: Record<string, string> = {};
      for (const k of ['url', 'content_type', 'signal_type', 'signal_value']) {
        const v = text(k);
        if (v !== undefined) fields[k] = v;
      }
      let form: Form;
      if (fields.url !== undefined) {
        if (fields.content_type === undefined) throw invalidInput('content_type required when searching by URL');
        form = { fields: { ...fields, source: 'url' } };
      } else if (fields.signal_type !== undefined && fields.signal_value !== undefined) {
        form = { fields: { ...fields, source: 'hash' } };
      } else {
        throw invalidInput('Provide either url and content_type, or signal_type and signal_value');
      }
      const input = await signalInput(signalTypeRegistry(ctx.config.SIGNAL_TYPES), ctx.media, form);
      const found = await findInBanks(ctx.db, ctx.matching, input.signals, { bypassRatio: true, banks: [name] });
      const matches = found.matches.map((m) => ({
        signal_type: m.signal_type,
        signal_value: input.signals[m.signal_type] ?? m.signal_value,
        content_id: m.content_id,
        distance: m.distance,
      }));
      return { content_ids: [...new Set(matches.map((m) => m.content_id))], matches, bank_name: name };
    });
  };
}
