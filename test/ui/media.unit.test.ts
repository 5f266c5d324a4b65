/**
 * The UI's match debugger decodes in a hash process, not in the API process: its hash,
 * quality and 8 variants are those of the hashing module, its previews come from the pool,
 * and hostile files get the same typed refusal as everywhere else.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { uiMedia } from '../../src/api/ui/media.js';
import { loadConfig } from '../../src/config/config.js';
import { isHmaError } from '../../src/errors/errors.js';
import { hashPhoto } from '../../src/hashing/photo.js';
import { pdqDir } from '../hashing/testdata.js';

const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', HASH_WORKERS: '1' });
const stops: Array<() => Promise<void>> = [];
const media = uiMedia(config, undefined, (_name, stop) => stops.push(stop));
afterAll(async () => {
  for (const stop of stops) await stop();
});

describe('uiMedia without a process pool of its own', () => {
  it('analyses a photo in a one-process pool, with the hashing module\'s hash and variants', async () => {
    const file = path.join(pdqDir(), 'pdq-data/reg-test-input/dih/bridge-1-original.jpg');
    const bytes = readFileSync(file);
    const got = await media.analyzePhoto(bytes);
    const want = await hashPhoto(file, { mode: config.PDQ_MODE, maxPixels: config.MAX_IMAGE_PIXELS, grey16: 'high_byte', dihedral: true });
    expect(got).toEqual({ hash: want.hash, quality: want.quality, width: want.width, height: want.height, variants: want.dihedral });
    expect(got.variants).toHaveLength(8);
    expect(stops).toHaveLength(1);
    const preview = await media.thumbnail(bytes);
    expect(preview).toMatch(/^data:image\/jpeg;base64,\/9j\//);
  });

  it('refuses an SVG by its bytes and makes no preview of it', async () => {
    const svg = Buffer.from('<svg width="9999" height="9999"><rect width="9" height="9"/></svg>');
    const err = await media.analyzePhoto(svg).catch((e: unknown) => e);
    expect(isHmaError(err) && [err.code, err.details?.format]).toEqual(['unsupported_format', 'svg']);
    expect(await media.thumbnail(svg)).toBeNull();
  });
});
