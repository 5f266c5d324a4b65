/** Exchange config use cases (the storage side; fetching lives in src/exchanges). */
import { HmaError, invalidInput, notFound } from '../errors/errors.js';
import { isBankName } from './bank-name.js';
import { insertBank } from './bank-store.js';
import { withWriteTx, type Db } from './db.js';
import { parseFields, type ExchangeApis, type ExchangeApiSpec } from './exchange-apis.js';
import * as store from './exchange-store.js';
import type { Exchange, FetchStatus, RuntimeFlags } from './exchange-store.js';

export type { Exchange, FetchStatus } from './exchange-store.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Keys of api_json the server sets itself. */
const SERVER_KEYS = ['name', 'api', 'enabled'];

export interface CreateExchangeInput {
  readonly bank?: unknown;
  readonly api?: unknown;
  readonly api_json?: unknown;
}

/** POST /c/exchanges: HMA's checks and messages, with its 500s made 400/403 (Appendix B #6). */
export async function createExchange(db: Db, apis: ExchangeApis, input: CreateExchangeInput): Promise<Exchange> {
  const { bank, api } = input;
  if (bank === undefined || bank === null || bank === '') throw invalidInput('bank is required');
  if (typeof bank !== 'string' || !/^[A-Z0-9_]+$/.test(bank)) throw invalidInput('Field `bank` must match /^[A-Z0-9_]+$/');
  if (!isBankName(bank)) throw invalidInput('Field `bank` must not start with a digit and be at most 255 characters');
  const apiJson = input.api_json ?? {};
  if (!isObject(apiJson)) throw invalidInput('Field `api_json` must be object');
  if (api === undefined || api === null || api === '') throw invalidInput('Field `api` is required');
  const spec = typeof api === 'string' ? apis.get(api) : undefined;
  if (!spec) throw invalidInput(`No such exchange type '${String(api)}'`);
  let typedConfig: Record<string, unknown>;
  try {
    typedConfig = parseFields(spec.configFields, apiJson, SERVER_KEYS);
  } catch (err) {
    throw invalidInput(`Failed to parse \`api_json\` - ${(err as Error).message}`);
  }
  const enabled = apiJson.enabled === undefined ? true : apiJson.enabled;
  if (typeof enabled !== 'boolean') throw invalidInput('Failed to parse `api_json` - field \'enabled\' must be a boolean');
  return withWriteTx(db, async (tx) => {
    if (await store.findExchange(tx, bank)) throw new HmaError('forbidden', `Exchange '${bank}' already exists`);
    const id = await store.insertExchange(tx, { name: bank, api: spec.name, typedConfig, enabled });
    try {
      await insertBank(tx, { name: bank, ratio: 1, labels: [], exchangeId: id });
    } catch (err) {
      if (err instanceof HmaError && err.code === 'forbidden') {
        throw new HmaError('forbidden', `Bank '${bank}' already exists: an exchange's name must not be an existing bank's`);
      }
      throw err;
    }
    return (await store.findExchange(tx, bank))!;
  });
}

export const listExchanges = (db: Db): Promise<Exchange[]> => store.listExchanges(db);

const exchangeNotFound = (name: string) => notFound(`Exchange '${name}' not found`);

export async function getExchange(db: Db, name: string): Promise<Exchange> {
  const e = await store.findExchange(db, name);
  if (!e) throw exchangeNotFound(name);
  return e;
}

/** The exchange's typed config as HMA serializes it, plus our runtime flags. */
export function exchangeJson(e: Exchange): Record<string, unknown> {
  return {
    ...e.typed_config,
    name: e.name,
    api: e.api,
    enabled: e.enabled,
    report_seen: e.report_seen,
    report_true_positive: e.report_true_positive,
    report_false_positive: e.report_false_positive,
  };
}

export async function getFetchStatus(db: Db, name: string): Promise<FetchStatus> {
  const e = await getExchange(db, name);
  return store.fetchStatus(db, e.id);
}

export async function updateExchange(db: Db, name: string, flags: Partial<RuntimeFlags>): Promise<Exchange> {
  return withWriteTx(db, async (tx) => {
    const e = await store.findExchange(tx, name, true);
    if (!e) throw exchangeNotFound(name);
    await store.updateFlags(tx, e.id, flags);
    return (await store.findExchange(tx, name))!;
  });
}

/** Idempotent as HMA; keepBank detaches the bank (and its content) instead of deleting it. */
export async function deleteExchange(db: Db, name: string, keepBank: boolean): Promise<void> {
  await withWriteTx(db, async (tx) => {
    const e = await store.findExchange(tx, name, true);
    if (e) await store.deleteExchange(tx, e.id, keepBank);
  });
}

function apiOr(apis: ExchangeApis, name: string, err: () => HmaError): ExchangeApiSpec {
  const spec = apis.get(name);
  if (!spec) throw err();
  return spec;
}

export interface ApiAuth {
  readonly supports_authentification: boolean;
  readonly has_set_authentification: boolean;
}

const noSuchApi = (name: string) => () => invalidInput(`no such Exchange API '${name}'`);

export async function getApiAuth(db: Db, apis: ExchangeApis, api: string): Promise<ApiAuth> {
  const spec = apiOr(apis, api, noSuchApi(api));
  return { supports_authentification: spec.credentialFields !== null, has_set_authentification: await store.hasCredentials(db, api) };
}

/** credential_json: an object sets, an empty object (or any falsy value) clears, absent/null leaves. */
export async function setApiCredentials(db: Db, apis: ExchangeApis, api: string, body: unknown): Promise<ApiAuth> {
  const spec = apiOr(apis, api, noSuchApi(api));
  if (!isObject(body)) throw invalidInput('this endpoint expects a json object payload');
  const raw = body.credential_json;
  if (raw !== undefined && raw !== null) {
    const clear = !raw || (isObject(raw) && Object.keys(raw).length === 0);
    // In a write transaction, so the audit log records who changed them.
    if (clear) await withWriteTx(db, (tx) => store.writeCredentials(tx, api, null));
    else {
      if (!isObject(raw)) throw invalidInput('credential_json should be a json object');
      if (spec.credentialFields === null) throw invalidInput(`Exchange API '${api}' does not take credentials`);
      let creds: Record<string, unknown>;
      try {
        creds = parseFields(spec.credentialFields, raw);
      } catch (err) {
        throw invalidInput(`Invalid credentials for '${api}': ${(err as Error).message}`);
      }
      await withWriteTx(db, (tx) => store.writeCredentials(tx, api, creds));
    }
  }
  return getApiAuth(db, apis, api);
}

export function apiSchema(apis: ExchangeApis, api: string): { config_schema: { fields: unknown[] }; credentials_schema: { fields: unknown[] } | null } {
  const spec = apiOr(apis, api, () => notFound(`Exchange API '${api}' not found`));
  return {
    config_schema: { fields: [...spec.configFields] },
    credentials_schema: spec.credentialFields === null ? null : { fields: [...spec.credentialFields] },
  };
}

