/**
 * A signal type carries its hasher: a throwaway exact-digest type, declared only here and given
 * to a test-built MediaHasher (the production registry is untouched), is computed by the engine
 * from every kind of source, next to the built-in types, without changing their values.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { hmaSignalValues, MediaHasher, type MediaSource } from '../../src/hashing/hash-media.js';
import { InProcessHasher } from '../../src/hashing/pool/hash-pool.js';
import { ExactIndex } from '../../src/index/exact-index.js';
import { SIGNAL_TYPES } from '../../src/signals/registry.js';
import type { SignalType } from '../../src/signals/types.js';
import { pdqDir, vpdqDir } from './testdata.js';

/** What a hypothetical src/signals/photo_sha1/type.ts would declare. */
const sha1Type = (name: string, contentTypes: SignalType['contentTypes']): SignalType => ({
  name,
  contentTypes,
  hmaDefault: false,
  defaultThreshold: null,
  validate: (v) => v.trim().toLowerCase(),
  compare: (a, b) => ({ match: a === b, distance: null }),
  newIndex: () => new ExactIndex(),
  hasher: {
    view: 'bytes',
    newDigest() {
      const h = createHash('sha1');
      return { update: (chunk) => void h.update(chunk), digest: () => h.digest('hex') };
    },
  },
});

const config = loadConfig({ ...process.env, MAX_MEDIA_BYTES: String(8 * 1024 * 1024) });
const types = [...Object.values(SIGNAL_TYPES), sha1Type('photo_sha1', ['photo']), sha1Type('video_sha1', ['video'])];
const hasher = new MediaHasher(config, new InProcessHasher(), types);
const production = new MediaHasher(config, new InProcessHasher());

const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest('hex');
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

function sources(file: string): Array<[string, () => MediaSource]> {
  const bytes = readFileSync(file);
  return [
    ['path', () => ({ path: file })],
    ['bytes', () => ({ bytes })],
    ['stream', () => ({ stream: Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]) })],
  ];
}

describe('a signal type declared outside the registry', () => {
  const photo = path.join(pdqDir(), 'ptx-resources/rgb.jpeg');
  for (const [kind, source] of sources(photo)) {
    it(`is computed for a photo given as ${kind}, next to an unchanged pdq`, async () => {
      const r = await hasher.hashMedia({ source: source(), contentType: 'photo' });
      expect(r.digests).toEqual({ photo_sha1: sha1(readFileSync(photo)) });
      const p = await production.hashMedia({ source: source(), contentType: 'photo' });
      expect(r.signals.pdq?.hash).toBe(p.signals.pdq?.hash);
      expect(p.digests).toEqual({});
      // What /h/hash and the hasher stage emit: the built-in signals, then the new type.
      expect(hmaSignalValues(r).map((s) => s.type)).toEqual(['pdq', 'photo_sha1']);
      expect(hmaSignalValues(r)[1]).toEqual({ type: 'photo_sha1', value: sha1(readFileSync(photo)), quality: null });
    });
  }

  const video = path.join(vpdqDir(), 'test-padded-dimensions.mp4');
  for (const [kind, source] of sources(video)) {
    it(`is computed for a video given as ${kind}, in the same pass as video_md5`, async () => {
      const bytes = readFileSync(video);
      const r = await hasher.hashMedia({ source: source(), contentType: 'video', signalTypes: ['video_md5', 'video_sha1'] });
      expect(r.digests).toEqual({ video_md5: md5(bytes), video_sha1: sha1(bytes) });
      expect(r.signals.video_md5?.hash).toBe(md5(bytes));
      expect(r.signals.vpdq).toBeUndefined();
    });
  }

  it('can be selected alone, and only for its content type', async () => {
    const r = await hasher.hashMedia({ source: { path: photo }, contentType: 'photo', signalTypes: ['photo_sha1'] });
    expect(r.signals).toEqual({});
    expect(r.digests.photo_sha1).toBe(sha1(readFileSync(photo)));
    await expect(hasher.hashMedia({ source: { path: photo }, contentType: 'video', signalTypes: ['photo_sha1'] })).rejects.toThrow(
      "signal type 'photo_sha1' does not apply to content type 'video'",
    );
    await expect(production.hashMedia({ source: { path: photo }, contentType: 'photo', signalTypes: ['photo_sha1'] })).rejects.toThrow(
      "signal type 'photo_sha1' does not apply",
    );
  });
});
