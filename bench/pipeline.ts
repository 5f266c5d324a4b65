/**
 * Pipeline benchmark: `npm run bench:pipeline [-- options]`, against the local broker,
 * registry and Postgres (`hma services up`). The hasher and matcher run as real
 * `hma hasher` / `hma matcher` child processes; this script submits, reads results
 * (read committed) and samples the children's CPU and memory.
 *
 *   1. Index: N random PDQ signals (default 10M) in one bank on the `signals` topic, plus
 *      the hashes of a few bench images so that some submissions match. The matcher
 *      replays them before it consumes; its load time is reported.
 *   2. Hash-only baseline: the same images through MediaHasher on a HASH_WORKERS pool in
 *      this process (what the hash step alone reaches on these cores).
 *   3. Sustained end-to-end throughput (submit → result): a backlog of --count 512×512
 *      JPEG submissions by URL (served from memory by a local HTTP server), then the same
 *      with inline ~64 KB JPEGs: count / (last result − first submission).
 *   4. Latency at half that throughput: submissions at a steady rate for --latency-seconds,
 *      p50/p99 of result time − submission time.
 *   5. Backlogs: --backlog hashed events (default 1M) drained by the matcher, RSS sampled;
 *      --backlog URL submissions consumed by the hasher for --hasher-backlog-seconds, RSS
 *      sampled (draining a million image fetches+hashes would take hours on 2 cores).
 *
 * Options: --index N, --count N, --latency-seconds S, --latency-rate R (default half the throughput), --backlog N, --hasher-backlog-seconds S,
 * --baseline-seconds S, --reuse PREFIX (reuse topics, and the index, of an earlier --keep run),
 * --keep (leave topics), --skip-backlog, --skip-matcher-backlog, --broker-pid PID and --registry-pid PID
 * (when the services were started from another checkout, e.g. a worktree using main's),
 * --replay-only (produce the index if needed, time the matcher's replay of it — wall, CPU, RSS —
 * then check that a change made after the replay is applied, and stop; e.g.
 * `--index 100000000 --replay-only --keep`, then `--reuse <prefix> --replay-only` for more runs),
 * --produce-ids FROM-TO (with --reuse: produce only these signal ids and stop, so that two
 * processes share the production of a 100M index; then `--reuse <prefix> --replay-only`),
 * --profile-matcher DIR (the matcher child runs with `--cpu-prof --cpu-prof-dir DIR`).
 * Everything shares this machine's cores (broker and registry included): figures are
 * reported with the CPU each process used, and runs while others work are noisy.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs, { type Producer } from 'kafkajs';
import avro from 'avsc';
import sharp from 'sharp';
import { loadConfig, type Config } from '../src/config/config.js';
import { MediaHasher } from '../src/hashing/index.js';
import { TopicCodec } from '../src/kafka/codec.js';
import { valueSchema } from '../src/kafka/schemas.js';
import { createKafka, withAdmin } from '../src/kafka/client.js';
import { createRegistry, registerSchemas } from '../src/kafka/registry.js';
import { applyTopics } from '../src/kafka/topology.js';
import { mediaInline, mediaUrl, type ContentHashedValue, type ContentSubmittedValue, type SignalChangeValue } from '../src/kafka/values.js';
import { groupLag } from '../src/pipeline/stage/lag.js';
import { chunkBySize } from '../src/pipeline/stage/send-chunks.js';
import { stageGroupId } from '../src/pipeline/stage/stage.js';
import { topicName, type TopicName } from '../topology/topics.js';
import { configureProcess } from '../src/runtime/configure.js';
import { withGlibcTunables } from '../src/config/glibc-tunables.js';

const args = process.argv.slice(2);
const num = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const str = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const INDEX = num('index', 10_000_000);
const COUNT = num('count', 2000);
const LATENCY_S = num('latency-seconds', 30);
/** Submissions per second in the latency phases; default half the measured throughput (0). A fixed rate compares settings at the same load. */
const LATENCY_RATE = num('latency-rate', 0);
const BACKLOG = num('backlog', 1_000_000);
const HASHER_BACKLOG_S = num('hasher-backlog-seconds', 90);
const BASELINE_S = num('baseline-seconds', 15);
const REUSE = str('reuse');
const KEEP = args.includes('--keep') || REUSE !== undefined;
const SKIP_BACKLOG = args.includes('--skip-backlog');
const SKIP_MATCHER_BACKLOG = args.includes('--skip-matcher-backlog');
const BROKER_PID = str('broker-pid');
const REGISTRY_PID = str('registry-pid');
/** Only produce the index (unless reused) and time the matcher's replay of it: the 100M replay figure. */
const REPLAY_ONLY = args.includes('--replay-only');
/** `FROM-TO`: produce only the random signals with these ids (inclusive) and stop; several processes can share a large index's production. */
const PRODUCE_IDS = str('produce-ids');
/** A directory: the matcher runs with --cpu-prof there (its profile is written when it stops). */
const PROFILE_MATCHER = str('profile-matcher');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const testdata = path.resolve(root, '../shared/testdata/pdq/pdq-data');
const SOURCES = [
  'bridge-mods/aaa-orig.jpg',
  'misc-images/c.png',
  'reg-test-input/pen-and-coaster.png',
  ...['q0003.jpg', 'q0004.jpg', 'q0122.jpg'].map((f) => `reg-test-input/labelme-subset/${f}`),
  'reg-test-input/exif-rotn/exif-rotn-1.jpg',
];
const BANK_ID = 1;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (...xs: unknown[]) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...xs);
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

