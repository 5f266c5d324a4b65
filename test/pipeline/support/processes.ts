/** `hma <command>` child processes for tests that kill and restart them. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { runDir } from '../../support/run-logs.js';

const root = path.resolve(import.meta.dirname, '../../..');

export class HmaProcess {
  private child: ChildProcess | undefined;
  starts = 0;
  kills = 0;
  stalls = 0;

  constructor(
    readonly command: readonly string[],
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** `extraEnv` applies to this start only (e.g. a new HMA_INSTANCE_ID). */
  start(extraEnv: NodeJS.ProcessEnv = {}): void {
    this.starts++;
    this.child = spawn(process.execPath, [path.join(root, 'bin/hma.js'), ...this.command], {
      cwd: root,
      env: { ...this.env, ...extraEnv },
      // stdout holds the log lines, also in LOG_FILE; stderr is kept with the run's logs (shown only without a run directory).
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const child = this.child;
    const dir = runDir();
    const file = dir ? createWriteStream(path.join(dir, 'stderr', `${this.command.join('-').replace(/[^\w.-]+/g, '_')}-${child.pid}.log`)) : undefined;
    child.stderr?.on('data', (d: Buffer) => {
      if (file) file.write(d);
      else process.stderr.write(d);
    });
    child.stderr?.on('end', () => file?.end());
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    if (signal === 'SIGKILL') this.kills++;
    await exited;
  }

  /**
   * Freezes the process (SIGSTOP) for `ms`, then lets it go on (SIGCONT): a process
   * starved of CPU past its session timeout, which the group has meanwhile replaced.
   */
  async stall(ms: number): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGSTOP');
    this.stalls++;
    await new Promise((r) => setTimeout(r, ms));
    child.kill('SIGCONT');
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
