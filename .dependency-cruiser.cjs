/**
 * The floors of src/ (docs/ARCHITECTURE.md, "Layers"): imports only run downward.
 * `npm run lint:deps` checks them, and `npm test` runs it before the tests.
 *
 * Floors, lowest first; a folder imports only from floors below it. Folders on one
 * floor are peers and do not import each other, except where `above` says which of two
 * peers sits higher.
 */
const floors = [
  { name: 'errors', folders: ['errors'] },
  // The pure core, right above the errors it throws: a signal type carries its index, so
  // signals sits above index; config validates SIGNAL_TYPES against the signal registry.
  { name: 'core', folders: ['index', 'signals'], above: { signals: ['index'] } },
  { name: 'config', folders: ['config'] },
  { name: 'observability', folders: ['observability'] },
  // Outbound HTTP (URL policy, guarded connections, redirects) and the one backoff rule, below every adapter that calls out.
  { name: 'net', folders: ['retry', 'net'], above: { net: ['retry'] } },
  // Security's crypto (secrets, keyring) is an adapter like the others: curation seals
  // exchange credentials with it; the rest of security (auth, audit) sits higher.
  { name: 'adapters', folders: ['media', 'hashing', 'kafka', 'postgres', 'backing-services', 'security-crypto'] },
  { name: 'replica', folders: ['replica', 'matching'], above: { matching: ['replica'] } },
  { name: 'kernel', folders: ['runtime'] },
  { name: 'curation', folders: ['curation'] },
  { name: 'services', folders: ['exchanges', 'pipeline', 'security'] },
  { name: 'api', folders: ['api'] },
  { name: 'processes', folders: ['processes'] },
  { name: 'cli', folders: ['cli'] },
];

/** A folder's paths; `security` is all of it but its crypto, `security-crypto` the crypto. */
const pathOf = (folder) =>
  folder === 'security-crypto'
    ? '^src/security/(secrets|keyring)[.]ts$'
    : folder === 'security'
      ? '^src/security/(?!(secrets|keyring)[.]ts$)'
      : `^src/${folder}/`;

const rules = [];
floors.forEach((floor, i) => {
  const higher = floors.slice(i + 1).flatMap((f) => f.folders);
  for (const folder of floor.folders) {
    const peers = floor.folders.filter((p) => p !== folder && !(floor.above?.[folder] ?? []).includes(p));
    const forbidden = [...higher, ...peers];
    if (forbidden.length === 0) continue;
    rules.push({
      name: `${folder}-imports-only-downward`,
      comment: `${folder} (floor '${floor.name}') may not import from ${forbidden.join(', ')}: see docs/ARCHITECTURE.md, "Layers".`,
      severity: 'error',
      from: { path: pathOf(folder) },
      to: { path: forbidden.map(pathOf).join('|') },
    });
  }
});

module.exports = {
  forbidden: [
    ...rules,
    {
      name: 'core-is-pure',
      comment: 'signals, index and matching know nothing of Kafka, HTTP or SQL (docs/ARCHITECTURE.md).',
      severity: 'error',
      from: { path: '^src/(signals|index|matching)/' },
      to: { path: 'node_modules/(kafkajs|@kafkajs|pg|pg-copy-streams|fastify|@fastify|undici)/' },
    },
    {
      name: 'no-circular',
      comment: 'A module cycle hides which side is lower.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that does not resolve is a typo or a missing package.',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // TypeScript 7 (the native compiler) has no JS API to parse with: swc parses, and
    // sees `import type` arrows too (they count: a type import is a dependency).
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '[.]d[.]ts$' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      mainFields: ['module', 'main', 'types'],
    },
  },
};
