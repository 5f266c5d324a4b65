import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (files named *.unit.test.ts) needs no backing services;
 * `integration` (every other *.test.ts) gets Kafka, the registry and Postgres from
 * test/global-setup.ts, started once per run. `npm test` runs both.
 */
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
          exclude: ['test/**/*.unit.test.ts', '**/node_modules/**'],
          globalSetup: ['test/global-setup.ts'],
        },
      },
    ],
  },
});