// ---------------------------------------------------------------- images

/** 512×512 JPEGs (quality 90) cut from the test photos at several offsets. */
async function urlImages(): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const s of SOURCES) {
    for (const position of ['centre', 'north', 'southwest'] as const) {
      out.push(await sharp(path.join(testdata, s)).resize(512, 512, { fit: 'cover', position }).jpeg({ quality: 90 }).toBuffer());
    }
  }
  return out;
}

/** JPEGs of about 64 KB: 512×512 crops at the quality that brings each near 64 KB. */
async function inlineImages(): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const s of SOURCES) {
    for (const position of ['east', 'south'] as const) {
      const base = sharp(path.join(testdata, s)).resize(512, 512, { fit: 'cover', position });
      let lo = 5;
      let hi = 100;
      let best = await base.clone().jpeg({ quality: 50 }).toBuffer();
      while (lo <= hi) {
        const q = (lo + hi) >> 1;
        const b = await base.clone().jpeg({ quality: q }).toBuffer();
        if (Math.abs(b.length - 65536) < Math.abs(best.length - 65536)) best = b;
        if (b.length < 65536) lo = q + 1;
        else hi = q - 1;
      }
      out.push(best);
    }
  }
  return out;
}

// ---------------------------------------------------------------- processes

interface Child {
  readonly name: string;
  readonly proc: ChildProcess;
  readonly port: number;
}

