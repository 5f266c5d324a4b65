/**
 * Guessing the content type of a file from its first bytes (then its extension), for callers
 * that have no declared type, such as the CLI. Anything sharp decodes counts as a photo
 * (GIFs included: their first frame is hashed); ISO-BMFF is split by its brand.
 */
import type { ContentType } from '../signals/registry.js';

const IMAGE_BRANDS = new Set(['avif', 'avis', 'heic', 'heix', 'heim', 'heis', 'hevc', 'mif1', 'msf1']);

const ascii = (b: Uint8Array, start: number, end: number) => String.fromCharCode(...b.subarray(start, end));

/** Sniffs the first bytes (pass at least 189 to recognise MPEG-TS); undefined when unrecognised. */
export function sniffContentType(head: Uint8Array): ContentType | undefined {
  const at = (i: number, ...bytes: number[]) => bytes.every((v, k) => head[i + k] === v);
  if (at(0, 0xff, 0xd8, 0xff) || at(0, 0x89, 0x50, 0x4e, 0x47)) return 'photo';
  if (ascii(head, 0, 4) === 'GIF8') return 'photo';
  if (at(0, 0x49, 0x49, 0x2a, 0x00) || at(0, 0x4d, 0x4d, 0x00, 0x2a)) return 'photo';
  if (ascii(head, 0, 4) === 'RIFF') {
    const kind = ascii(head, 8, 12);
    if (kind === 'WEBP') return 'photo';
    if (kind === 'AVI ') return 'video';
  }
  if (ascii(head, 4, 8) === 'ftyp') return IMAGE_BRANDS.has(ascii(head, 8, 12).trim()) ? 'photo' : 'video';
  if (at(0, 0x1a, 0x45, 0xdf, 0xa3)) return 'video'; // Matroska / WebM
  if (ascii(head, 0, 3) === 'FLV' || at(0, 0x00, 0x00, 0x01, 0xba)) return 'video';
  if (head[0] === 0x47 && head[188] === 0x47) return 'video'; // MPEG-TS: sync byte every 188 bytes
  return undefined;
}

const PHOTO_EXT = new Set(['.jpg', '.jpeg', '.png', '.gif', '.webp', '.tif', '.tiff', '.avif', '.heic', '.heif']);
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
