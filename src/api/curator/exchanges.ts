/** /c/exchanges, /c/exchange/<name>, /c/exchanges/api/<api>: exchange configs (storage side). */
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../curation/db.js';
import type { ExchangeApis } from '../../curation/exchange-apis.js';
import * as ex from '../../curation/exchanges.js';
import * as s from './schemas.js';

interface NameParams {
  exchange_name: string;
}
interface ApiParams {
  api_name: string;
}

const nameParams = { type: 'object', properties: { exchange_name: { type: 'string' } }, required: ['exchange_name'] } as const;
const apiParams = { type: 'object', properties: { api_name: { type: 'string' } }, required: ['api_name'] } as const;
const apiAuth = {
  type: 'object',
  properties: { supports_authentification: { type: 'boolean' }, has_set_authentification: { type: 'boolean' } },
} as const;
const exchangeConfig = {
  type: 'object',
  description: 'name, api, enabled, runtime flags, and the API-specific fields',
  properties: {
    name: { type: 'string' },
    api: { type: 'string' },
    enabled: { type: 'boolean' },
    report_seen: { type: 'boolean' },
    report_true_positive: { type: 'boolean' },
    report_false_positive: { type: 'boolean' },
  },
  additionalProperties: true,
} as const;
const field = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    type: { type: 'string' },
    required: { type: 'boolean' },
    default: {},
    help: { type: 'string' },
    choices: { type: ['array', 'null'], items: { type: 'string' } },
  },
} as const;
const fieldList = { type: 'object', properties: { fields: { type: 'array', items: field } } } as const;

export function exchangeRoutes(db: Db, apis: ExchangeApis) {
  return async (app: FastifyInstance) => {
    app.get('/exchanges/apis', {
      schema: { tags: ['exchanges'], summary: 'Installed exchange API types', response: { 200: { type: 'array', items: { type: 'string' } } } },
    }, async () => apis.names());

    app.get<{ Params: ApiParams }>('/exchanges/api/:api_name', {
      schema: { tags: ['exchanges'], summary: 'Whether the API takes credentials and has them', params: apiParams, response: { 200: apiAuth, 400: s.message } },
    }, (req) => ex.getApiAuth(db, apis, req.params.api_name));

    app.post<{ Params: ApiParams; Body: unknown }>('/exchanges/api/:api_name', {
      schema: {
        tags: ['exchanges'],
        summary: 'Set ({...}) or clear ({}) the API\'s credentials; they are never returned',
        params: apiParams,
        body: { type: 'object', properties: { credential_json: { description: 'credential fields of the API, {} clears' } } },
        response: { 200: apiAuth, 400: s.message },
      },
    }, (req) => ex.setApiCredentials(db, apis, req.params.api_name, req.body));

    app.get<{ Params: ApiParams }>('/exchanges/api/:api_name/schema', {
      schema: {
        tags: ['exchanges'],
        summary: 'Config and credential fields of an API type',
        params: apiParams,
        response: {
          200: { type: 'object', properties: { config_schema: fieldList, credentials_schema: { ...fieldList, nullable: true } } },
          404: s.message,
        },
      },
    }, async (req) => ex.apiSchema(apis, req.params.api_name));

    app.post<{ Body: ex.CreateExchangeInput }>('/exchanges', {
      schema: {
        tags: ['exchanges'],
        summary: 'Create an exchange and its bank (of the same name)',
        body: {
          type: 'object',
          properties: {
            bank: { description: 'name of the exchange and of its new bank, UPPER_WITH_UNDERSCORE' },
            api: { description: 'exchange API type' },
            api_json: { description: 'API-specific config fields (and optionally enabled)' },
          },
        },
        response: { 201: s.message, 400: s.message, 403: s.message },
      },
    }, async (req, reply) => {
      await ex.createExchange(db, apis, req.body ?? {});
      return reply.status(201).send({ message: 'Created successfully' });
    });

    app.get('/exchanges', {
      schema: { tags: ['exchanges'], summary: 'Exchange names', response: { 200: { type: 'array', items: { type: 'string' } } } },
    }, async () => (await ex.listExchanges(db)).map((e) => e.name));

    app.get<{ Params: NameParams }>('/exchange/:exchange_name', {
      schema: { tags: ['exchanges'], summary: 'An exchange\'s config', params: nameParams, response: { 200: exchangeConfig, 404: s.message } },
    }, async (req) => ex.exchangeJson(await ex.getExchange(db, req.params.exchange_name)));

    app.get<{ Params: NameParams }>('/exchange/:exchange_name/status', {
      schema: {
        tags: ['exchanges'],
        summary: 'Fetch status',
        params: nameParams,
        response: {
          200: {
            type: 'object',
            properties: {
              checkpoint_ts: { type: ['integer', 'null'] },
              running_fetch_start_ts: { type: ['integer', 'null'] },
              last_fetch_complete_ts: { type: ['integer', 'null'] },
              last_fetch_succeeded: { type: ['boolean', 'null'] },
              up_to_date: { type: 'boolean' },
              fetched_items: { type: 'integer' },
            },
          },
          404: s.message,
        },
      },
    }, (req) => ex.getFetchStatus(db, req.params.exchange_name));

    app.put<{ Params: NameParams; Body: { enabled?: boolean; report_seen?: boolean; report_true_positive?: boolean; report_false_positive?: boolean } }>(
      '/exchange/:exchange_name',
      {
        schema: {
          tags: ['exchanges'],
          summary: 'Update runtime flags: fetching enabled, report SEEN, report true/false positives',
          params: nameParams,
          body: {
            type: 'object',
            properties: {
              enabled: { type: 'boolean' },
              report_seen: { type: 'boolean' },
              report_true_positive: { type: 'boolean' },
              report_false_positive: { type: 'boolean' },
            },
          },
          response: { 200: exchangeConfig, ...s.errors },
        },
      },
      async (req) => ex.exchangeJson(await ex.updateExchange(db, req.params.exchange_name, req.body)),
    );

    app.delete<{ Params: NameParams; Querystring: { keep_bank?: boolean } }>('/exchange/:exchange_name', {
      schema: {
        tags: ['exchanges'],
        summary: 'Delete an exchange with its fetched data, and its bank unless keep_bank=true',
        params: nameParams,
        querystring: { type: 'object', properties: { keep_bank: { type: 'boolean', default: false } } },
        response: { 200: s.message },
      },
    }, async (req) => {
      await ex.deleteExchange(db, req.params.exchange_name, req.query.keep_bank ?? false);
      return { message: 'Exchange deleted' };
    });
  };
}