function startChild(name: 'hasher' | 'matcher', env: NodeJS.ProcessEnv, port: number): Child {
  const prof = name === 'matcher' && PROFILE_MATCHER ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_MATCHER}`] : [];
  const proc = spawn(process.execPath, [...prof, path.join(root, 'bin/hma.js'), name], {
    cwd: root,
    env: { ...env, METRICS_PORT: String(port), HMA_INSTANCE_ID: `bench-${name}` },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { name, proc, port };
}

async function waitReady(c: Child, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (c.proc.exitCode !== null) throw new Error(`${c.name} exited with ${c.proc.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${c.port}/status`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > end) throw new Error(`${c.name} not ready after ${timeoutMs} ms`);
    await sleep(250);
  }
}

async function stopChild(c: Child): Promise<void> {
  if (c.proc.exitCode !== null || c.proc.signalCode !== null) return;
  const exited = new Promise((r) => c.proc.once('exit', r));
  c.proc.kill('SIGTERM');
  const t = setTimeout(() => c.proc.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(t);
}

const HZ = 100; // USER_HZ on Linux
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / HZ;
  } catch {
    return 0;
  }
}
/**
 * CPU seconds of a process and its live descendants (the hash pool's worker processes: since
 * hashing moved to child processes, a process's own CPU no longer includes its hashing).
 */
function treeCpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited meanwhile
    }
  }
  let total = cpuSeconds(pid);
  for (const [p] of parent) {
    for (let q = parent.get(p); q !== undefined && q > 1; q = parent.get(q)) {
      if (q === pid) {
        total += cpuSeconds(p);
        break;
      }
    }
  }
  return total;
}
function rssBytes(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
/** The pid in a `hma services` pid file (JSON with a pid field). */
function pidFile(file: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { pid?: number }).pid;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- kafka helpers

class Bench {
  readonly kafka;
  readonly codec: TopicCodec;
  private producer: Producer | undefined;

  constructor(readonly config: Config) {
    this.kafka = createKafka(config, 'bench');
    this.codec = new TopicCodec(createRegistry(config), config.TOPIC_PREFIX);
  }

  async connect(): Promise<Producer> {
    if (!this.producer) {
      this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 5, createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
      await this.producer.connect();
    }
    return this.producer;
  }

  async send(topic: TopicName, messages: ReadonlyArray<{ key: string; value: Buffer }>): Promise<void> {
    const p = await this.connect();
    const name = topicName(this.config.TOPIC_PREFIX, topic);
    // A few requests in flight at once; each under the broker's batch limit.
    const chunks = chunkBySize(messages);
    for (let i = 0; i < chunks.length; i += 4) {
      await Promise.all(chunks.slice(i, i + 4).map((messages) => p.send({ topic: name, acks: -1, messages })));
    }
  }

  async endOffset(topic: TopicName): Promise<number> {
    const ends = await withAdmin(this.kafka, (a) => a.fetchTopicOffsets(topicName(this.config.TOPIC_PREFIX, topic)));
    return ends.reduce((n, e) => n + Number(e.high), 0);
  }

  async close(): Promise<void> {
    await this.producer?.disconnect();
  }
}

/** Records when each submission's result arrives (read committed), from the topic's end at start. */
class ResultClock {
  readonly arrivals = new Map<string, number>();
  /** Bank content ids each `bench-probe-…` submission matched (the replay phase's change → matchable probes). */
  readonly matched = new Map<string, number[]>();
  private consumer: ReturnType<Bench['kafka']['consumer']> | undefined;

  constructor(private readonly b: Bench) {}

  async start(): Promise<void> {
    const topic = topicName(this.b.config.TOPIC_PREFIX, 'match.results');
    const groupId = `${this.b.config.TOPIC_PREFIX}bench.results.${Date.now()}`;
    await withAdmin(this.b.kafka, async (admin) => {
      const ends = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({ groupId, topic, partitions: ends.map((e) => ({ partition: e.partition, offset: e.high })) });
    });
    this.consumer = this.b.kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 50 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic });
    // No offset commits: the group starts from offsets set above, and commits after every batch
    // would be broker requests of this script's, counted in the broker's CPU per item.
    await this.consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const now = Date.now();
        for (const m of batch.messages) {
          if (!m.value) continue;
          const r = await this.b.codec.decode('match.results', m.value);
          if (r.submission_id.startsWith('bench-')) this.arrivals.set(r.submission_id, now);
          if (r.submission_id.startsWith('bench-probe-')) this.matched.set(r.submission_id, r.matches.map((m) => m.bank_content_id));
        }
      },
    });
  }

  async waitFor(ids: readonly string[], timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (ids.some((id) => !this.arrivals.has(id))) {
      if (Date.now() > end) throw new Error(`${ids.filter((id) => !this.arrivals.has(id)).length} results missing after ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

// ---------------------------------------------------------------- phases

/** xorshift128+ over BigInt-free 32-bit lanes: fast random hex for 10M signals. */
function randomHex(state: Uint32Array): string {
  let s = '';
  for (let w = 0; w < 8; w++) {
    let t = state[0] ^ (state[0] << 11);
    state[0] = state[1];
    state[1] = state[2];
    state[2] = state[3];
    state[3] = (state[3] ^ (state[3] >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
    t = state[3];
    s += t.toString(16).padStart(8, '0');
  }
  return s;
}

async function loadIndex(b: Bench, planted: ReadonlyArray<{ id: number; pdq: string }>): Promise<void> {
  const have = await b.endOffset('signals');
  const now = Date.now();
  await b.send('banks', [{
    key: String(BANK_ID),
    value: await b.codec.encode('banks', { bank_id: BANK_ID, name: 'BENCH_BANK', matching_enabled_ratio: 1, labels: ['bench'], change_seq: 1, changed_at: now, match_thresholds: {}, allow_list: false, allow_list_scope: null }),
  }]);
  const plantedMsgs = await Promise.all(planted.map(async (p) => ({
    key: `pdq:${p.id}`,
    value: await b.codec.encode('signals', { signal_type: 'pdq', content_id: p.id, bank_id: BANK_ID, value: p.pdq, disable_until_ts: null, change_seq: 2, changed_at: now }),
  })));
  await b.send('signals', plantedMsgs);
  if (have >= INDEX && !PRODUCE_IDS) {
    log(`index: ${have} signal events already on the topic, reusing them`);
    return;
  }
  const [from, to] = PRODUCE_IDS ? PRODUCE_IDS.split('-').map(Number) : [have + 1, INDEX];
  log(`index: producing ${to - from + 1} random PDQ signals (ids ${from}–${to})`);
  const t0 = performance.now();
  // Seeded by the first id, so a range gives the same hashes whichever process produces it.
  const state = new Uint32Array([0x12345678 ^ from, 0x9abcdef0, 0x0fedcba9, 0x87654321]);
  // Encoded directly with the schema (values are valid by construction): codec.encode's
  // validation took most of this loop's time at 100M signals.
  const type = avro.Type.forSchema(valueSchema('signals').json as unknown as avro.Schema);
  const header = Buffer.alloc(5);
  header.writeUInt32BE(await b.codec.schemaId('signals'), 1);
  const BATCH = 20_000;
  for (let start = from; start <= to; start += BATCH) {
    const msgs: Array<{ key: string; value: Buffer }> = [];
    for (let id = start; id <= Math.min(to, start + BATCH - 1); id++) {
      const v: SignalChangeValue = { signal_type: 'pdq', content_id: id, bank_id: BANK_ID, value: randomHex(state), disable_until_ts: null, change_seq: 10 + id, changed_at: now };
      msgs.push({ key: `pdq:${id}`, value: Buffer.concat([header, type.toBuffer(v)]) });
    }
    await b.send('signals', msgs);
    if (((start - from) / BATCH) % 50 === 0) log(`  ${start - from + msgs.length} / ${to - from + 1}`);
  }
  log(`index: produced in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

interface Rate {
  /** Items per wall-clock second. */
  readonly perSecond: number;
  /** CPU seconds per item, by process (hasher, matcher, broker, …; whole process, all threads). */
  readonly cpuPerItem: Readonly<Record<string, number>>;
  readonly eventsPerTransaction?: Readonly<Record<string, number>>;
}

async function hashBaseline(config: Config, images: readonly Buffer[], seconds: number): Promise<Rate> {
  const hasher = MediaHasher.fromConfig(config);
  try {
    // Warm every worker.
    await Promise.all(images.slice(0, config.HASH_WORKERS * 2).map((bytes) => hasher.hashMedia({ source: { bytes }, contentType: 'photo' })));
    let done = 0;
    let next = 0;
    const end = performance.now() + seconds * 1000;
    const t0 = performance.now();
    const c0 = treeCpuSeconds(process.pid);
    await Promise.all(
      Array.from({ length: config.HASH_WORKERS * 2 }, async () => {
        while (performance.now() < end) {
          await hasher.hashMedia({ source: { bytes: images[next++ % images.length] }, contentType: 'photo' });
          done++;
        }
      }),
    );
    // This process and its hash workers: the whole hash step.
    const c = treeCpuSeconds(process.pid) - c0;
    return { perSecond: done / ((performance.now() - t0) / 1000), cpuPerItem: { hash: c / done } };
  } finally {
    await hasher.close();
  }
}

interface CpuWatch {
  readonly pids: Readonly<Record<string, number | undefined>>;
}
function cpuSnapshot(w: CpuWatch): Record<string, number> {
  const out: Record<string, number> = {};
  // The hasher with its hash workers; the bench process without its children (it has none then).
  for (const [name, pid] of Object.entries(w.pids)) out[name] = pid === process.pid ? process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6 : treeCpuSeconds(pid);
  return out;
}
function cpuPerItem(a: Record<string, number>, b: Record<string, number>, items: number): Record<string, number> {
  return Object.fromEntries(Object.keys(a).map((k) => [k, (b[k] - a[k]) / items]));
}
const ms = (seconds: number) => `${(seconds * 1000).toFixed(1)} ms`;
const cpuText = (per: Record<string, number>) => Object.entries(per).map(([k, v]) => `${k} ${ms(v)}`).join(', ');

type MediaOf = (i: number) => ContentSubmittedValue['media'];

function submission(id: string, media: ContentSubmittedValue['media']): ContentSubmittedValue {
  return { submission_id: id, content_id: id, content_type: 'photo', media, metadata: null, trace_id: null, submitted_at: Date.now() };
}

/** A child's /metrics, as text. */
async function scrape(c: Child): Promise<string> {
  return (await fetch(`http://127.0.0.1:${c.port}/metrics`)).text();
}

/** Every sample of a metric in scraped text, as [labels, value]. */
function metricSamples(text: string, name: string): Array<[string, number]> {
  return [...text.matchAll(new RegExp(`^${name}(?:\\{([^}]*)\\})? (\\S+)$`, 'gm'))].map((m) => [m[1] ?? '', Number(m[2])]);
}

/** Sum of a metric's samples whose labels include `having`. */
function metricSum(text: string, name: string, having = ''): number {
  return metricSamples(text, name).reduce((n, [labels, v]) => (labels.includes(having) ? n + v : n), 0);
}

/** Events consumed per committed transaction, by stage: what a transaction's broker cost is shared by. */
async function perTransaction(stages: readonly Child[], run: () => Promise<void>): Promise<Record<string, number>> {
  const snap = () =>
    Promise.all(
      stages.map(async (c) => {
        const text = await scrape(c);
        return [metricSum(text, 'hma_pipeline_events_in_total'), metricSum(text, 'hma_pipeline_transactions_total', 'outcome="commit"')];
      }),
    );
  const before = await snap();
  await run();
  const after = await snap();
  return Object.fromEntries(stages.map((c, k) => [c.name, (after[k][0] - before[k][0]) / Math.max(1, after[k][1] - before[k][1])]));
}

async function throughput(b: Bench, clock: ResultClock, label: string, count: number, mediaOf: MediaOf, cpu: CpuWatch, stages: readonly Child[]): Promise<Rate> {
  let rate: Rate | undefined;
  const eventsPerTxn = await perTransaction(stages, async () => {
    rate = await throughputRun(b, clock, label, count, mediaOf, cpu);
  });
  log(`${label}: events per transaction ${Object.entries(eventsPerTxn).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`);
  return { ...rate!, eventsPerTransaction: eventsPerTxn };
}

async function throughputRun(b: Bench, clock: ResultClock, label: string, count: number, mediaOf: MediaOf, cpu: CpuWatch): Promise<Rate> {
  const run = `${label}-${Date.now()}`;
  const ids: string[] = [];
  const c0 = cpuSnapshot(cpu);
  const t0 = Date.now();
  for (let i = 0; i < count; i += 200) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(200, count - i) }, async (_, k) => {
        const id = `bench-${run}-${i + k}`;
        ids.push(id);
        return { key: id, value: await b.codec.encode('content.submitted', submission(id, mediaOf(i + k))) };
      }),
    );
    await b.send('content.submitted', batch);
  }
  const submittedS = (Date.now() - t0) / 1000;
  await clock.waitFor(ids, 30 * 60_000);
  const elapsed = (Date.now() - t0) / 1000;
  const c1 = cpuSnapshot(cpu);
  // Over the whole run, start-up included: results come in bursts (one per transaction), so a
  // window inside the run can overstate the rate.
  const sustained = count / elapsed;
  const per = cpuPerItem(c0, c1, count);
  log(`${label}: ${count} submitted in ${submittedS.toFixed(1)} s, all results after ${elapsed.toFixed(1)} s = ${sustained.toFixed(1)}/s; CPU per item: ${cpuText(per)}`);
  return { perSecond: sustained, cpuPerItem: per };
}

