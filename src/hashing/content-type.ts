/**
 * Guessing the content type of a file from its first bytes (then its extension), for callers
 * that have no declared type, such as the CLI. Any image format image-format.ts recognises
 * counts as a photo (GIFs included: their first frame is hashed), including those it refuses,
 * so that hashing can say which format it refused; other ISO-BMFF brands are video.
 */
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

const PHOTO_EXT = new Set(['.jpg', '.jpeg', '.png', '.gif', '.webp', '.bmp', '.tif', '.tiff', '.avif', '.heic', '.heif']);
const VIDEO_EXT = new Set(['.mp4', '.m4v', '.mov', '.avi', '.mkv', '.webm', '.mpg', '.mpeg', '.ts', '.flv', '.3gp', '.wmv']);

export function contentTypeFromExtension(filename: string): ContentType | undefined {
  const dot = filename.lastIndexOf('.');
  const ext = dot >= 0 ? filename.slice(dot).toLowerCase() : '';
  if (PHOTO_EXT.has(ext)) return 'photo';
  if (VIDEO_EXT.has(ext)) return 'video';
  return undefined;
}

/** MIME type → content type as HMA maps it: image/* → photo, video/* → video. */
export function contentTypeFromMime(mime: string): ContentType | undefined {
  const major = mime.split('/')[0]?.trim().toLowerCase();
  if (major === 'image') return 'photo';
  if (major === 'video') return 'video';
  return undefined;
}
