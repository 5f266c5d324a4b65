/**
 * The hashing engine: media in (bytes, a file path or a stream), typed signals out, typed
 * errors (HmaError) for every kind of bad input. HTTP handlers, the hasher consumer and the
 * CLI all go through MediaHasher.hashMedia.
 *
 * Which signals a media gets comes from the signal types it is given (the registry's, by
 * default): each declares the view it is computed from (src/signals/types.ts SignalHasher), and
 * the engine prepares each view once per media for every selected type that needs it:
 *
 *   bytes          → each type's own digest, all fed in one pass (video_md5)
 *   photo-pixels   → decoded once in the hash pool; each type's `compute` on those pixels (pdq)
 *   video-frames   → spooled once, frames decoded by ffmpeg, each type's `computeFrame` per frame
 *                    in the pool, then its `combine` here (vpdq)
 *
 * Every computed value is in `values`, by type name; `signals` keeps the built-in types' detailed
 * results in the shape the HTTP and CLI outputs have always had.
 *
 * Deliberate differences from HMA: empty files are refused for both content types (HMA would
 * return the MD5 of nothing), undecodable images are a typed error rather than a 500, and the
 * vpdq value keeps only frames of sufficient quality after consecutive de-duplication.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config/config.js';
import { invalidInput } from '../errors/errors.js';
import type { DihedralName } from '../signals/pdq/dihedral.js';
import type { PdqHex } from '../signals/pdq/hash256.js';
import type { PdqMode } from '../signals/pdq/image.js';
import { SIGNAL_TYPES, type ContentType, type SignalType } from '../signals/registry.js';
import type { ByteDigest, ComputedSignal, HashParams } from '../signals/types.js';
import type { VpdqDetail } from '../signals/vpdq/compute.js';
import type { VpdqFeature } from '../signals/vpdq/feature.js';
import type { VpdqSignal } from '../signals/vpdq/signal.js';
import { emptyMedia, mediaTooBig } from './media-errors.js';
import { hashMetrics } from './metrics.js';
import { collectStream, digestBytes, digestFile, fileSize, spoolStream } from './byte-digests.js';
import { photoHashOf, type PhotoValues } from './photo.js';
import { HashPool, type HashExecutor } from './pool/hash-pool.js';
import { hashVideoFrames } from './video.js';

export type MediaSource =
  | { readonly bytes: Uint8Array }
  | { readonly path: string }
  | { readonly stream: AsyncIterable<Uint8Array> };

export interface HashMediaRequest {
  readonly source: MediaSource;
  readonly contentType: ContentType;
  /** Defaults to every signal type of the content type. */
  readonly signalTypes?: readonly string[];
  /** PDQ pixel pipeline; defaults to PDQ_MODE. */
  readonly mode?: PdqMode;
  /** Photos: also the 8 rotation/flip variants of the PDQ hash. */
  readonly dihedral?: boolean;
}

export interface PdqResult {
  readonly type: 'pdq';
  readonly hash: PdqHex;
  readonly quality: number;
  /** quality ≥ PDQ_MIN_QUALITY; HMA reports an empty hash otherwise. */
  readonly meetsMinQuality: boolean;
  readonly mode: PdqMode;
  readonly width: number;
  readonly height: number;
  readonly format: string;
  /** The 8 rotation/flip variants, when the request asked for them. */
  readonly dihedral?: ReadonlyArray<{ readonly name: DihedralName; readonly hash: PdqHex }>;
}

export interface VideoMd5Result {
  readonly type: 'video_md5';
  readonly hash: string;
}

export interface VpdqResult {
  readonly type: 'vpdq';
  /** The signal string: frames of quality ≥ PDQ_MIN_QUALITY, consecutive near-duplicates dropped. */
  readonly value: VpdqSignal;
  /** The frames in `value`, with their frame numbers. */
  readonly frames: readonly VpdqFeature[];
  /** Frames decoded and hashed before filtering. */
  readonly framesHashed: number;
  /** At least one frame passed the quality filter. */
  readonly meetsMinQuality: boolean;
  readonly fps: number;
  readonly width: number;
  readonly height: number;
}