/** Cumulative bucket counts of hma_pipeline_end_to_end_latency_seconds scraped from a child's /metrics. */
async function latencyBuckets(c: Child): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const [labels, count] of metricSamples(await scrape(c), 'hma_pipeline_end_to_end_latency_seconds_bucket')) {
    const le = /le="([^"]+)"/.exec(labels)?.[1];
    if (le !== undefined) out.set(le === '+Inf' ? Infinity : Number(le), count);
  }
  return out;
}

/** Quantile of the events between two scrapes, as the upper bound of the bucket it falls in. */
function bucketQuantile(before: Map<number, number>, after: Map<number, number>, q: number): string {
  const bounds = [...after.keys()].sort((x, y) => x - y);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  if (total === 0) return 'n/a';
  for (const le of bounds) {
    if ((after.get(le) ?? 0) - (before.get(le) ?? 0) >= q * total) return le === Infinity ? '> 60 s' : `≤ ${le * 1000} ms`;
  }
  return 'n/a';
}

async function latency(b: Bench, clock: ResultClock, label: string, rate: number, seconds: number, mediaOf: MediaOf, stages: readonly Child[]): Promise<{ p50: number; p99: number; n: number; stages: Record<string, string>; submitAck: { p50: number; p99: number } }> {
  const run = `${label}-lat-${Date.now()}`;
  const before = await Promise.all(stages.map((c) => latencyBuckets(c)));
  const sent: Array<{ id: string; at: number; acked: number }> = [];
  const t0 = Date.now();
  let i = 0;
  while (Date.now() - t0 < seconds * 1000) {
    const due = Math.floor(((Date.now() - t0) / 1000) * rate);
    const batch: Array<{ key: string; value: Buffer }> = [];
    const first = sent.length;
    for (; i < due; i++) {
      const id = `bench-${run}-${i}`;
      const v = submission(id, mediaOf(i));
      sent.push({ id, at: v.submitted_at, acked: 0 });
      batch.push({ key: id, value: await b.codec.encode('content.submitted', v) });
    }
    if (batch.length > 0) await b.send('content.submitted', batch);
    const acked = Date.now();
    for (let k = first; k < sent.length; k++) sent[k].acked = acked;
    await sleep(5);
  }
  await clock.waitFor(sent.map((s) => s.id), 5 * 60_000);
  // The first 2 s warm up (consumers catching the first events); the rest is steady state.
  const steady = sent.filter((s) => s.at - t0 >= 2000);
  const lat = steady.map((s) => (clock.arrivals.get(s.id) ?? 0) - s.at);
  // Where the time goes: each stage's histogram of submission → commit of its output.
  const after = await Promise.all(stages.map((c) => latencyBuckets(c)));
  const perStage = Object.fromEntries(stages.map((c, k) => [c.name, `p50 ${bucketQuantile(before[k], after[k], 0.5)}, p99 ${bucketQuantile(before[k], after[k], 0.99)}`]));
  // Time this script took to put the submission on the topic (its own share of the latency).
  const send = steady.map((s) => s.acked - s.at);
  const r = { p50: pct(lat, 50), p99: pct(lat, 99), n: lat.length, stages: perStage, submitAck: { p50: pct(send, 50), p99: pct(send, 99) } };
  log(`${label} at ${rate.toFixed(1)}/s for ${seconds} s: p50 ${r.p50} ms, p99 ${r.p99} ms (${r.n} events); submit acked p50 ${r.submitAck.p50} ms, p99 ${r.submitAck.p99} ms; committed by ${Object.entries(perStage).map(([k, v]) => `${k} ${v}`).join('; ')}`);
  return r;
}

