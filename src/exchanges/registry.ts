/**
 * Every exchange type, by API name: the one place types are plugged in, and the only source of
 * their config and credential fields (which /c/exchanges validates and
 * /c/exchanges/api/<api>/schema and the UI's forms serve). Adding a type is one line in
 * `production` (or `development`).
 */
import type { Config } from '../config/config.js';
import type { ExchangeApis } from '../curation/exchange-apis.js';
import { infiniteRandomExchange } from './infinite-random/infinite-random.js';
import { localFileExchange } from './local-file/local-file.js';
import { remoteFileExchange } from './local-file/remote-file.js';
import { ncmecExchange } from './ncmec/ncmec.js';
import { sampleExchange } from './sample/sample.js';
import { stopNciiExchange } from './stop-ncii/stop-ncii.js';
import { tatExchange } from './tat/tat.js';
import { threatExchangeExchange } from './threatexchange/threatexchange.js';
import type { AnyExchangeType } from './types.js';

const production: readonly AnyExchangeType[] = [
  sampleExchange,
  localFileExchange,
  remoteFileExchange,
  ncmecExchange,
  stopNciiExchange,
  threatExchangeExchange,
  tatExchange,
];
/** Development-only types (HMA registers infinite_random only in its dev config). */
const development: readonly AnyExchangeType[] = [infiniteRandomExchange];

const all = new Map<string, AnyExchangeType>([...production, ...development].map((t) => [t.name, t]));

/** Any known type, installed or not: the fetcher reads stored exchanges of whatever type they name. */
export const exchangeType = (name: string): AnyExchangeType | undefined => all.get(name);

export interface ExchangeTypeRegistry extends ExchangeApis {
  get(name: string): AnyExchangeType | undefined;
}

/** The types a process installs: the production ones, plus the development ones unless PRODUCTION. */
export function exchangeTypeRegistry(config: Pick<Config, 'PRODUCTION'>): ExchangeTypeRegistry {
  const installed = new Map((config.PRODUCTION ? production : [...production, ...development]).map((t) => [t.name, t]));
  return { get: (name) => installed.get(name), names: () => [...installed.keys()] };
}