export type SignalResult = PdqResult | VideoMd5Result | VpdqResult;

export interface HashMediaResult {
  readonly contentType: ContentType;
  readonly bytes: number;
  readonly signals: { readonly pdq?: PdqResult; readonly video_md5?: VideoMd5Result; readonly vpdq?: VpdqResult };
  /** The value of every selected type computed from the `bytes` view, by type name (video_md5 included). */
  readonly digests: Readonly<Record<string, string>>;
  /** Every selected type's value (whatever its view), by type name, in registry order. */
  readonly values: Readonly<Record<string, ComputedSignal>>;
}

/** The string HMA's /h/hash reports for a signal: PDQ below the minimum quality is "". */
export function hmaSignalValue(result: SignalResult): string {
  switch (result.type) {
    case 'pdq':
      return result.meetsMinQuality ? result.hash : '';
    case 'video_md5':
      return result.hash;
    case 'vpdq':
      return result.meetsMinQuality ? result.value : '';
  }
}

/** The digests of the selected `bytes` types, fed by one pass over the media. */
class BytesView {
  private readonly digests: Array<{ readonly name: string; readonly digest: ByteDigest }>;

  constructor(types: ReadonlyMap<string, SignalType>) {
    this.digests = [...types.values()].flatMap((t) => (t.hasher.view === 'bytes' ? [{ name: t.name, digest: t.hasher.newDigest() }] : []));
  }

  get wanted(): boolean {
    return this.digests.length > 0;
  }

  get sinks(): ByteDigest[] {
    return this.digests.map((d) => d.digest);
  }

  /** Times a pass from its start (a stream is digested while spooling it, so that pass is not timed). */
  async timed(pass: Promise<void>): Promise<void> {
    const timers = this.digests.map((d) => hashMetrics.seconds.startTimer({ signal_type: d.name }));
    await pass;
    for (const t of timers) t();
  }

  values(): Record<string, string> {
    return Object.fromEntries(this.digests.map((d) => [d.name, d.digest.digest()]));
  }
}

const PRODUCTION_TYPES: readonly SignalType[] = Object.values(SIGNAL_TYPES);

/**
 * Every computed signal as HMA reports it ("" below the type's minimum quality), with the quality
 * where the type has one: what /h/hash and the hasher stage emit.
 */
export function hmaSignalValues(result: HashMediaResult): Array<{ readonly type: string; readonly value: string; readonly quality: number | null }> {
  return Object.entries(result.values).map(([type, v]) => ({ type, value: v.meetsMinQuality ? v.value : '', quality: v.quality }));
}

const exact = (value: string): ComputedSignal => ({ value, quality: null, meetsMinQuality: true });

/** The built-in pdq result: the computed value with the decoded photo's facts. */
function pdqResult(photo: PhotoValues, mode: PdqMode): PdqResult {
  return { type: 'pdq', ...photoHashOf(photo), mode, meetsMinQuality: photo.values.pdq!.meetsMinQuality };
}

/** The built-in vpdq result, from the facts its `combine` put in `detail`. */
function vpdqResult(v: ComputedSignal): VpdqResult {
  const d = v.detail as unknown as VpdqDetail;
  return { type: 'vpdq', value: v.value as VpdqSignal, frames: d.frames, framesHashed: d.framesHashed, meetsMinQuality: v.meetsMinQuality, fps: d.fps, width: d.width, height: d.height };
}

export type MediaHasherSettings = Pick<
  Config,
  | 'PDQ_MODE'
  | 'PDQ_MIN_QUALITY'
  | 'PDQ_GREY16_CLAMP'
  | 'JPEG_DECODER'
  | 'MAX_MEDIA_BYTES'
  | 'MAX_IMAGE_PIXELS'
  | 'VIDEO_FRAMES_PER_SECOND'
  | 'VIDEO_HASH_TIMEOUT_MS'
  | 'VPDQ_DEDUP_DISTANCE'
  | 'FFMPEG_PATH'
  | 'FFPROBE_PATH'
