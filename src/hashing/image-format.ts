/**
 * Which image formats we decode, decided from the bytes (magic numbers), never from a declared
 * MIME type or a file name: the raster formats HMA's Pillow path decodes and this build of
 * libvips can decode too — JPEG, PNG, WebP, GIF and TIFF — plus BMP, which our own decoder
 * reads (bmp.ts; this libvips has none). Everything else is refused before
 * any decoder sees it: vector and scripted formats (SVG, PDF, PostScript, HTML/XML) above all,
 * since one 195-byte SVG can make the renderer work for minutes on gigabytes (issue 14).
 * AVIF/HEIF, ICO, PSD, JPEG 2000 and JPEG XL are recognised so that the refusal can name
 * them; this build decodes none of them (or, for AVIF/HEIF, HMA does not).
 */
import { HmaError } from '../errors/errors.js';
import { unsupportedFormat, unsupportedMedia } from './media-errors.js';

export const DECODED_FORMATS = ['jpeg', 'png', 'webp', 'gif', 'tiff', 'bmp'] as const;
export type DecodedFormat = (typeof DECODED_FORMATS)[number];

/** A format we recognise but do not decode. */
export type RefusedFormat =
  | 'svg'
  | 'svgz-or-gzip'
  | 'xml'
  | 'html'
  | 'pdf'
  | 'postscript'
  | 'avif'
  | 'heif'
  | 'ico'
  | 'psd'
  | 'jpeg2000'
  | 'jpegxl';

export type SniffedImage =
  | { readonly kind: 'decoded'; readonly format: DecodedFormat }
  | { readonly kind: 'refused'; readonly format: RefusedFormat }
  | { readonly kind: 'unknown' };

/** How many leading bytes sniffImage looks at (markup is searched for within them). */
export const SNIFF_BYTES = 1024;

const ascii = (b: Uint8Array, start: number, end: number) => String.fromCharCode(...b.subarray(start, Math.min(end, b.length)));

const HEIF_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1']);

/** Markup (SVG, HTML, XML), possibly after a BOM and white space. */
function sniffMarkup(head: Uint8Array): RefusedFormat | undefined {
  let text = ascii(head, 0, SNIFF_BYTES);
  if (text.startsWith('\xef\xbb\xbf')) text = text.slice(3);
  text = text.trimStart().toLowerCase();
  if (!text.startsWith('<')) return undefined;
  if (/<svg[\s>/]/.test(text) || text.includes('<!doctype svg')) return 'svg';
  if (/^<(!doctype html|html|head|body|script|iframe|!--)/.test(text)) return 'html';
  if (text.startsWith('<?xml') || text.startsWith('<!')) return 'xml';
  return undefined;
}

/** Sniffs the first bytes (pass SNIFF_BYTES or all of a smaller file). */
export function sniffImage(head: Uint8Array): SniffedImage {
  const at = (i: number, ...bytes: number[]) => head.length >= i + bytes.length && bytes.every((v, k) => head[i + k] === v);
  const decoded = (format: DecodedFormat): SniffedImage => ({ kind: 'decoded', format });
  const refused = (format: RefusedFormat): SniffedImage => ({ kind: 'refused', format });
  if (at(0, 0xff, 0xd8, 0xff)) return decoded('jpeg');
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return decoded('png');
  if (ascii(head, 0, 6) === 'GIF87a' || ascii(head, 0, 6) === 'GIF89a') return decoded('gif');
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return decoded('webp');
  // Classic TIFF (II*\0, MM\0*); BigTIFF (version 43) is libtiff's too.
  if (at(0, 0x49, 0x49, 0x2a, 0x00) || at(0, 0x4d, 0x4d, 0x00, 0x2a) || at(0, 0x49, 0x49, 0x2b, 0x00) || at(0, 0x4d, 0x4d, 0x00, 0x2b)) {
    return decoded('tiff');
  }
  if (ascii(head, 0, 5) === '%PDF-') return refused('pdf');
  if (ascii(head, 0, 2) === '%!' || at(0, 0xc5, 0xd0, 0xd3, 0xc6)) return refused('postscript');
  if (at(0, 0x1f, 0x8b)) return refused('svgz-or-gzip');
  if (ascii(head, 0, 2) === 'BM' && head.length >= 14) return decoded('bmp');
  if (ascii(head, 4, 8) === 'ftyp') {
    const brand = ascii(head, 8, 12);
    if (brand === 'avif' || brand === 'avis') return refused('avif');
    if (HEIF_BRANDS.has(brand)) return refused('heif');
  }
  if (at(0, 0x00, 0x00, 0x01, 0x00) || at(0, 0x00, 0x00, 0x02, 0x00)) return refused('ico');
  if (ascii(head, 0, 4) === '8BPS') return refused('psd');
  if (at(0, 0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20) || at(0, 0xff, 0x4f, 0xff, 0x51)) return refused('jpeg2000');
  if (at(0, 0xff, 0x0a) || at(0, 0x00, 0x00, 0x00, 0x0c, 0x4a, 0x58, 0x4c, 0x20)) return refused('jpegxl');
  const markup = sniffMarkup(head);
  return markup ? refused(markup) : { kind: 'unknown' };
}

/**
 * The decoded format of an image's first bytes, or the typed error that refuses it:
 * `unsupported_format` (HTTP 415) naming a recognised format we do not decode,
 * `unsupported_media` (400) for bytes that are no image we know.
 */
export function requireDecodable(head: Uint8Array): DecodedFormat {
  const s = sniffImage(head);
  if (s.kind === 'decoded') return s.format;
  if (s.kind === 'refused') return throwing(unsupportedFormat(s.format, DECODED_FORMATS));
  return throwing(
    unsupportedMedia(`not an image in a supported format (${DECODED_FORMATS.join(', ')})`, { reason: 'format' }),
  );
}

function throwing(err: HmaError): never {
  throw err;
}
