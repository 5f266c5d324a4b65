/** /c/banks and /c/bank/<name>: HMA's bank endpoints plus labels and bank metadata. */
import type { FastifyInstance } from 'fastify';
import * as banks from '../../curation/banks.js';
import type { Db } from '../../curation/db.js';
import type { ThresholdLimits } from '../../curation/thresholds.js';
import { bankJson } from './render.js';
import * as s from './schemas.js';

interface BankParams {
  bank_name: string;
}

/**
 * HMA validates the create body with a pydantic model in lax mode, so clients send what it
 * coerces: the Ruby client `"enabled": "true"`, a moderation platform `"enabled_ratio": "1"`.
 */
const pyTrue = ['true', 'True', 'TRUE', '1', 'yes', 'on', 't', 'y'];
const pyFalse = ['false', 'False', 'FALSE', '0', 'no', 'off', 'f', 'n'];
const laxBool = { enum: [true, false, null, 1, 0, ...pyTrue, ...pyFalse] } as const;
const laxFloat = {
  anyOf: [{ type: 'number' }, { type: 'string', pattern: '^\\s*[-+]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?\\s*$' }, { type: 'null' }],
} as const;

interface LaxCreateBody extends Omit<banks.CreateBankInput, 'enabled' | 'enabled_ratio'> {
  readonly enabled?: boolean | number | string | null;
  readonly enabled_ratio?: number | string | null;
}

function fromLax(b: LaxCreateBody): banks.CreateBankInput {
  const e = b.enabled;
  const r = b.enabled_ratio;
  return {
    ...b,
    enabled: typeof e === 'string' ? pyTrue.includes(e) : typeof e === 'number' ? e === 1 : e,
    enabled_ratio: typeof r === 'string' ? Number(r) : r,
  };
}

export function bankRoutes(db: Db, nowS: () => number, limits: ThresholdLimits) {
  return async (app: FastifyInstance) => {
    app.get('/banks', {
      schema: { tags: ['banks'], summary: 'List banks', response: { 200: { type: 'array', items: s.bank } } },
    }, async () => (await banks.listBanks(db)).map(bankJson));

    app.get<{ Params: BankParams }>('/bank/:bank_name', {
      schema: { tags: ['banks'], summary: 'Get a bank', params: s.bankNameParam, response: { 200: s.bank, 404: s.message } },
    }, async (req) => bankJson(await banks.getBank(db, req.params.bank_name)));

    app.post<{ Body: LaxCreateBody }>('/banks', {
      // HMA validates this body with a pydantic model: type errors are 422 there.
      config: { validationStatus: 422 },
      schema: {
        tags: ['banks'],
        summary: 'Create a bank',
        body: {
          type: 'object',
          properties: {
            name: { type: 'string', description: 'UPPER_WITH_UNDERSCORE, not starting with a digit' },
            enabled_ratio: { ...laxFloat, description: 'matching_enabled_ratio, 0.0 to 1.0 (default 1.0); a numeric string too' },
            enabled: { ...laxBool, description: 'used when enabled_ratio is not given: true → 1.0, false → 0.0 ("true", 1, … too)' },
            labels: s.labels,
            match_thresholds: s.matchThresholds,
            ...s.allowListFields,
          },
          required: ['name'],
        },
        response: { 201: s.bank, 400: s.message, 403: s.message, 422: s.message },
      },
    }, async (req, reply) => reply.status(201).send(bankJson(await banks.createBank(db, fromLax(req.body), limits))));

    app.put<{ Params: BankParams; Body: banks.UpdateBankInput }>('/bank/:bank_name', {
      schema: {
        tags: ['banks'],
        summary: 'Update (rename, enable/disable, ratio, labels, match thresholds, allow-list) a bank',
        params: s.bankNameParam,
        body: {
          type: 'object',
          properties: {
            name: { type: ['string', 'null'], description: 'new name' },
            enabled: { type: ['boolean', 'null'] },
            enabled_ratio: { type: ['number', 'null'], description: 'applied after `enabled`, so it wins' },
            labels: { ...s.labels, type: ['array', 'null'] },
            match_thresholds: s.matchThresholds,
            ...s.allowListFields,
          },
        },
        response: { 200: s.bank, 400: s.message, 403: s.message, 404: s.message },
      },
    }, async (req) => bankJson(await banks.updateBank(db, req.params.bank_name, req.body ?? {}, limits)));

    app.delete<{ Params: BankParams }>('/bank/:bank_name', {
      schema: {
        tags: ['banks'],
        summary: 'Delete a bank with its content (refused for a bank an exchange owns)',
        params: s.bankNameParam,
        response: { 200: s.message, 409: s.message },
      },
    }, async (req) => {
      await banks.deleteBank(db, req.params.bank_name);
      return { message: 'Done' };
    });

    app.get<{ Params: BankParams }>('/bank/:bank_name/metadata', {
      schema: {
        tags: ['banks'],
        summary: 'Bank metadata: item counts, per signal type',
        params: s.bankNameParam,
        response: {
          200: {
            type: 'object',
            properties: {
              ...s.bank.properties,
              content_count: { type: 'integer' },
              enabled_content_count: { type: 'integer' },
              signal_counts: { type: 'object', additionalProperties: { type: 'integer' } },
            },
          },
          404: s.message,
        },
      },
    }, async (req) => {
      const { bank, meta } = await banks.getBankMetadata(db, req.params.bank_name, nowS());
      return { ...bankJson(bank), ...meta };
    });
  };
}