async function waitDrained(b: Bench, group: string, topic: TopicName, total: number, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  const name = topicName(b.config.TOPIC_PREFIX, topic);
  return withAdmin(b.kafka, async (admin) => {
    for (;;) {
      const lag = (await groupLag(admin, group, name)).reduce((n, p) => n + p.lag, 0);
      if (lag === 0) return (Date.now() - t0) / 1000;
      if (Date.now() - t0 > timeoutMs) throw new Error(`${group}: ${lag} of ${total} left after ${timeoutMs} ms`);
      await sleep(1000);
    }
  });
}

function rssReport(samples: number[]): string {
  if (samples.length === 0) return 'no samples';
  const q = Math.max(1, Math.floor(samples.length / 4));
  const first = samples.slice(0, q);
  const last = samples.slice(-q);
  const avg = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
  // One median per minute (samples are taken every second) shows a trend if there is one.
  const minutes: string[] = [];
  for (let i = 0; i < samples.length; i += 60) minutes.push(mb(pct(samples.slice(i, i + 60), 50)).replace(' MB', ''));
  return `RSS min ${mb(Math.min(...samples))}, max ${mb(Math.max(...samples))}, first-quarter mean ${mb(avg(first))}, last-quarter mean ${mb(avg(last))} (${samples.length} samples); per-minute medians (MB) ${minutes.join(' ')}`;
}

