/** Runs the real `hma` command line as a child process, as a user would. */
import { execFile } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDir } from './run-logs.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runHma(args: readonly string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(root, 'bin', 'hma.js'), ...args],
      { cwd: root, env: { ...env, LOG_LEVEL: env.LOG_LEVEL ?? 'warn' }, timeout: timeoutMs, maxBuffer: 8 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        // stdout is the command's answer (a new token is printed there by design); stderr joins the run's logs.
        const dir = runDir();
        if (dir && stderr) appendFileSync(path.join(dir, 'stderr', `cli-${process.pid}.log`), `$ hma ${args.join(' ')}\n${stderr}`);
        resolve({ code, stdout, stderr });
      },
    );
  });
}
