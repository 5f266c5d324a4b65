/**
 * The glibc allocator settings production processes run with (docs/INDEX.md, "Allocator
 * settings": large typed arrays from mmap at ≥ 1 MB, on transparent huge pages), written here
 * once. glibc reads them when a process starts, so whatever starts an hma process sets them:
 * `npm start`'s launcher (backing-services/app-process.ts) from this constant, the Dockerfile's
 * ENV (so every docker-compose service) and `npm run bench:index` with the same string, which
 * test/foundation/glibc-tunables.unit.test.ts keeps equal to this one.
 */
export const GLIBC_TUNABLES = 'glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=1048576';

/** `env` with GLIBC_TUNABLES added, unless the operator already chose a value (even an empty one). */
export function withGlibcTunables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return env.GLIBC_TUNABLES === undefined ? { ...env, GLIBC_TUNABLES } : env;
}
