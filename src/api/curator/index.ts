/** The curator role: every /c route, as one plugin for the app composition. */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/config.js';
import type { Db } from '../../curation/db.js';
import { bankRoutes } from './banks.js';
import { contentRoutes } from './content.js';
import { exchangeRoutes } from './exchanges.js';
import { floodRoutes } from './flood.js';
import { exchangeTypeRegistry } from '../../exchanges/registry.js';
import { signalTypeRegistry } from '../../signals/registry.js';
import { thresholdLimits } from '../../curation/thresholds.js';
import { MediaHasher as HashingService } from '../../hashing/index.js';
import { HashInput } from '../media-input/hash-input.js';
import { mediaHasherFrom, type MediaHasher } from './media.js';
import { typeRoutes } from './types.js';
import { hmaCompatible } from '../hma-compat.js';

export type { MediaHasher } from './media.js';

export interface CuratorDeps {
  readonly db: Db;
  readonly config: Config;
  /** Hashes uploaded or fetched media; by default a one-process hash pool of its own (curation adds are few), closed with the app. */
  readonly hasher?: MediaHasher;
  /** Clock in Unix seconds (tests pin it). */
  readonly nowS?: () => number;
}

export function curatorRoutes(deps: CuratorDeps) {
  const nowS = deps.nowS ?? (() => Math.floor(Date.now() / 1000));
  const signalTypes = signalTypeRegistry(deps.config.SIGNAL_TYPES);
  return async (app: FastifyInstance) => {
    hmaCompatible(app);
    let hasher = deps.hasher;
    if (!hasher) {
      const own = HashingService.fromConfig(deps.config, { processes: 1 });
      app.addHook('onClose', () => own.close());
      hasher = mediaHasherFrom(new HashInput(deps.config, own));
    }
    await app.register(
      async (c) => {
        await c.register(bankRoutes(deps.db, nowS, thresholdLimits(deps.config)));
        await c.register(contentRoutes({ ...deps, hasher, nowS, signalTypes }));
        await c.register(typeRoutes(deps.db, signalTypes));
        await c.register(exchangeRoutes(deps.db, exchangeTypeRegistry(deps.config)));
        await c.register(floodRoutes(deps.db));
      },
      { prefix: '/c' },
    );
  };
}
