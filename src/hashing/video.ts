/**
 * Video → per-frame PDQ (the vPDQ features): ffmpeg decodes in a child process, frames are
 * hashed by the executor (the hash pool) with a bounded number in flight, so memory stays at
 * a few frames whatever the video's length.
 */
import type { PdqHashValue } from './photo.js';
import type { HashExecutor } from './pool/hash-pool.js';
import { frameInterval, frameTimestamp, type VpdqFeature } from '../signals/vpdq/feature.js';
import { unsupportedMedia } from './media-errors.js';
import { decodeFrames, probeVideo, type VideoInfo } from './video-frames.js';

export interface VideoHashOptions {
  readonly ffmpegPath: string;
  readonly ffprobePath: string;
  /** Seconds between hashed frames as the reference counts them (0 = every frame). */
  readonly secondsPerHash: number;
  /** Square size frames are scaled to before hashing (the reference's `-s D`); native when absent. */
  readonly size?: number;
  readonly timeoutMs: number;
}

export interface VideoFrameHashes {
  readonly info: VideoInfo;
  /** Every selected frame, in order, whatever its quality. */
  readonly frames: readonly VpdqFeature[];
}

export async function hashVideoFrames(path: string, executor: HashExecutor, opts: VideoHashOptions): Promise<VideoFrameHashes> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), opts.timeoutMs);
  try {
    const info = await probeVideo(path, opts.ffprobePath, abort.signal);
    const every = frameInterval(opts.secondsPerHash, info.fps);
    const pending: Promise<VpdqFeature>[] = [];
    const inFlight = new Set<Promise<unknown>>();
    for await (const f of decodeFrames(path, info, { ffmpegPath: opts.ffmpegPath, every, size: opts.size, signal: abort.signal })) {
      const p = executor.hashFrame(f.rgb, f.width, f.height).then(
        (h: PdqHashValue): VpdqFeature => ({ frame: f.frame, quality: h.quality, hash: h.hash, timestamp: frameTimestamp(f.frame, info.fps) }),
      );
      pending.push(p);
      const settled: Promise<unknown> = p.then(
        (): boolean => inFlight.delete(settled),
        (): boolean => inFlight.delete(settled),
      );
      inFlight.add(settled);
      if (inFlight.size >= executor.concurrency * 2) await Promise.race(inFlight);
    }
    return { info, frames: await Promise.all(pending) };
  } catch (err) {
    if (abort.signal.aborted) {
      throw unsupportedMedia(`video hashing took longer than ${opts.timeoutMs} ms and was stopped`, { reason: 'timeout' });
    }
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && (err as NodeJS.ErrnoException).syscall?.startsWith('spawn')) {
      throw new Error(`cannot run ${(err as NodeJS.ErrnoException).path}: install ffmpeg or set FFMPEG_PATH / FFPROBE_PATH`);
    }
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
