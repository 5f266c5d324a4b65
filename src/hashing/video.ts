/**
 * The `video-frames` view: ffmpeg decodes in a child process, each selected frame goes once
 * through every selected frame type (`computeFrame`, in the hash pool) with a bounded number in
 * flight, so memory stays at a few frames whatever the video's length.
 */
import type { HashExecutor } from './pool/hash-pool.js';
import type { FrameValue, HashedFrame } from '../signals/types.js';
import { frameInterval, frameTimestamp } from '../signals/vpdq/feature.js';
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
  /** Every selected frame's values, in order, whatever their quality, by type name. */
  readonly frames: Readonly<Record<string, readonly HashedFrame[]>>;
}

export async function hashVideoFrames(path: string, executor: HashExecutor, types: readonly string[], opts: VideoHashOptions): Promise<VideoFrameHashes> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), opts.timeoutMs);
  try {
    const info = await probeVideo(path, opts.ffprobePath, abort.signal);
    const every = frameInterval(opts.secondsPerHash, info.fps);
    const pending: Promise<Record<string, FrameValue>>[] = [];
    const places: Array<{ readonly frame: number; readonly timestamp: number }> = [];
    const inFlight = new Set<Promise<unknown>>();
    for await (const f of decodeFrames(path, info, { ffmpegPath: opts.ffmpegPath, every, size: opts.size, signal: abort.signal })) {
      const p = executor.frame(f.rgb, f.width, f.height, types);
      pending.push(p);
      places.push({ frame: f.frame, timestamp: frameTimestamp(f.frame, info.fps) });
      const settled: Promise<unknown> = p.then(
        (): boolean => inFlight.delete(settled),
        (): boolean => inFlight.delete(settled),
      );
      inFlight.add(settled);
      if (inFlight.size >= executor.concurrency * 2) await Promise.race(inFlight);
    }
    const values = await Promise.all(pending);
    const frames = Object.fromEntries(types.map((t) => [t, values.map((v, i): HashedFrame => ({ ...places[i], ...v[t] }))]));
    return { info, frames };
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