async function matcherBacklog(b: Bench, matcher: Child, prefix: string, report: Record<string, unknown>): Promise<void> {
  log(`backlog: producing ${BACKLOG} content.hashed events`);
  // The matcher consumes while they are produced: drain time and RSS samples start with the first one.
  const produceStart = Date.now();
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(rssBytes(matcher.proc.pid)), 1000);
  const state = new Uint32Array([1, 2, 3, 4]);
  for (let i = 0; i < BACKLOG; i += 20_000) {
    const msgs: Array<{ key: string; value: Buffer }> = [];
    for (let k = i; k < Math.min(BACKLOG, i + 20_000); k++) {
      const id = `backlog-${k}`;
      const v: ContentHashedValue = {
        submission_id: id, content_id: id, content_type: 'photo', signals: [{ signal_type: 'pdq', value: randomHex(state), quality: 100 }],
        hasher_version: 'bench', trace_id: null, metadata: null, submitted_at: Date.now(), timings: { fetch_ms: 0, hash_ms: 0, hashed_at: Date.now() },
      };
      msgs.push({ key: id, value: await b.codec.encode('content.hashed', v) });
    }
    await b.send('content.hashed', msgs);
  }
  const produceS = (Date.now() - produceStart) / 1000;
  const drainS = produceS + (await waitDrained(b, stageGroupId(prefix, 'matcher'), 'content.hashed', BACKLOG, 60 * 60_000));
  clearInterval(sampler);
  log(`matcher drained ${BACKLOG} in ${drainS.toFixed(0)} s from the first event produced (production took ${produceS.toFixed(0)} s) = ${(BACKLOG / drainS).toFixed(0)}/s at least; ${rssReport(samples)}`);
  report.matcherBacklog = { events: BACKLOG, seconds: drainS, perSecond: BACKLOG / drainS, rss: rssReport(samples) };
}

// ---------------------------------------------------------------- main

/**
 * The replay a matcher does on every start, timed: wall clock from spawn to ready, the
 * process's CPU and peak RSS on the way. Then change → matchable on the replayed index: a new
 * signal is produced and a content.hashed event with its hash is submitted again and again
 * until a result matches it; the time from the signal's send to that result, per probe.
 */
async function replayPhase(b: Bench, env: NodeJS.ProcessEnv, total: number, report: Record<string, unknown>): Promise<void> {
  const t0 = Date.now();
  const matcher = startChild('matcher', withGlibcTunables(env), 9481);
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(matcher.proc.pid))), 500);
  const clock = new ResultClock(b);
  try {
    await waitReady(matcher, 60 * 60_000);
    const wallS = (Date.now() - t0) / 1000;
    const cpuS = cpuSeconds(matcher.proc.pid);
    const rss = rssBytes(matcher.proc.pid);
    peak = Math.max(peak, rss);
    log(`replay: ${total} signals in ${wallS.toFixed(1)} s wall (${(total / wallS).toFixed(0)}/s), matcher CPU ${cpuS.toFixed(1)} s, RSS ${mb(rss)} (peak ${mb(peak)})`);
    report.replay = { signals: total, wallSeconds: wallS, cpuSeconds: cpuS, perSecond: total / wallS, rssBytes: rss, peakRssBytes: peak };

    await clock.start();
    const state = new Uint32Array([0xdeadbeef, 7, 77, 777]);
    const delays: number[] = [];
    const rounds: number[] = [];
    for (let k = 0; k < 20; k++) {
      const id = total + 1_000 + k;
      const value = randomHex(state);
      const sentAt = Date.now();
      await b.send('signals', [{ key: `pdq:${id}`, value: await b.codec.encode('signals', { signal_type: 'pdq', content_id: id, bank_id: BANK_ID, value, disable_until_ts: null, change_seq: 2_000_000_000 + k, changed_at: sentAt }) }]);
      for (let j = 0; ; j++) {
        if (Date.now() - sentAt > 60_000) throw new Error(`probe ${k}: not matchable 60 s after the change`);
        const sub = `bench-probe-${t0}-${k}-${j}`;
        const v: ContentHashedValue = {
          submission_id: sub, content_id: sub, content_type: 'photo', signals: [{ signal_type: 'pdq', value, quality: 100 }],
          hasher_version: 'bench', trace_id: null, metadata: null, submitted_at: Date.now(), timings: { fetch_ms: 0, hash_ms: 0, hashed_at: Date.now() },
        };
        await b.send('content.hashed', [{ key: sub, value: await b.codec.encode('content.hashed', v) }]);
        await clock.waitFor([sub], 60_000);
        if (clock.matched.get(sub)?.includes(id)) {
          delays.push((clock.arrivals.get(sub) ?? Date.now()) - sentAt);
          rounds.push(j + 1);
          break;
        }
      }
      await sleep(200);
    }
    const sorted = [...delays].sort((a, z) => a - z);
    const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
    log(`change → matchable (signal sent → a result with the match), ${delays.length} probes: p50 ${q(50)} ms, max ${sorted.at(-1)} ms; submissions per probe: ${rounds.join(' ')}`);
    report.changeToMatchable = { probes: delays.length, p50Ms: q(50), maxMs: sorted.at(-1), submissionsPerProbe: rounds };
  } finally {
    clearInterval(sampler);
    await clock.stop();
    await stopChild(matcher);
  }
}

