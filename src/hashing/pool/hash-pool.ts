/**
 * Hashing off the API's event loop and thread pool: a pool of child processes (./child.ts),
 * each running one task at a time. A thread cannot be stopped while native code (libvips)
 * runs in it, and its memory is the whole process's; a process can be killed outright, and
 * the OS takes everything back (issue 14: one 195-byte SVG kept 2.5 GB and the libuv pool for
 * minutes after its "timeout").
 *
 * - Time: a task over `taskTimeoutMs` (counted from when its process got it) gets that process
 *   SIGKILLed and fails with a typed error.
 * - Memory: while a task runs, its process's resident memory is read from /proc every
 *   RSS_POLL_MS; past `maxRssMb` the process is SIGKILLed and the task fails with a typed
 *   error. A process left above half the cap by a finished task is recycled, so memory held
 *   by the allocator after one large image does not stay.
 * - Capacity: a stopped or dead process is replaced at once; tasks wait in the pool's queue
 *   for a ready process, so queueing and start-up never eat into a task's time.
 * - Secrets: a process gets only the environment variables Node, tsx and libvips read.
 * - Shutdown: close() kills the processes; if the parent dies, each exits when its IPC
 *   channel closes, and a parent exiting by process.exit kills them on its way out.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { deserializeHmaError, hashingStopped, type StoppedReason } from '../media-errors.js';
import { hashMetrics } from '../metrics.js';
import type { FrameValue, SignalType } from '../../signals/types.js';
import { pdqJob, photoHashOf, type PhotoHash, type PhotoHashOptions, type PhotoJob, type PhotoValues } from '../photo.js';
import type { ImageInput } from '../decode-image.js';
import type { ThumbnailOptions } from '../thumbnail.js';
import type { ProcessMessage, TaskRequest } from './protocol.js';
import { runTask, type HashTask, type TaskOutcome, type TaskValue } from './tasks.js';

/** What media hashing needs from an executor: the pool, or in-process for tests. */
export interface HashExecutor {
  /** How many tasks can usefully run at once. */
  readonly concurrency: number;
  /** Decodes the photo once and computes the job's `photo-pixels` types on it. */
  photo(input: ImageInput, job: PhotoJob): Promise<PhotoValues>;
  /** One RGB frame through the named `video-frames` types. */
  frame(rgb: Uint8Array, width: number, height: number, types: readonly string[]): Promise<Record<string, FrameValue>>;
  thumbnail(input: Uint8Array, options: ThumbnailOptions): Promise<Uint8Array>;
  close(): Promise<void>;
}

function unwrap<T extends TaskValue>(outcome: TaskOutcome<TaskValue>): T {
  if (!outcome.ok) throw deserializeHmaError(outcome.error);
  return outcome.value as T;
}

export interface HashPoolOptions {
  /** Number of hash processes (default: the cores available). */
  readonly processes?: number;
  readonly taskTimeoutMs: number;
  /** Resident memory one hash process may reach while hashing. */
  readonly maxRssMb: number;
}

const ENTRY = new URL('./child-entry.mjs', import.meta.url);
const RSS_POLL_MS = 50;
/**
 * Larger media reach the process as a temporary file rather than through the IPC pipe: a
 * file costs one write here and is read by libvips as it decodes, where the pipe costs
 * serialising, ~4 ms/MB of wall time and a whole copy on each side (docs/HMA-COMPATIBILITY.md).
 */
export const SPOOL_BYTES = 4 * 1024 * 1024;
/** Wait before restarting a process that died before it was ready (a broken install must not spin). */
const RESPAWN_BACKOFF_MS = 1000;

/**
 * The environment of a hash process: what Node, tsx, libvips and the allocator read, nothing
 * else, so that the process that parses hostile bytes holds none of the parent's secrets.
 */
function childEnv(): NodeJS.ProcessEnv {
  const keep = /^(PATH|HOME|TMPDIR|TMP|TEMP|LANG|LC_[A-Z]+|TZ|NODE_[A-Z_]+|TSX_[A-Z_]+|VIPS_[A-Z_]+|MALLOC_[A-Z_]+|GLIBC_TUNABLES|UV_THREADPOOL_SIZE)$/;
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => keep.test(k)));
}

/**
 * Resident set size of a process in bytes, from /proc (Linux); undefined when unavailable.
 * Read synchronously: a few microseconds, and no trip through the libuv thread pool.
 */
export function rssOf(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

interface Pending {
  readonly task: HashTask;
  readonly resolve: (outcome: TaskOutcome<TaskValue>) => void;
  readonly reject: (err: Error) => void;
}

interface Running extends Pending {
  readonly id: number;
  readonly timer: NodeJS.Timeout;
}

/** One process of the pool. A slot outlives its processes: a replacement takes the same slot. */
interface Slot {
  child: ChildProcess;
  state: 'starting' | 'idle' | 'busy';
  running?: Running;
  /** The first task on a process: its readiness is what callers of `whenFull` wait for. */
  ready: Promise<void>;
}

/** Every live hash process of this parent, killed if the parent exits without closing its pools. */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    process.once('exit', () => {
      for (const c of liveChildren) c.kill('SIGKILL');
    });
    exitHookInstalled = true;
  }
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
}

