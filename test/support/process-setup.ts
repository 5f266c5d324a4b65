/**
 * Runs in every test worker before its test file (vitest `setupFiles`). The worker is a
 * process like any `hma` process: its logger and keyring get their settings from its config,
 * as src/cli/main.ts does for `hma`.
 *
 * Test output shows test results, not logs: the worker's JSON log lines go only to a file of
 * its own in the run's log directory (support/run-logs.ts), and so do those of the `hma`
 * processes its tests start (they inherit LOG_FILE). When a test fails, the lines written to
 * that file while it ran are printed with the failure (vitest shows console output of failed
 * tests only: `silent: 'passed-only'` in vitest.config.ts).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { beforeEach } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { configureProcess } from '../../src/runtime/configure.js';
import { logFileFor } from './run-logs.js';

/** At most this much of a failed test's log is printed (its end, where the failure is). */
const PRINT_BYTES = 64 * 1024;

const logFile = logFileFor(`worker-${process.pid}.log`);
process.env.LOG_FILE = logFile;
process.env.LOG_FILE_LEVEL ||= 'debug';
// Nothing on stdout: the file gets every line down to LOG_FILE_LEVEL.
configureProcess({ ...loadConfig(process.env), LOG_LEVEL: 'silent' });

const sizeOf = (file: string): number => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

function readFrom(file: string, from: number): string {
  const to = sizeOf(file);
  const start = Math.max(from, to - PRINT_BYTES);
  if (to <= start) return '';
  const buf = Buffer.alloc(to - start);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buf, 0, buf.length, start);
  } finally {
    closeSync(fd);
  }
  const text = buf.toString('utf8');
  return start > from ? `…(${start - from} earlier bytes in the file)\n${text.slice(text.indexOf('\n') + 1)}` : text;
}

beforeEach((ctx) => {
  const from = sizeOf(logFile);
  ctx.onTestFailed(() => {
    const text = readFrom(logFile, from);
    console.error(`[hma test] log lines of this test (${logFile}):\n${text === '' ? '(none)\n' : text}`);
  });
});
