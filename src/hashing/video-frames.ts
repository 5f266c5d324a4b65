/**
 * Video → RGB24 frames through the ffmpeg command line, arranged to give the same pixels as
 * the vPDQ reference's libav decoding (docs/reference/pdq.md §8.1, verified bit-identical with FFmpeg 5.1):
 * first video stream, no autorotation, every decoded frame counted in output order
 * (passthrough timing), RGB24 by libswscale with SWS_AREA at the stream's size or D×D.
 */
import { spawn } from 'node:child_process';
import { unsupportedMedia } from './media-errors.js';

export interface VideoInfo {
  readonly width: number;
  readonly height: number;
  /** avg_frame_rate, or r_frame_rate when that is 0/0, as a double. */
  readonly fps: number;
}

export interface DecodedFrame {
  /** 0-based index among all decoded frames. */
  readonly frame: number;
  readonly rgb: Uint8Array;
  readonly width: number;
  readonly height: number;
}

export interface FrameOptions {
  readonly ffmpegPath: string;
  /** Hash every n-th decoded frame (frame numbers 0, n, 2n, …). */
  readonly every: number;
  /** Square size D to scale frames to (the reference's `-s D`), or undefined for native size. */
  readonly size?: number;
  readonly signal?: AbortSignal;
}

const STDERR_KEEP = 4096;

interface Run {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | null;
}

function runToEnd(cmd: string, args: readonly string[], signal?: AbortSignal): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-STDERR_KEEP)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, stderr, code }));
  });
}

function parseRate(rate: unknown): number {
  if (typeof rate !== 'string') return 0;
  const [num, den] = rate.split('/').map(Number);
  return num > 0 && den > 0 ? num / den : 0;
}

/** Size and frame rate of the first video stream, or unsupported_media when there is none. */
export async function probeVideo(path: string, ffprobePath: string, signal?: AbortSignal): Promise<VideoInfo> {
  const args = ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height,avg_frame_rate,r_frame_rate', '-of', 'json', path];
  const run = await runToEnd(ffprobePath, args, signal);
  if (run.code !== 0) {
    throw unsupportedMedia(`cannot read video: ${lastLine(run.stderr) || `ffprobe exited with ${run.code}`}`, { reason: 'corrupt' });
  }
  let streams: unknown;
  try {
    streams = (JSON.parse(run.stdout) as { streams?: unknown }).streams;
  } catch {
    throw unsupportedMedia('cannot read video: unparseable ffprobe output', { reason: 'corrupt' });
  }
  const s = Array.isArray(streams) ? (streams[0] as Record<string, unknown> | undefined) : undefined;
  if (!s) throw unsupportedMedia('no video stream', { reason: 'format' });
  const width = Number(s.width);
  const height = Number(s.height);
  const fps = parseRate(s.avg_frame_rate) || parseRate(s.r_frame_rate);
  if (!(width > 0 && height > 0)) throw unsupportedMedia('video stream has no dimensions', { reason: 'format' });
  if (!(fps > 0)) throw unsupportedMedia('video stream has no frame rate', { reason: 'format' });
  return { width, height, fps };
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '';
}

/**
 * Yields the selected frames in order. The consumer's pace is the stream's pace: while it
 * does not pull, ffmpeg's stdout is not read and ffmpeg blocks. Ends with unsupported_media
 * when ffmpeg fails before producing any frame.
 */
export async function* decodeFrames(path: string, info: VideoInfo, opts: FrameOptions): AsyncGenerator<DecodedFrame> {
  const width = opts.size ?? info.width;
  const height = opts.size ?? info.height;
  const filters: string[] = [];
  // Selecting in the filter graph keeps unselected frames out of the pipe; `n` counts decoded frames.
  if (opts.every > 1) filters.push(`select=not(mod(n\\,${opts.every}))`);
  if (opts.size !== undefined) filters.push(`scale=${opts.size}:${opts.size}:flags=area`);
  const args = [
    '-nostdin', '-hide_banner', '-loglevel', 'error',
    '-noautorotate', '-i', path,
    '-map', '0:v:0', '-an', '-sn', '-dn',
    ...(filters.length > 0 ? ['-vf', filters.join(',')] : []),
    '-sws_flags', 'area', '-fps_mode', 'passthrough',
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1',
  ];
  const child = spawn(opts.ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'], signal: opts.signal });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-STDERR_KEEP)));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  // Keep the promise from surfacing as unhandled if the consumer stops early.
  exited.catch(() => undefined);
  const frameBytes = width * height * 3;
  let frame = new Uint8Array(frameBytes);
  let filled = 0;
  let count = 0;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      let off = 0;
      while (off < chunk.length) {
        const n = Math.min(frameBytes - filled, chunk.length - off);
        frame.set(chunk.subarray(off, off + n), filled);
        filled += n;
        off += n;
        if (filled === frameBytes) {
          yield { frame: count * opts.every, rgb: frame, width, height };
          count++;
          frame = new Uint8Array(frameBytes);
          filled = 0;
        }
      }
    }
    const code = await exited;
    if (count === 0) {
      throw unsupportedMedia(`no decodable video frames: ${lastLine(stderr) || `ffmpeg exited with ${code}`}`, { reason: 'corrupt' });
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
