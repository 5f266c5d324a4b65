/**
 * MD5 of media bytes (`video_md5`) in constant memory: files are streamed, in-memory bytes are
 * digested in slices with a yield between them so a large buffer never blocks the event loop,
 * and uploads can be spooled to a temporary file while being digested in the same pass.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { invalidInput } from '../errors/errors.js';
import type { Md5Hex } from '../signals/md5/md5.js';
import { mediaTooBig } from './media-errors.js';

const SLICE = 4 * 1024 * 1024;

const hex = (h: Hash) => h.digest('hex') as Md5Hex;

export async function md5OfBytes(bytes: Uint8Array): Promise<Md5Hex> {
  const h = createHash('md5');
  for (let off = 0; off < bytes.byteLength; off += SLICE) {
    h.update(bytes.subarray(off, off + SLICE));
    if (off + SLICE < bytes.byteLength) await yieldToLoop();
  }
  return hex(h);
}

/** Size of a file, refusing a missing path or one that is not a regular file. */
export async function fileSize(path: string): Promise<number> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw invalidInput(`not a regular file: ${path}`);
    return s.size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw invalidInput(`file not found: ${path}`);
    throw err;
  }
}

export async function md5OfFile(path: string): Promise<Md5Hex> {
  const h = createHash('md5');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) h.update(chunk as Buffer);
  return hex(h);
}

/**
 * Drains a stream into memory, refusing more than maxBytes (as soon as the limit is passed,
 * not after reading everything).
 */
export async function collectStream(stream: AsyncIterable<Uint8Array>, maxBytes: number): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += chunk.byteLength;
    if (total > maxBytes) throw mediaTooBig(total, maxBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

/** Writes a stream to `path` while computing its MD5, refusing more than maxBytes. */
export async function spoolStream(
  stream: AsyncIterable<Uint8Array>,
  path: string,
  maxBytes: number,
): Promise<{ bytes: number; md5: Md5Hex }> {
  const h = createHash('md5');
  const out = createWriteStream(path, { flags: 'wx' });
  let total = 0;
  try {
    for await (const chunk of stream) {
      total += chunk.byteLength;
      if (total > maxBytes) throw mediaTooBig(total, maxBytes);
      h.update(chunk);
      if (!out.write(chunk)) await new Promise<void>((resolve, reject) => {
        out.once('drain', resolve);
        out.once('error', reject);
      });
    }
  } finally {
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
  return { bytes: total, md5: hex(h) };
}
