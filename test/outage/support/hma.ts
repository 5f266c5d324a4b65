/** `hma <command>` child processes whose log lines the test reads (JSON lines from pino). */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

const root = path.resolve(import.meta.dirname, '../../..');

export interface LogLine {
  readonly at: number;
  readonly level: number;
  readonly msg: string;
  readonly component?: string;
  readonly raw: string;
}

export class LoggedHma {
  private child: ChildProcess | undefined;
  readonly lines: LogLine[] = [];
  exitCode: number | null | undefined;
  /** Every line is also kept here, to read after a failure. */
  readonly logFile: string;

  constructor(
    readonly name: string,
    readonly command: readonly string[],
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.logFile = path.join(os.tmpdir(), `hma-outage-${name}-${process.pid}-${Date.now().toString(36)}.log`);
  }

  start(): void {
    const child = spawn(process.execPath, [path.join(root, 'bin/hma.js'), ...this.command], {
      cwd: root,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exitCode = undefined;
    child.once('exit', (code) => (this.exitCode = code));
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream! }).on('line', (raw) => {
        let level = 0;
        let msg = raw;
        let component: string | undefined;
        try {
          const j = JSON.parse(raw) as { level?: number; msg?: string; component?: string };
          level = j.level ?? 0;
          msg = j.msg ?? '';
          component = j.component;
        } catch {
          // not a log line (e.g. the "is up" banner)
        }
        this.lines.push({ at: Date.now(), level, msg, component, raw });
        appendFileSync(this.logFile, `${raw}\n`);
      });
    }
  }

  get running(): boolean {
    return this.child !== undefined && this.exitCode === undefined;
  }

  /** Lines at WARN or above logged in [from, to). */
  problems(from: number, to = Infinity): LogLine[] {
    return this.lines.filter((l) => l.level >= 40 && l.at >= from && l.at < to);
  }

  async stop(graceMs = 15_000): Promise<void> {
    const child = this.child;
    if (!child || this.exitCode !== undefined) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}

/** GET /status as text: status code and body (0 when the process does not answer). */
export async function status(url: string): Promise<{ code: number; body: string; staleness: string | null }> {
  try {
    const res = await fetch(`${url}/status`, { signal: AbortSignal.timeout(3000) });
    return { code: res.status, body: await res.text(), staleness: res.headers.get('x-hma-index-staleness') };
  } catch {
    return { code: 0, body: '', staleness: null };
  }
}

/** Polls /status until `ok` holds; resolves with the last answer, or throws after timeoutMs. */
export async function waitForStatus(
  url: string,
  ok: (s: { code: number; body: string }) => boolean,
  timeoutMs: number,
  what: string,
): Promise<{ code: number; body: string }> {
  const deadline = Date.now() + timeoutMs;
  let last = { code: 0, body: '' };
  while (Date.now() < deadline) {
    last = await status(url);
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what}: /status at ${url} still ${last.code} ${last.body} after ${timeoutMs} ms`);
}
