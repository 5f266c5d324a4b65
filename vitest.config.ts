import { defineConfig } from 'vitest/config';

/**
 * Three projects: `unit` (files named *.unit.test.ts) needs no backing services;
 * `integration` (every other *.test.ts) gets Kafka, the registry and Postgres from
 * test/global-setup.ts, started once per run; `kill` is the kill -9 exactly-once test,
 * which `npm test` runs on its own after the others (see scripts/test.sh).
 */
const killTest = 'test/pipeline/exactly-once.test.ts';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.unit.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.unit.test.ts', killTest, '**/node_modules/**'],
          globalSetup: ['test/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: { name: 'kill', include: [killTest], globalSetup: ['test/global-setup.ts'] },
      },
    ],
  },
});