>;

export class MediaHasher {
  constructor(
    private readonly settings: MediaHasherSettings,
    readonly executor: HashExecutor,
    /** The signal types it may compute (a test may bring its own); the registry's by default. */
    private readonly types: readonly SignalType[] = PRODUCTION_TYPES,
  ) {}

  /** A hasher over a pool of HASH_WORKERS hash processes. */
  static fromConfig(cfg: Config, opts: { processes?: number } = {}): MediaHasher {
    const executor = new HashPool({
      processes: opts.processes ?? cfg.HASH_WORKERS,
      taskTimeoutMs: cfg.HASH_TASK_TIMEOUT_MS,
      maxRssMb: cfg.HASH_WORKER_MAX_RSS_MB,
    });
    return new MediaHasher(cfg, executor);
  }

  async close(): Promise<void> {
    await this.executor.close();
  }

  async hashMedia(req: HashMediaRequest): Promise<HashMediaResult> {
    const types = this.selectTypes(req);
    return req.contentType === 'photo' ? this.hashPhoto(req, types) : this.hashVideo(req, types);
  }

  private selectTypes(req: HashMediaRequest): Map<string, SignalType> {
    const applicable = new Map(this.types.filter((t) => t.contentTypes.includes(req.contentType)).map((t) => [t.name, t]));
    const wanted = req.signalTypes ?? [...applicable.keys()];
    if (wanted.length === 0) throw invalidInput('empty signal type selection');
    for (const name of wanted) {
      if (!applicable.has(name)) throw invalidInput(`signal type '${name}' does not apply to content type '${req.contentType}'`);
    }
    // In the engine's (registry) order whatever the request's, so outputs list types alike.
    return new Map([...applicable].filter(([name]) => wanted.includes(name)));
  }

  private params(req: HashMediaRequest): HashParams {
    const s = this.settings;
    return { mode: req.mode ?? s.PDQ_MODE, dihedral: req.dihedral ?? false, minQuality: s.PDQ_MIN_QUALITY, dedupDistance: s.VPDQ_DEDUP_DISTANCE };
  }

  /** Times one computation for each of the named types (they share it). */
  private static async timed<T>(names: readonly string[], work: Promise<T>): Promise<T> {
    const timers = names.map((name) => hashMetrics.seconds.startTimer({ signal_type: name }));
    const out = await work;
    for (const t of timers) t();
    return out;
  }

  /** Every selected type's value, in the selection's (registry) order. */
  private static ordered(types: Map<string, SignalType>, values: Readonly<Record<string, ComputedSignal>>): Record<string, ComputedSignal> {
    return Object.fromEntries([...types.keys()].filter((name) => name in values).map((name) => [name, values[name]]));
  }

  private checkSize(bytes: number): void {
    if (bytes === 0) throw emptyMedia();
    if (bytes > this.settings.MAX_MEDIA_BYTES) throw mediaTooBig(bytes, this.settings.MAX_MEDIA_BYTES);
  }

  private async hashPhoto(req: HashMediaRequest, types: Map<string, SignalType>): Promise<HashMediaResult> {
    const src = req.source;
    let input: Uint8Array | string;
    let bytes: number;
    if ('path' in src) {
      bytes = await fileSize(src.path);
      input = src.path;
    } else {
      input = 'bytes' in src ? src.bytes : await collectStream(src.stream, this.settings.MAX_MEDIA_BYTES);
      bytes = input.byteLength;
    }
    this.checkSize(bytes);
    const byteView = new BytesView(types);
    if (byteView.wanted) await byteView.timed(typeof input === 'string' ? digestFile(input, byteView.sinks) : digestBytes(input, byteView.sinks));
    const params = this.params(req);
    const pixelTypes = [...types.values()].filter((t) => t.hasher.view === 'photo-pixels').map((t) => t.name);
    const signals: { pdq?: PdqResult } = {};
    const digests = byteView.values();
    let computed: Record<string, ComputedSignal> = {};
    if (pixelTypes.length > 0) {
      const decode = { maxPixels: this.settings.MAX_IMAGE_PIXELS, grey16: this.settings.PDQ_GREY16_CLAMP ? 'clamp' : 'high_byte', jpeg: this.settings.JPEG_DECODER } as const;
      const photo = await MediaHasher.timed(pixelTypes, this.executor.photo(input, { types: pixelTypes, decode, params }));
      computed = photo.values;
      if (photo.values.pdq) signals.pdq = pdqResult(photo, params.mode);
    }
    const all = { ...Object.fromEntries(Object.entries(digests).map(([k, v]) => [k, exact(v)])), ...computed };
    return { contentType: 'photo', bytes, signals, digests, values: MediaHasher.ordered(types, all) };
  }

