/**
 * Production's glibc allocator settings are written once (src/config/glibc-tunables.ts); the
 * places that cannot import it (the Dockerfile, package.json's bench:index) carry the same
 * string, and `npm start`'s launcher adds it unless the operator set one.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GLIBC_TUNABLES, withGlibcTunables } from '../../src/config/glibc-tunables.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (f: string) => readFileSync(path.join(root, f), 'utf8');

describe('GLIBC_TUNABLES', () => {
  it('the Dockerfile (so every docker-compose service) and bench:index use the one value', () => {
    expect(read('Dockerfile').match(/^ENV GLIBC_TUNABLES=(\S+)$/m)?.[1]).toBe(GLIBC_TUNABLES);
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['bench:index']).toMatch(new RegExp(`^GLIBC_TUNABLES=${GLIBC_TUNABLES.replace(/\./g, '\\.')} `));
    // No compose service overrides it.
    expect(read('docker-compose.yml')).not.toMatch(/GLIBC_TUNABLES\s*:/);
  });

  it('the npm start launcher adds it, and keeps a value the operator chose', () => {
    expect(withGlibcTunables({ PATH: '/bin' })).toEqual({ PATH: '/bin', GLIBC_TUNABLES });
    expect(withGlibcTunables({ GLIBC_TUNABLES: '' }).GLIBC_TUNABLES).toBe('');
    expect(withGlibcTunables({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }).GLIBC_TUNABLES).toBe('glibc.malloc.arena_max=2');
  });
});
