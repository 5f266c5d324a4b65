/**
 * Guessing the content type of a file from its first bytes (then its extension), for callers
 * that have no declared type, such as the CLI. Any image format image-format.ts recognises
 * counts as a photo (GIFs included: their first frame is hashed), including those it refuses,
 * so that hashing can say which format it refused; other ISO-BMFF brands are video.
 */
import path from 'node:path';
import type { ContentType } from '../signals/registry.js';
import { sniffImage } from './image-format.js';

const ascii = (b: Uint8Array, start: number, end: number) => String.fromCharCode(...b.subarray(start, end));

/** Sniffs the first bytes (pass at least 189 to recognise MPEG-TS); undefined when unrecognised. */
export function sniffContentType(head: Uint8Array): ContentType | undefined {
  const at = (i: number, ...bytes: number[]) => bytes.every((v, k) => head[i + k] === v);
  if (sniffImage(head).kind !== 'unknown') return 'photo';
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'AVI ') return 'video';
  if (ascii(head, 4, 8) === 'ftyp') return 'video';
  if (at(0, 0x1a, 0x45, 0xdf, 0xa3)) return 'video'; // Matroska / WebM
  if (ascii(head, 0, 3) === 'FLV' || at(0, 0x00, 0x00, 0x01, 0xba)) return 'video';
  if (head[0] === 0x47 && head[188] === 0x47) return 'video'; // MPEG-TS: sync byte every 188 bytes
  return undefined;
}

/**
 * The one file-extension table (CLI, `hma scan`, submissions by URL or file name). .ts is an MPEG transport stream, a video container.
 */
const BY_EXTENSION: Readonly<Record<string, ContentType>> = {
  '.jpg': 'photo', '.jpeg': 'photo', '.png': 'photo', '.gif': 'photo', '.webp': 'photo', '.bmp': 'photo',
  '.tif': 'photo', '.tiff': 'photo', '.avif': 'photo', '.heic': 'photo', '.heif': 'photo',
  '.mp4': 'video', '.m4v': 'video', '.mov': 'video', '.avi': 'video', '.mkv': 'video', '.webm': 'video',
  '.mpg': 'video', '.mpeg': 'video', '.ts': 'video', '.flv': 'video', '.3gp': 'video', '.wmv': 'video',
};

/** photo or video from a file name's (or URL path's) extension; undefined when it is not a known media extension. */
export function contentTypeFromExtension(filename: string): ContentType | undefined {
  const ext = path.posix.extname(filename).toLowerCase();
  return Object.hasOwn(BY_EXTENSION, ext) ? BY_EXTENSION[ext] : undefined;
}

/** MIME type → content type as HMA maps it: image/* → photo, video/* → video. */
export function contentTypeFromMime(mime: string | undefined): ContentType | undefined {
  if (mime === undefined || !mime.includes('/')) return undefined;
  const major = mime.split('/')[0]?.trim().toLowerCase();
  if (major === 'image') return 'photo';
  if (major === 'video') return 'video';
  return undefined;
}
