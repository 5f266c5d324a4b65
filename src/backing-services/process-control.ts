/**
 * Detached child processes with pid files. Each service runs in its own process
 * group (setsid), so stopping it signals the group and nothing it forked survives.
 */
import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PendingArchive } from './class-data-sharing.js';

/** What a pid file records: enough to recognise our process even after the pid was reused. */
export interface PidRecord {
  readonly pid: number;
  readonly service: string;
  /** A string the process's command line contains (e.g. `kafka.Kafka`), checked against /proc. */
  readonly marker: string;
  readonly port?: number;
  readonly log: string;
  readonly startedAt: string;
  /** A class-data archive the JVM dumps at exit, to promote after a clean stop. */
  readonly pendingArchive?: PendingArchive;
}

export async function readPidFile(file: string): Promise<PidRecord | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const rec = JSON.parse(text) as Partial<PidRecord>;
    if (typeof rec.pid !== 'number' || typeof rec.marker !== 'string') return undefined;
    return rec as PidRecord;
  } catch {
    return undefined; // a torn or foreign file: treat as no record
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the recorded pid is alive and still runs the recorded program (not a reused pid or zombie). */
export function isRunning(rec: PidRecord): boolean {
  const cmdline = `/proc/${rec.pid}/cmdline`;
  if (existsSync('/proc/self/cmdline')) {
    try {
      return readFileSync(cmdline, 'utf8').includes(rec.marker);
    } catch {
      return false;
    }
  }
  try {
    process.kill(rec.pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface SpawnSpec {
  readonly service: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly marker: string;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly logFile: string;
  readonly pidFile: string;
  readonly port?: number;
  readonly pendingArchive?: PendingArchive;
}

/** Starts a process in a new session (its own process group), output appended to its log, and writes its pid file. */
export async function spawnDetached(spec: SpawnSpec): Promise<PidRecord> {
  await mkdir(path.dirname(spec.logFile), { recursive: true });
  await mkdir(path.dirname(spec.pidFile), { recursive: true });
  const fd = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => resolve(child.pid as number));
    });
    child.unref();
    const rec: PidRecord = {
      pid,
      service: spec.service,
      marker: spec.marker,
      port: spec.port,
      log: spec.logFile,
      startedAt: new Date().toISOString(),
      pendingArchive: spec.pendingArchive,
    };
    await writeFile(spec.pidFile, JSON.stringify(rec, null, 2) + '\n');
    return rec;
  } finally {
    closeSync(fd);
  }
}

export type StopOutcome = 'not-running' | 'stopped' | 'killed';

/**
 * SIGTERM to the whole process group, then SIGKILL after `graceMs`; returns once no member of
 * the group is left. The pid file is removed either way.
 */
export async function stopProcess(rec: PidRecord, pidFile: string, graceMs: number): Promise<StopOutcome> {
  if (!isRunning(rec) && !groupAlive(rec.pid)) {
    await rm(pidFile, { force: true });
    return 'not-running';
  }
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-rec.pid, sig);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(rec.pid) && Date.now() < deadline) await sleep(100);
  let outcome: StopOutcome = 'stopped';
  if (groupAlive(rec.pid)) {
    signal('SIGKILL');
    outcome = 'killed';
    const hardDeadline = Date.now() + 10_000;
    while (groupAlive(rec.pid) && Date.now() < hardDeadline) await sleep(50);
    if (groupAlive(rec.pid)) throw new Error(`${rec.service} (process group ${rec.pid}) survived SIGKILL`);
  }
  await rm(pidFile, { force: true });
  return outcome;
}

/** True when something accepts TCP connections on host:port. */
export function portOpen(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The last lines of a log, to explain a failed start. */
export function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines - 1).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Polls `probe` until it returns true; fails early if the process died, and with the log's
 * tail on timeout, so a broken start is explained rather than hung on.
 */
export async function waitUntilReady(
  rec: PidRecord,
  probe: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    if (!isRunning(rec)) {
      throw new Error(`${rec.service} exited during start-up; last lines of ${rec.log}:\n${tail(rec.log)}`);
    }
    await sleep(250);
  }
  throw new Error(`${rec.service} not ready after ${timeoutMs} ms; last lines of ${rec.log}:\n${tail(rec.log)}`);
}
