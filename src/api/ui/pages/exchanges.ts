/**
 * /ui/exchanges: the status table with its enable switches, "Run fetch now" (development),
 * and creating an exchange through a form generated from the API type's config and
 * credential fields (the same descriptors /c/exchanges/api/<api>/schema serves).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ExchangeApis, FieldSpec } from '../../../curation/exchange-apis.js';
import { exchangeTypeRegistry } from '../../../exchanges/registry.js';
import { apiSchema, createExchange, getApiAuth, setApiCredentials, updateExchange } from '../../../curation/exchanges.js';
import { invalidInput } from '../../../errors/errors.js';
import { frame, nowS, type UiContext } from '../context.js';
import { exchangeRows } from '../exchange-rows.js';
import { field, readForm, requiredField, type Form } from '../forms.js';
import { backTo, doneUrl, noticeFrom, type DoneQuery } from '../notices.js';
import { sendPage, type Notice } from '../view.js';
import { asNotice } from './banks.js';

interface PageQuery extends DoneQuery {
  api?: string;
}

/** One form input per field; `name` is prefixed so config and credentials cannot collide. */
export interface InputSpec extends FieldSpec {
  readonly input: string;
}

const withInputs = (fields: readonly FieldSpec[], prefix: string): InputSpec[] => fields.map((f) => ({ ...f, input: `${prefix}${f.name}` }));

/** A form value as the field's type; undefined when left empty (the server applies defaults). */
export function fieldValue(f: FieldSpec, raw: string | undefined): unknown {
  if (f.type === 'boolean') return raw === 'true';
  const text = raw?.trim() ?? '';
  if (text === '') return undefined;
  const list = () => text.split(',').map((s) => s.trim()).filter(Boolean);
  switch (f.type) {
    case 'number': {
      const n = Number(text);
      if (!Number.isFinite(n)) throw invalidInput(`${f.name} must be a number`);
      return n;
    }
    case 'set_of_number':
      return list().map((s) => {
        const n = Number(s);
        if (!Number.isFinite(n)) throw invalidInput(`${f.name} must be a comma-separated list of numbers`);
        return n;
      });
    case 'set_of_string':
    case 'list_of_string':
      return list();
    default:
      return text;
  }
}

function collect(fields: readonly InputSpec[], form: Form): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = fieldValue(f, form.fields[f.input]);
    if (v !== undefined) out[f.name] = v;
  }
  return out;
}

async function exchangesPage(ctx: UiContext, installed: ExchangeApis, reply: FastifyReply, api: string | undefined, notices: Notice[], status = 200) {
  const apis = installed.names();
  const chosen = api !== undefined && apis.includes(api) ? api : undefined;
  let create: { api: string; config: InputSpec[]; credentials: InputSpec[] | null; hasCredentials: boolean } | null = null;
  if (chosen) {
    const schema = apiSchema(installed, chosen);
    create = {
      api: chosen,
      config: withInputs(schema.config_schema.fields as FieldSpec[], 'cfg.'),
      credentials: schema.credentials_schema ? withInputs(schema.credentials_schema.fields as FieldSpec[], 'cred.') : null,
      hasCredentials: (await getApiAuth(ctx.db, installed, chosen)).has_set_authentification,
    };
  }
  return sendPage(reply, 'exchanges', frame(ctx, 'exchanges', 'Exchanges', notices), {
    exchanges: await exchangeRows(ctx.db, nowS()),
    apis,
    create,
  }, status);
}

export function exchangesRoutes(ctx: UiContext) {
  const installed = exchangeTypeRegistry(ctx.config);
  return async (app: FastifyInstance) => {
    app.get<{ Querystring: PageQuery }>('/exchanges', async (req, reply) =>
      exchangesPage(ctx, installed, reply, req.query.api, noticeFrom(req.query)),
    );

    app.post('/exchanges/create', async (req, reply) => {
      const form = await readForm(req);
      const api = requiredField(form, 'api', 'Choose an exchange API');
      try {
        const schema = apiSchema(installed, api);
        const bank = requiredField(form, 'bank', 'This field is required: the new bank name').toUpperCase();
        if (schema.credentials_schema) {
          const creds = collect(withInputs(schema.credentials_schema.fields as FieldSpec[], 'cred.'), form);
          // Credentials are per API type: only replaced when some were typed in.
          if (Object.keys(creds).length > 0) await setApiCredentials(ctx.db, installed, api, { credential_json: creds });
        }
        const apiJson = collect(withInputs(schema.config_schema.fields as FieldSpec[], 'cfg.'), form);
        if (field(form, 'enabled') === 'false') apiJson.enabled = false;
        await createExchange(ctx.db, installed, { bank, api, api_json: apiJson });
        return await reply.redirect(doneUrl('/ui/exchanges', 'exchange_created', { name: bank }), 303);
      } catch (err) {
        return exchangesPage(ctx, installed, reply, api, [asNotice(err)], 400);
      }
    });

    app.post<{ Params: { exchange_name: string } }>('/exchange/:exchange_name/enabled', async (req, reply) => {
      const name = req.params.exchange_name;
      const form = await readForm(req);
      const enabled = requiredField(form, 'enabled', 'enabled is required') === 'true';
      await updateExchange(ctx.db, name, { enabled });
      return reply.redirect(doneUrl(backTo(field(form, 'back'), '/ui/exchanges'), enabled ? 'exchange_enabled' : 'exchange_disabled', { name }), 303);
    });
  };
}
