/**
 * Every log a test run writes, in one directory, and the check that none of them
 * holds a secret the run configured.
 *
 * The run directory is HMA_TEST_RUN_DIR (scripts/test.sh makes one per `npm test`, so
 * both of its vitest runs share it), or one made by the global setup. In it:
 * - `hma.log`: LOG_FILE of the run's own processes (the global setup);
 * - `worker-<pid>.log`: LOG_FILE of one test worker and of every `hma` child its tests
 *   start (they inherit it), at LOG_FILE_LEVEL=debug whatever LOG_LEVEL a test chose;
 *   the lines a failing test wrote are printed with its failure (process-setup.ts);
 * - `stderr/`: what `hma` child processes wrote to stderr (test/pipeline/support/processes.ts, test/support/cli.ts);
 * - any log file a test writes there itself (logFileFor);
 * - `secrets.txt`: the secrets of the run, one per line: canaries set here in the
 *   environment of every process (SECRETS_KEY, KAFKA_SASL_PASSWORD, the Postgres
 *   password) and secrets tests register (registerSecret), e.g. exchange credentials.
 * The global setup's teardown reads every file and fails the run naming the file and
 * the secret's label (never its value) of each one found, or an API token.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const SECRETS_FILE = 'secrets.txt';

export function runDir(): string | undefined {
  return process.env.HMA_TEST_RUN_DIR || undefined;
}

/** Records a secret the run uses, to be searched for in every log at the end. */
export function registerSecret(label: string, value: string): void {
  const dir = runDir();
  if (!dir || value.length < 6) return;
  appendFileSync(path.join(dir, SECRETS_FILE), `${JSON.stringify({ label, value })}\n`);
}

/** A log file path inside the run directory (for a test that sets its own LOG_FILE). */
export function logFileFor(name: string): string {
  const dir = runDir() ?? mkdtempSync(path.join(tmpdir(), 'hma-test-logs-'));
  return path.join(dir, name);
}

/**
 * Makes the run directory (unless given) and the environment every process of the run
 * inherits: the shared log file and the canary secrets. Returns what to add to the environment.
 */
export function prepareRunLogs(env: NodeJS.ProcessEnv): Record<string, string> {
  const dir = env.HMA_TEST_RUN_DIR || mkdtempSync(path.join(tmpdir(), 'hma-test-run-'));
  mkdirSync(path.join(dir, 'stderr'), { recursive: true });
  const out: Record<string, string> = { HMA_TEST_RUN_DIR: dir, LOG_FILE: path.join(dir, 'hma.log'), LOG_FILE_LEVEL: 'debug' };
  const canaries: Array<[string, string]> = [];
  if (!env.SECRETS_KEY && !env.SECRETS_KEY_FILE) {
    out.SECRETS_KEY = randomBytes(32).toString('base64');
    canaries.push(['SECRETS_KEY', out.SECRETS_KEY]);
  }
  // Unused with KAFKA_SASL_MECHANISM=none, but in every process's config.
  if (!env.KAFKA_SASL_PASSWORD && (env.KAFKA_SASL_MECHANISM ?? 'none') === 'none') {
    out.KAFKA_SASL_PASSWORD = `canary-sasl-${randomBytes(9).toString('hex')}`;
    canaries.push(['KAFKA_SASL_PASSWORD', out.KAFKA_SASL_PASSWORD]);
  }
  if (env.DATABASE_URL) {
    const url = new URL(env.DATABASE_URL);
    if (url.password) canaries.push(['DATABASE_URL password', decodeURIComponent(url.password)]);
  }
  const lines = canaries.map(([label, value]) => `${JSON.stringify({ label, value })}\n`).join('');
  appendFileSync(path.join(dir, SECRETS_FILE), lines);
  return out;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** An API token (src/security/tokens.ts): the logger censors them, so one here came around it. */
const TOKEN = /\bhma_[A-Za-z0-9_-]{43}\b/;

/** Problems found in the run directory's logs: `file: label`, never the secret itself. */
export function findLeaks(dir: string): string[] {
  const secretsFile = path.join(dir, SECRETS_FILE);
  const secrets = readFileSync(secretsFile, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { label: string; value: string });
  const problems: string[] = [];
  for (const file of filesUnder(dir)) {
    if (file === secretsFile) continue;
    const text = readFileSync(file, 'utf8');
    for (const { label, value } of secrets) {
      const escaped = JSON.stringify(value).slice(1, -1);
      if (text.includes(value) || text.includes(escaped)) problems.push(`${path.relative(dir, file)}: ${label}`);
    }
    if (TOKEN.test(text)) problems.push(`${path.relative(dir, file)}: an API token`);
  }
  return [...new Set(problems)];
}

/** Throws when a log of the run holds a secret; returns what was searched. */
export function checkRunLogs(dir: string): { files: number; secrets: number; bytes: number } {
  const problems = findLeaks(dir);
  if (problems.length > 0) throw new Error(`secrets in the logs of this test run (${dir}):\n  ${problems.join('\n  ')}`);
  const files = filesUnder(dir).filter((f) => path.basename(f) !== SECRETS_FILE);
  const secrets = readFileSync(path.join(dir, SECRETS_FILE), 'utf8').split('\n').filter((l) => l.trim() !== '').length;
  return { files: files.length, secrets, bytes: files.reduce((n, f) => n + statSync(f).size, 0) };
}
