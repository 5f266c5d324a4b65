/**
 * `hma hasher`: a consumer group on content.submitted that fetches each
 * submission's media (SSRF-checked, size- and time-limited), hashes it in the
 * hash pool with the signal types of its content type, and produces the signals
 * to content.hashed, exactly once. See pipeline/hasher/hash-content.ts for the transform.
 */
import type { Config } from '../config/config.js';
import { MediaHasher } from '../hashing/index.js';
import { fetchLimitsFrom, fetchMedia } from '../media/fetch.js';
import { urlPolicyFrom } from '../net/policy-from-config.js';
import { hashSubmission, validateSubmitted } from '../pipeline/hasher/hash-content.js';
import { mediaHashing } from '../pipeline/hasher/hasher.js';
import { Stage } from '../pipeline/stage/stage.js';
import { runPartAsProcess, type RunningProcess, type StartedPart } from '../runtime/process.js';
import type { Runtime } from '../runtime/runtime.js';
import { nativeJpegStatus } from '../hashing/native/jpeg.js';

/** `shared`: the process's hashing service when it already has one (e.g. `hma all`); its owner closes it. */
export async function startHasher(runtime: Runtime, shared?: MediaHasher): Promise<StartedPart> {
  const { config } = runtime;
  let hasher = shared;
  if (!hasher) {
    const own = MediaHasher.fromConfig(config);
    runtime.logger.info({ jpegDecoder: nativeJpegStatus(config.JPEG_DECODER) }, 'hash pool started');
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