export class HashPool implements HashExecutor {
  readonly concurrency: number;
  private readonly timeoutMs: number;
  private readonly maxRssBytes: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;
  private rssWatch: NodeJS.Timeout | undefined;

  constructor(private readonly opts: HashPoolOptions) {
    this.concurrency = Math.max(1, opts.processes ?? os.availableParallelism());
    this.timeoutMs = opts.taskTimeoutMs;
    this.maxRssBytes = opts.maxRssMb * 1024 * 1024;
    // Started eagerly: a process's start-up (loading the TypeScript through tsx) takes a while.
    for (let i = 0; i < this.concurrency; i++) {
      const slot = {} as Slot;
      this.start(slot);
      this.slots.push(slot);
    }
    hashMetrics.watchPool(this);
  }

  async photo(input: ImageInput, job: PhotoJob): Promise<PhotoValues> {
    if (typeof input === 'string' || input.byteLength <= SPOOL_BYTES) {
      return unwrap<PhotoValues>(await this.run({ kind: 'photo', input, job }));
    }
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hma-photo-'));
    try {
      const file = path.join(dir, 'media');
      await writeFile(file, input);
      return unwrap<PhotoValues>(await this.run({ kind: 'photo', input: file, job }));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async frame(rgb: Uint8Array, width: number, height: number, types: readonly string[]): Promise<Record<string, FrameValue>> {
    return unwrap<Record<string, FrameValue>>(await this.run({ kind: 'frame', rgb, width, height, types }));
  }

  /** PDQ of one photo through the pool (tests, benchmark). */
  async hashPhoto(input: ImageInput, options: PhotoHashOptions): Promise<PhotoHash> {
    return photoHashOf(await this.photo(input, pdqJob(options)));
  }

  async thumbnail(input: Uint8Array, options: ThumbnailOptions): Promise<Uint8Array> {
    return unwrap<Uint8Array>(await this.run({ kind: 'thumbnail', input, options }));
  }

  /** Test hook: occupies a process for `ms` of busy CPU. */
  async sleepInWorker(ms: number): Promise<void> {
    await this.run({ kind: 'sleep', ms });
  }

  /** Test hook: a task that holds `mb` MB of memory for `ms`. */
  async allocateInWorker(mb: number, ms: number): Promise<void> {
    await this.run({ kind: 'allocate', mb, ms });
  }

  /** Resolves once every slot has a ready process (after start-up or a replacement). */
  async whenFull(): Promise<void> {
    for (;;) {
      const starting = this.slots.filter((s) => s.state === 'starting');
      if (starting.length === 0 || this.closed) return;
      await Promise.all(starting.map((s) => s.ready));
      // A process that died while starting waits RESPAWN_BACKOFF_MS for its successor.
      if (this.slots.some((s) => s.state === 'starting')) await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Process ids of the pool's current processes (tests, memory figures). */
  get pids(): number[] {
    return this.slots.map((s) => s.child.pid).filter((p): p is number => p !== undefined);
  }

  /** Tasks waiting for a free process (metrics). */
  get queued(): number {
    return this.queue.length;
  }

  /** Tasks running in a process (metrics). */
  get busy(): number {
    return this.slots.filter((s) => s.state === 'busy').length;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    hashMetrics.unwatchPool(this);
    clearInterval(this.rssWatch);
    const closing = new Error('the hash pool is closed');
    for (const p of this.queue.splice(0)) p.reject(closing);
    await Promise.all(
      this.slots.map((s) => {
        const r = s.running;
        s.running = undefined;
        if (r) {
          clearTimeout(r.timer);
          r.reject(closing);
        }
        return this.kill(s.child);
      }),
    );
  }

  private run(task: HashTask): Promise<TaskOutcome<TaskValue>> {
    if (this.closed) return Promise.reject(new Error('the hash pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.state !== 'idle') continue;
      const next = this.queue.shift()!;
      const id = this.nextId++;
      const timer = setTimeout(() => this.stop(slot, id, 'timeout'), this.timeoutMs);
      slot.running = { ...next, id, timer };
      slot.state = 'busy';
      const request: TaskRequest = { id, task: next.task };
      slot.child.send(request, (err) => {
        // The process died between the check and the send; its exit handler settles the task.
        if (err && slot.running?.id === id) this.stop(slot, id, 'crashed');
      });
      this.watchRss();
    }
  }

  /** Starts a process in a slot (a new slot, or one whose process was stopped or died). */
  private start(slot: Slot): void {
    // execArgv is not inherited: the parent may run under a test runner's or tsx's loader flags.
    const child = fork(ENTRY, [], {
      execArgv: [],
      env: childEnv(),
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    track(child);
    let markReady!: () => void;
    slot.child = child;
    slot.state = 'starting';
    slot.running = undefined;
    slot.ready = new Promise((r) => (markReady = r));
    const startedAt = Date.now();
    child.on('message', (msg: ProcessMessage) => {
      if (slot.child !== child) return;
      if (msg.type === 'ready') {
        slot.state = 'idle';
        markReady();
        this.dispatch();
        return;
      }
      const r = slot.running;
      if (!r || r.id !== msg.id) return;
      clearTimeout(r.timer);
      slot.running = undefined;
      slot.state = 'idle';
      if (msg.type === 'done') r.resolve(msg.outcome);
      else r.reject(new Error(`hash task failed: ${msg.message}`));
      this.afterTask(slot, child);
    });
    child.on('error', () => undefined); // 'exit' follows and does the work
    child.once('exit', (code, signal) => {
      markReady();
      if (slot.child !== child || this.closed) return;
      const r = slot.running;
      if (r) {
        slot.running = undefined;
        clearTimeout(r.timer);
        hashMetrics.stopped.inc({ reason: 'crashed' });
        r.reject(hashingStopped('crashed', 0));
      }
      if (slot.state === 'starting') {
        // A process that cannot start (a broken install) must not leave callers waiting forever.
        const cannotStart = new Error(`a hash process exited while starting (${signal ?? `code ${code}`})`);
        for (const p of this.queue.splice(0)) p.reject(cannotStart);
      }
      const early = slot.state === 'starting' && Date.now() - startedAt < RESPAWN_BACKOFF_MS;
      slot.state = 'starting';
      const restart = () => {
        if (this.closed || slot.child !== child) return;
        this.start(slot);
      };
      if (early) setTimeout(restart, RESPAWN_BACKOFF_MS).unref();
      else restart();
    });
  }

  /** A process that kept much memory after its task is recycled rather than reused. */
  private afterTask(slot: Slot, child: ChildProcess): void {
    const rss = child.pid ? rssOf(child.pid) : undefined;
    if (rss !== undefined && rss > this.maxRssBytes / 2) this.replace(slot);
    this.dispatch();
  }

  /** Kills the process of a running task, fails the task with a typed error, replaces the process at once. */
  private stop(slot: Slot, id: number, reason: StoppedReason): void {
    const r = slot.running;
    if (!r || r.id !== id) return;
    slot.running = undefined;
    clearTimeout(r.timer);
    hashMetrics.stopped.inc({ reason });
    r.reject(hashingStopped(reason, reason === 'timeout' ? this.timeoutMs : this.opts.maxRssMb));
    this.replace(slot);
  }

  private replace(slot: Slot): void {
    const old = slot.child;
    this.start(slot);
    void this.kill(old);
  }

  private kill(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /** One timer for the pool, running while any task runs. */
  private watchRss(): void {
    if (this.rssWatch) return;
    this.rssWatch = setInterval(() => {
      const busy = this.slots.filter((s) => s.state === 'busy' && s.running);
      if (busy.length === 0) {
        clearInterval(this.rssWatch);
        this.rssWatch = undefined;
        return;
      }
      for (const slot of busy) {
        const { child, running } = slot;
        if (!child.pid || !running) continue;
        const rss = rssOf(child.pid);
        if (rss !== undefined && rss > this.maxRssBytes) this.stop(slot, running.id, 'memory');
      }
    }, RSS_POLL_MS);
    this.rssWatch.unref();
  }
}

/**
 * Same interface, same code, on the calling thread: for tests and benchmarks only. It finds
 * signal types in `types` (a test may bring its own; the registry's by default).
 */
export class InProcessHasher implements HashExecutor {
  readonly concurrency = 1;
  private readonly lookup: ((name: string) => SignalType | undefined) | undefined;

  constructor(types?: readonly SignalType[]) {
    this.lookup = types && ((name) => types.find((t) => t.name === name));
  }

  async photo(input: ImageInput, job: PhotoJob): Promise<PhotoValues> {
    return unwrap<PhotoValues>(await runTask({ kind: 'photo', input, job }, this.lookup));
  }

  async frame(rgb: Uint8Array, width: number, height: number, types: readonly string[]): Promise<Record<string, FrameValue>> {
    return unwrap<Record<string, FrameValue>>(await runTask({ kind: 'frame', rgb, width, height, types }, this.lookup));
  }

  async hashPhoto(input: ImageInput, options: PhotoHashOptions): Promise<PhotoHash> {
    return photoHashOf(await this.photo(input, pdqJob(options)));
  }

  async thumbnail(input: Uint8Array, options: ThumbnailOptions): Promise<Uint8Array> {
    return unwrap<Uint8Array>(await runTask({ kind: 'thumbnail', input, options }, this.lookup));
  }

  async close(): Promise<void> {}
}