  private async hashVideo(req: HashMediaRequest, types: Map<string, SignalType>): Promise<HashMediaResult> {
    const src = req.source;
    const byteView = new BytesView(types);
    const frameTypes = [...types.values()].filter((t) => t.hasher.view === 'video-frames');
    const framesWanted = frameTypes.length > 0;
    let tmp: string | undefined;
    // ffmpeg needs a seekable file (an MP4's index may sit at its end), so bytes and streams are spooled.
    const tempFile = async () => {
      tmp = await mkdtemp(path.join(os.tmpdir(), 'hma-video-'));
      return path.join(tmp, 'media');
    };
    try {
      let file: string | undefined;
      let bytes: number;
      let digested: Promise<void> | undefined;
      if ('path' in src) {
        bytes = await fileSize(src.path);
        this.checkSize(bytes);
        file = src.path;
        if (byteView.wanted) digested = byteView.timed(digestFile(file, byteView.sinks));
      } else if ('bytes' in src) {
        bytes = src.bytes.byteLength;
        this.checkSize(bytes);
        if (byteView.wanted) digested = byteView.timed(digestBytes(src.bytes, byteView.sinks));
        if (framesWanted) {
          file = await tempFile();
          await writeFile(file, src.bytes);
        }
      } else {
        file = await tempFile();
        bytes = await spoolStream(src.stream, file, this.settings.MAX_MEDIA_BYTES, byteView.sinks);
        this.checkSize(bytes);
      }
      // Runs alongside the decoding; awaited below (the no-op catch only avoids an unhandled-rejection report meanwhile).
      digested?.catch(() => undefined);
      const signals: { video_md5?: VideoMd5Result; vpdq?: VpdqResult } = {};
      const computed: Record<string, ComputedSignal> = {};
      if (framesWanted && file !== undefined) {
        const names = frameTypes.map((t) => t.name);
        const { info, frames } = await MediaHasher.timed(names, this.frames(file, names));
        const params = this.params(req);
        for (const t of frameTypes) if (t.hasher.view === 'video-frames') computed[t.name] = t.hasher.combine(frames[t.name], info, params);
        if (computed.vpdq) signals.vpdq = vpdqResult(computed.vpdq);
      }
      await digested;
      const digests = byteView.values();
      if (digests.video_md5 !== undefined) signals.video_md5 = { type: 'video_md5', hash: digests.video_md5 };
      const all = { ...Object.fromEntries(Object.entries(digests).map(([k, v]) => [k, exact(v)])), ...computed };
      return { contentType: 'video', bytes, signals, digests, values: MediaHasher.ordered(types, all) };
    } finally {
      if (tmp) await rm(tmp, { recursive: true, force: true });
    }
  }

  private frames(file: string, types: readonly string[]) {
    const s = this.settings;
    return hashVideoFrames(file, this.executor, types, {
      ffmpegPath: s.FFMPEG_PATH,
      ffprobePath: s.FFPROBE_PATH,
      secondsPerHash: 1 / s.VIDEO_FRAMES_PER_SECOND,
      timeoutMs: s.VIDEO_HASH_TIMEOUT_MS,
    });
  }
}
