/**
 * Turning a URL or an upload into signals, the one way every HTTP route does it
 * (/h/hash, /m/lookup, /c content, the UI): fetch with SSRF protection, pick the
 * content and signal types, hash in the hash pool's processes.
 */
import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config/config.js';
import { hmaSignalValues, type HashMediaResult, type MediaHasher } from '../../hashing/index.js';
import { fetchLimitsFrom, fetchMedia } from '../../media/fetch.js';
import { urlPolicyFrom } from '../../net/policy-from-config.js';
import type { ContentType } from '../../signals/registry.js';
import { checkContentType, contentTypeOf, selectSignalTypes } from './selection.js';
import { readUpload } from './upload.js';

export interface HashedInput {
  readonly result: HashMediaResult;
  /** HMA's {signal_type: value} form ("" for PDQ below the minimum quality). */
  readonly values: Record<string, string>;
  /** Text fields sent with an upload. */
  readonly fields: Readonly<Record<string, string>>;
}

export interface HashOptions {
  /** Photos: also the PDQ hash's 8 rotation/flip variants. */
  readonly dihedral?: boolean;
}

export class HashInput {
  constructor(
    private readonly config: Config,
    readonly hasher: MediaHasher,
  ) {}

  async hashBytes(
    bytes: Uint8Array,
    contentType: ContentType,
    types: readonly string[] | undefined,
    fields: Readonly<Record<string, string>> = {},
    opts: HashOptions = {},
  ): Promise<HashedInput> {
    const signalTypes = selectSignalTypes(this.config, contentType, types);
    const result = await this.hasher.hashMedia({ source: { bytes }, contentType, signalTypes, dihedral: opts.dihedral });
    const values: Record<string, string> = {};
    for (const s of hmaSignalValues(result)) values[s.type] = s.value;
    return { result, values, fields };
  }

  async hashUrl(url: string, contentType: string | undefined, types: readonly string[] | undefined, opts: HashOptions = {}): Promise<HashedInput> {
    // Refuse what we can before downloading anything.
    if (contentType) selectSignalTypes(this.config, checkContentType(contentType), types);
    const media = await fetchMedia(url, urlPolicyFrom(this.config), fetchLimitsFrom(this.config));
    return this.hashBytes(media.bytes, contentTypeOf(contentType, media.contentType), types, {}, opts);
  }

  async hashUpload(req: FastifyRequest, types: readonly string[] | undefined, opts: HashOptions = {}): Promise<HashedInput> {
    const upload = await readUpload(req);
    return this.hashBytes(upload.bytes, upload.contentType, types, upload.fields, opts);
  }
}
