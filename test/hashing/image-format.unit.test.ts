/**
 * The format sniffer over real files of every format (made with sharp) and hostile ones: only
 * JPEG, PNG, WebP, GIF and TIFF reach a decoder; SVG, PDF, HTML and the rest are refused from
 * their bytes with a 415-class error naming them, whatever the request declared.
 */
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { httpStatusOf } from '../../src/runtime/http-errors.js';
import { loadConfig } from '../../src/config/config.js';
import { isHmaError } from '../../src/errors/errors.js';
import { MediaHasher } from '../../src/hashing/hash-media.js';
import { requireDecodable, sniffImage } from '../../src/hashing/image-format.js';
import { InProcessHasher } from '../../src/hashing/pool/hash-pool.js';
import { configureDecoder } from '../../src/hashing/pool/tasks.js';
import { errorOf } from '../support/errors.js';

const SVG_BOMB =
  '<svg width="9999" height="9999"><filter id="f"><feGaussianBlur stdDeviation="500"/></filter><rect width="9999" height="9999" filter="url(#f)"/></svg>';

const text = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));


let real: Record<string, Uint8Array>;

beforeAll(async () => {
  const w = 64;
  const h = 48;
  const raw = Buffer.alloc(w * h * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 7) & 255;
  const base = () => sharp(raw, { raw: { width: w, height: h, channels: 3 } });
  const entries = await Promise.all(
    Object.entries({
      jpeg: base().jpeg(),
      'jpeg-progressive': base().jpeg({ progressive: true }),
      png: base().png(),
      'png-palette': base().png({ palette: true }),
      webp: base().webp(),
      'webp-lossless': base().webp({ lossless: true }),
      gif: base().gif(),
      tiff: base().tiff(),
      'tiff-big-endian': base().tiff({ compression: 'lzw' }),
      avif: base().avif({ effort: 0 }),
    }).map(async ([name, s]) => [name, new Uint8Array(await s.toBuffer())] as const),
  );
  real = Object.fromEntries(entries);
});

describe('sniffImage', () => {
  it('recognises each decoded format from real files, whatever follows the header', () => {
    const expected: Record<string, string> = {
      jpeg: 'jpeg',
      'jpeg-progressive': 'jpeg',
      png: 'png',
      'png-palette': 'png',
      webp: 'webp',
      'webp-lossless': 'webp',
      gif: 'gif',
      tiff: 'tiff',
      'tiff-big-endian': 'tiff',
    };
    for (const [name, format] of Object.entries(expected)) {
      expect([name, sniffImage(real[name])]).toEqual([name, { kind: 'decoded', format }]);
      expect(requireDecodable(real[name])).toBe(format);
    }
    // Big-endian TIFF header, made by hand (sharp writes little-endian).
    expect(sniffImage(Uint8Array.from([0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8]))).toEqual({ kind: 'decoded', format: 'tiff' });
    // BMP (our own decoder, bmp.ts): recognised from its 'BM' file header.
    const bmp = new Uint8Array(54);
    bmp.set([0x42, 0x4d]);
    expect(sniffImage(bmp)).toEqual({ kind: 'decoded', format: 'bmp' });
  });

  it('names the formats it refuses', () => {
    const cases: Array<[string, Uint8Array, string]> = [
      ['the SVG bomb of issue 14', text(SVG_BOMB), 'svg'],
      ['SVG with an XML prolog', text(`<?xml version="1.0" encoding="UTF-8"?>\n<!-- made by hand -->\n${SVG_BOMB}`), 'svg'],
      ['SVG with a doctype', text('<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd">\n<svg/>'), 'svg'],
      ['SVG after a BOM and white space', text(`\ufeff \n\t${SVG_BOMB}`), 'svg'],
      ['HTML', text('<!doctype html><html><body><img src=x onerror=alert(1)></body></html>'), 'html'],
      ['HTML without a doctype', text('<html><body>hi</body></html>'), 'html'],
      ['XML', text('<?xml version="1.0"?><root/>'), 'xml'],
      ['PDF header', text('%PDF-1.7\n%âãÏÓ\n1 0 obj << /Type /Catalog >> endobj'), 'pdf'],
      ['PostScript', text('%!PS-Adobe-3.0\n'), 'postscript'],
      ['gzip (svgz)', Uint8Array.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0]), 'svgz-or-gzip'],
      ['ICO header', Uint8Array.from([0, 0, 1, 0, 1, 0, 16, 16, 0, 0, 1, 0, 32, 0]), 'ico'],
      ['AVIF made by sharp', real.avif, 'avif'],
    ];
    for (const [label, bytes, format] of cases) {
      expect([label, sniffImage(bytes)]).toEqual([label, { kind: 'refused', format }]);
      let err: unknown;
      try {
        requireDecodable(bytes);
      } catch (e) {
        err = e;
      }
      expect(isHmaError(err) && [err.code, err.details?.format, httpStatusOf[err.code]]).toEqual(['unsupported_format', format, 415]);
      expect((err as Error).message).toContain(`unsupported image format: ${format}`);
    }
  });

  it('leaves text, nothing and truncated magic numbers unrecognised (400, not 415)', () => {
    for (const bytes of [text('hello, not an image'), new Uint8Array(0), Uint8Array.from([0xff, 0xd8]), Uint8Array.from([0x89, 0x50, 0x4e])]) {
      expect(sniffImage(bytes)).toEqual({ kind: 'unknown' });
      let err: unknown;
      try {
        requireDecodable(bytes);
      } catch (e) {
        err = e;
      }
      expect(isHmaError(err) && [err.code, httpStatusOf[err.code]]).toEqual(['unsupported_media', 400]);
    }
  });
});

describe('hashing refuses by the bytes, not the declared type', () => {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  const hasher = new MediaHasher(config, new InProcessHasher());
  const hash = (bytes: Uint8Array) => hasher.hashMedia({ source: { bytes }, contentType: 'photo' });

  it('SVG, PDF and HTML uploaded as photos are refused before any decoder sees them', async () => {
    for (const [bytes, format] of [
      [text(SVG_BOMB), 'svg'],
      [text(`<?xml version="1.0"?>${SVG_BOMB}`), 'svg'],
      [text('%PDF-1.4\n'), 'pdf'],
      [text('<html></html>'), 'html'],
    ] as const) {
      const err = await errorOf(hash(bytes));
      expect([err.code, err.details?.format]).toEqual(['unsupported_format', format]);
    }
  });

  it('decodes every sniffed format and refuses a truncated JPEG as corrupt', async () => {
    for (const name of ['jpeg', 'png', 'webp', 'gif', 'tiff']) {
      const r = await hash(real[name]);
      expect([name, r.signals.pdq?.format]).toEqual([name, name]);
    }
    const truncated = real.jpeg.subarray(0, Math.floor(real.jpeg.length / 2));
    expect(sniffImage(truncated)).toEqual({ kind: 'decoded', format: 'jpeg' });
    const err = await errorOf(hash(truncated));
    expect([err.code, err.details?.reason]).toEqual(['unsupported_media', 'corrupt']);
  });

  it("a hash process's libvips has every other loader blocked, so SVG could not be decoded even past the sniffer", async () => {
    configureDecoder();
    await expect(sharp(Buffer.from(SVG_BOMB)).metadata()).rejects.toThrow(/unsupported image format/i);
    await expect(sharp(Buffer.from(real.avif)).raw().toBuffer()).rejects.toThrow(/unsupported image format/i);
    expect((await sharp(Buffer.from(real.png)).metadata()).format).toBe('png');
  });
});
