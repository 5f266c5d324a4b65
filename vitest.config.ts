import { defineConfig } from 'vitest/config';

/**
 * Three projects: `unit` (files named *.unit.test.ts) needs no backing services;
 * `integration` (every other *.test.ts) gets Kafka, the registry and Postgres from
 * test/global-setup.ts, started once per run; `kill` holds the tests that kill -9
 * processes or a broker of their own (the exactly-once tests, test/outage/), which
 * `npm test` runs after the others, one file at a time (see scripts/test.sh).
 */
const killTests = ['test/pipeline/exactly-once.test.ts', 'test/pipeline/retro-kill.test.ts', 'test/outage/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Each worker configures its logger and keyring from its config, as every `hma` process does,
    // and logs to a file that is printed for a failing test only (test/support/process-setup.ts).
    setupFiles: ['test/support/process-setup.ts'],
    // Console output of passing tests is not shown: the output is the test results.
    silent: 'passed-only',
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
          exclude: ['test/**/*.unit.test.ts', ...killTests, '**/node_modules/**'],
          globalSetup: ['test/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: { name: 'kill', include: killTests, globalSetup: ['test/global-setup.ts'], fileParallelism: false },
      },
    ],
  },
});
