/**
 * Every exchange type, by API name. Registering them with curation makes their config
 * and credential fields the ones /c/exchanges validates and
 * /c/exchanges/api/<api>/schema serves.
 */
import { registerExchangeApi } from '../curation/exchange-apis.js';
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

export const exchangeType = (name: string): AnyExchangeType | undefined => all.get(name);

/** Makes curation validate and describe exchanges with these types' fields. */
export function registerExchangeTypes(opts: { readonly development: boolean }): void {
  for (const t of opts.development ? [...production, ...development] : production) {
    registerExchangeApi({ name: t.name, configFields: t.configFields, credentialFields: t.credentialFields });
  }
}