async function main(): Promise<void> {
  const prefix = REUSE ?? `bench-${Date.now().toString(36)}.`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TOPIC_PREFIX: prefix,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    PRODUCTION: 'false',
    URL_ALLOW_LOOPBACK: 'true',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
  };
  const config = loadConfig(env);
  configureProcess(config);
  log(`topics under '${prefix}', ${config.TOPIC_PARTITIONS} partitions, HASH_WORKERS=${config.HASH_WORKERS}, ${os.availableParallelism()} cores`);
  await withAdmin(createKafka(config, 'bench'), (admin) => applyTopics(admin, config, { fix: false }));
  await registerSchemas(config);
  const b = new Bench(config);

  const byUrl = await urlImages();
  const inline = await inlineImages();
  log(`images: ${byUrl.length} × 512×512 JPEG (mean ${(byUrl.reduce((n, x) => n + x.length, 0) / byUrl.length / 1024).toFixed(0)} KB), ` +
    `${inline.length} inline JPEGs (mean ${(inline.reduce((n, x) => n + x.length, 0) / inline.length / 1024).toFixed(1)} KB)`);

  // Plant the first image of each set in the bank (ids above the random ones).
  const planter = MediaHasher.fromConfig(config, { processes: 1 });
  const planted: Array<{ id: number; pdq: string }> = [];
  for (const [k, img] of [byUrl[0], inline[0]].entries()) {
    const r = await planter.hashMedia({ source: { bytes: img }, contentType: 'photo' });
    planted.push({ id: INDEX + 1 + k, pdq: r.signals.pdq!.hash });
  }
  await planter.close();
  await loadIndex(b, planted);
  if (PRODUCE_IDS) {
    await b.close();
    return;
  }
  if (REPLAY_ONLY) {
    const report: Record<string, unknown> = { index: INDEX };
    try {
      await replayPhase(b, env, await b.endOffset('signals'), report);
    } finally {
      await b.close();
      if (!KEEP) await deleteTopics(b, prefix);
    }
    console.log(JSON.stringify(report, null, 2));
    return;
  }

  log(`baseline: hashing the same images on a ${config.HASH_WORKERS}-process pool for ${BASELINE_S} s each`);
  const baseUrl = await hashBaseline(config, byUrl, BASELINE_S);
  const baseInline = await hashBaseline(config, inline, BASELINE_S);
  log(`baseline: 512×512 ${baseUrl.perSecond.toFixed(1)}/s (CPU ${ms(baseUrl.cpuPerItem.hash)} per image), inline 64 KB ${baseInline.perSecond.toFixed(1)}/s (CPU ${ms(baseInline.cpuPerItem.hash)})`);

  const server = http.createServer((req, res) => {
    const i = Number((req.url ?? '').slice(1).split('.')[0]);
    const body = byUrl[i];
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': body.length }).end(body);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const urlMedia: MediaOf = (i) => mediaUrl(`${base}/${i % byUrl.length}.jpg`);
  const inlineMedia: MediaOf = (i) => mediaInline(inline[i % inline.length], 'image/jpeg');

  const t0 = Date.now();
  const matcher = startChild('matcher', env, 9481);
  await waitReady(matcher, 30 * 60_000);
  const loadS = (Date.now() - t0) / 1000;
  log(`matcher ready (index of ${INDEX + planted.length} replayed) after ${loadS.toFixed(1)} s; RSS ${mb(rssBytes(matcher.proc.pid))}`);
  let hasher = startChild('hasher', env, 9482);
  await waitReady(hasher, 120_000);

  const clock = new ResultClock(b);
  await clock.start();
  const cpu: CpuWatch = {
    pids: {
      hasher: hasher.proc.pid,
      matcher: matcher.proc.pid,
      broker: BROKER_PID ? Number(BROKER_PID) : pidFile(path.join(root, config.SERVICES_DIR, 'kafka/kafka.pid')),
      registry: REGISTRY_PID ? Number(REGISTRY_PID) : pidFile(path.join(root, config.SERVICES_DIR, 'schema-registry/registry.pid')),
      bench: process.pid,
    },
  };
  const report: Record<string, unknown> = { index: INDEX, indexLoadSeconds: loadS, baseline: { url512: baseUrl, inline64k: baseInline } };
  try {
    log('warm-up');
    await throughput(b, clock, 'warm-up', 100, urlMedia, cpu, [hasher, matcher]);
    const tUrl = await throughput(b, clock, '512×512 by URL', COUNT, urlMedia, cpu, [hasher, matcher]);
    const tInline = await throughput(b, clock, 'inline 64 KB', COUNT, inlineMedia, cpu, [hasher, matcher]);
    // Wall-clock rates depend on what else runs on these cores; CPU per item does much less:
    // a dedicated 2-core hasher+matcher machine (broker elsewhere) reaches cores / CPU per item.
    const cores = os.availableParallelism();
    const projected = (r: Rate) => cores / ((r.cpuPerItem.hasher ?? 0) + (r.cpuPerItem.matcher ?? 0));
    const projectedHash = (r: Rate) => cores / r.cpuPerItem.hash;
    report.throughput = {
      url512: tUrl,
      inline64k: tInline,
      wallRatioToBaseline: { url512: tUrl.perSecond / baseUrl.perSecond, inline64k: tInline.perSecond / baseInline.perSecond },
      projectedOnDedicatedCores: {
        url512: { pipeline: projected(tUrl), hashOnly: projectedHash(baseUrl), ratio: projected(tUrl) / projectedHash(baseUrl) },
        inline64k: { pipeline: projected(tInline), hashOnly: projectedHash(baseInline), ratio: projected(tInline) / projectedHash(baseInline) },
      },
    };
    const lUrl = await latency(b, clock, '512×512 by URL', LATENCY_RATE || tUrl.perSecond / 2, LATENCY_S, urlMedia, [hasher, matcher]);
    const lInline = await latency(b, clock, 'inline 64 KB', LATENCY_RATE || tInline.perSecond / 2, LATENCY_S, inlineMedia, [hasher, matcher]);
    report.latencyAtHalfLoad = { url512: lUrl, inline64k: lInline };
    report.machinesFor1000PerSecond = { measured: Math.ceil(1000 / tUrl.perSecond), projectedDedicated: Math.ceil(1000 / projected(tUrl)) };

    if (!SKIP_BACKLOG) {
      // Matcher: a backlog of hashed events, drained with the hasher stopped.
      await stopChild(hasher);
      if (!SKIP_MATCHER_BACKLOG) await matcherBacklog(b, matcher, prefix, report);

      // Hasher: a backlog of URL submissions, consumed for a while.
      log(`backlog: producing ${BACKLOG} URL submissions`);
      for (let i = 0; i < BACKLOG; i += 20_000) {
        const msgs: Array<{ key: string; value: Buffer }> = [];
        for (let k = i; k < Math.min(BACKLOG, i + 20_000); k++) {
          const id = `backlog-sub-${k}`;
          msgs.push({ key: id, value: await b.codec.encode('content.submitted', submission(id, urlMedia(k))) });
        }
        await b.send('content.submitted', msgs);
      }
      hasher = startChild('hasher', env, 9482);
      await waitReady(hasher, 120_000);
      const hs: number[] = [];
      const group = stageGroupId(prefix, 'hasher');
      const name = topicName(prefix, 'content.submitted');
      const lag0 = await withAdmin(b.kafka, async (a) => (await groupLag(a, group, name)).reduce((n, p) => n + p.lag, 0));
      const h0 = Date.now();
      while (Date.now() - h0 < HASHER_BACKLOG_S * 1000) {
        hs.push(rssBytes(hasher.proc.pid));
        await sleep(1000);
      }
      const lag1 = await withAdmin(b.kafka, async (a) => (await groupLag(a, group, name)).reduce((n, p) => n + p.lag, 0));
      log(`hasher with a ${lag0}-event backlog: ${lag0 - lag1} consumed in ${HASHER_BACKLOG_S} s (${((lag0 - lag1) / HASHER_BACKLOG_S).toFixed(1)}/s); ${rssReport(hs)}`);
      report.hasherBacklog = { backlog: lag0, consumed: lag0 - lag1, seconds: HASHER_BACKLOG_S, rss: rssReport(hs) };
    }
  } finally {
    await clock.stop();
    await stopChild(hasher);
    await stopChild(matcher);
    server.closeAllConnections();
    server.close();
    await b.close();
    if (!KEEP) await deleteTopics(b, prefix);
  }
  console.log(JSON.stringify(report, null, 2));
}

async function deleteTopics(b: Bench, prefix: string): Promise<void> {
  await withAdmin(b.kafka, async (admin) => {
    const doomed = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (doomed.length > 0) await admin.deleteTopics({ topics: doomed });
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
