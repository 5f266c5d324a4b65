/**
 * The hashing service as the hasher stage uses it; `hma hasher` is composed in
 * src/processes/hasher.ts, the transform is hash-content.ts.
 */
import { readFileSync } from 'node:fs';
import type { Config } from '../../config/config.js';
import { MediaHasher, hmaSignalValues } from '../../hashing/index.js';
import type { ComputedSignalValue } from '../../kafka/values.js';
import { isContentType } from '../../signals/registry.js';
import { malformedEvent } from '../deadletter/reasons.js';
import type { MediaHashing } from './hash-content.js';

const packageVersion = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The hashing service as the hasher stage sees it: HMA's signal strings, with quality where there is one. */
export function mediaHashing(hasher: MediaHasher, config: Config): MediaHashing {
  return {
    version: `hma-stream/${packageVersion} pdq-${config.PDQ_MODE}`,
    async hash(bytes, contentType) {
      if (!isContentType(contentType)) throw malformedEvent(`unknown content_type '${contentType}'`);
      const result = await hasher.hashMedia({ source: { bytes }, contentType });
      return hmaSignalValues(result).map((s): ComputedSignalValue => ({ signal_type: s.type, value: s.value, quality: s.quality }));
    },
  };
}
