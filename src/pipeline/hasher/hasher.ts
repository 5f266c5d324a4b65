/**
 * `hma hasher`: a consumer group on content.submitted that fetches each
 * submission's media (SSRF-checked, size- and time-limited), hashes it in the
 * hash pool with the signal types of its content type, and produces the signals
 * to content.hashed, exactly once. See hash-content.ts for the transform.
 */
import { readFileSync } from 'node:fs';
import type { Config } from '../../config/config.js';
import { MediaHasher, hmaSignalValue } from '../../hashing/index.js';
import type { ComputedSignalValue } from '../../kafka/values.js';
import { fetchMedia } from '../../media/fetch.js';
import { fetchLimitsFrom, urlPolicyFrom } from '../../media/policy-from-config.js';
import type { Runtime } from '../../runtime/runtime.js';
import { isContentType } from '../../signals/registry.js';
import { malformedEvent } from '../deadletter/reasons.js';
import { runPartAsProcess, type RunningProcess, type StartedPart } from '../stage/process.js';
import { Stage } from '../stage/stage.js';
import { hashSubmission, validateSubmitted, type MediaHashing } from './hash-content.js';

const packageVersion = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The hashing service as the hasher stage sees it: HMA's signal strings, with quality where there is one. */
export function mediaHashing(hasher: MediaHasher, config: Config): MediaHashing {
  return {
    version: `hma-stream/${packageVersion} pdq-${config.PDQ_MODE}`,
    async hash(bytes, contentType) {
      if (!isContentType(contentType)) throw malformedEvent(`unknown content_type '${contentType}'`);
      const { signals } = await hasher.hashMedia({ source: { bytes }, contentType });
      const out: ComputedSignalValue[] = [];
      for (const s of [signals.pdq, signals.video_md5, signals.vpdq]) {
        if (!s) continue;
        out.push({ signal_type: s.type, value: hmaSignalValue(s), quality: s.type === 'pdq' ? s.quality : null });
      }
      return out;
    },
  };
}

/** `shared`: the process's hashing service when it already has one (e.g. `hma all`); its owner closes it. */
export async function startHasher(runtime: Runtime, shared?: MediaHasher): Promise<StartedPart> {
  const { config } = runtime;
  let hasher = shared;
  if (!hasher) {
    const own = MediaHasher.fromConfig(config);
    runtime.onStop('hash pool', () => own.close());
    hasher = own;
  }
  const policy = urlPolicyFrom(config);
  const limits = fetchLimitsFrom(config);
  const deps = {
    hashing: mediaHashing(hasher, config),
    fetch: (url: string) => fetchMedia(url, policy, limits),
    maxMediaBytes: config.MAX_MEDIA_BYTES,
  };
  const stage = new Stage(runtime, {
    name: 'hasher',
    input: 'content.submitted',
    outputs: ['content.hashed'],
    maxInFlight: config.HASHER_MAX_IN_FLIGHT,
    validate: validateSubmitted,
    submittedAt: (v) => v.submitted_at,
    handle: async (sub) => [{ topic: 'content.hashed', key: sub.content_id, value: await hashSubmission(sub, deps) }],
  });
  runtime.onStop('hasher stage', () => stage.stop());
  await stage.start();
  return { readiness: () => stage.readiness() };
}

export function runHasher(config: Config): Promise<RunningProcess> {
  return runPartAsProcess(config, 'hasher', (runtime) => startHasher(runtime));
}
