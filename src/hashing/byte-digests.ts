/**
 * The `bytes` view of media (src/signals/types.ts SignalHasher): the raw bytes fed once, in
 * order, to every selected exact digest (video_md5 today), in constant memory. Files are
 * streamed, in-memory bytes are fed in slices with a yield between them so a large buffer never
 * blocks the event loop, and uploads are spooled to a temporary file while being digested in
 * the same pass. Nothing here decodes, so it runs in the service process.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { invalidInput } from '../errors/errors.js';
import type { ByteDigest } from '../signals/types.js';
import { mediaTooBig } from './media-errors.js';

const SLICE = 4 * 1024 * 1024;

function feed(digests: readonly ByteDigest[], chunk: Uint8Array): void {
  for (const d of digests) d.update(chunk);
}

export async function digestBytes(bytes: Uint8Array, digests: readonly ByteDigest[]): Promise<void> {
  for (let off = 0; off < bytes.byteLength; off += SLICE) {
    feed(digests, bytes.subarray(off, off + SLICE));
    if (off + SLICE < bytes.byteLength) await yieldToLoop();
  }
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

export async function digestFile(path: string, digests: readonly ByteDigest[]): Promise<void> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) feed(digests, chunk as Buffer);
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

/** Writes a stream to `path` while feeding the digests, refusing more than maxBytes; returns the byte count. */
export async function spoolStream(
  stream: AsyncIterable<Uint8Array>,
  path: string,
  maxBytes: number,
  digests: readonly ByteDigest[],
): Promise<number> {
  const out = createWriteStream(path, { flags: 'wx' });
  let total = 0;
  try {
    for await (const chunk of stream) {
      total += chunk.byteLength;
      if (total > maxBytes) throw mediaTooBig(total, maxBytes);
      feed(digests, chunk);
      if (!out.write(chunk)) await new Promise<void>((resolve, reject) => {
        out.once('drain', resolve);
        out.once('error', reject);
      });
    }
  } finally {
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
  return total;
}
