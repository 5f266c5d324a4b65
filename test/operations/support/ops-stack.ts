/**
 * The whole stack as separate `hma` processes, as docker-compose.yml runs it: api,
 * hasher, matcher, fetcher, relay, flood (each on its own port) plus an actioner, on a scratch
 * slice of Kafka and Postgres; a local media server for the submissions; and the
 * test's own runtime to submit content and write to topics.
 */
import { readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Runtime } from '../../../src/runtime/runtime.js';
import { Submitter } from '../../../src/pipeline/submit/submitter.js';
import { mediaServer, type MediaServer, type Route } from '../../pipeline/support/media-server.js';
import { HmaProcess } from '../../pipeline/support/processes.js';
import { freePort } from '../../support/ports.js';
import { scratchStack, type Stack } from '../../support/stack.js';

export const PDQ_DATA = '/work/shared/testdata/pdq/pdq-data';
/** bridge-mods/aaa-orig.jpg: its near-duplicates in bridge-mods match it. */
export const ORIG_PDQ = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';

export type ProcessName = 'api' | 'hasher' | 'matcher' | 'fetcher' | 'relay' | 'flood' | 'actioner';

/** The scrape job of grafana/prometheus.yml that scrapes each process (the actioner is not in docker-compose.yml). */
export const jobOf: Readonly<Partial<Record<ProcessName, string>>> = {
  api: 'hma-api',
  hasher: 'hma-hasher',
  matcher: 'hma-matcher',
  fetcher: 'hma-fetcher',
  relay: 'hma-relay',
  flood: 'hma-flood',
};

export interface RunningHma {
  readonly process: HmaProcess;
  /** Where it serves /metrics and /status. */
  readonly url: string;
  readonly port: number;
}

export interface OpsStack {
  readonly stack: Stack;
  readonly runtime: Runtime;
  readonly submitter: Submitter;
  readonly media: MediaServer;
  readonly processes: Readonly<Record<ProcessName, RunningHma>>;
  /** Paths the media server serves: near-duplicates of ORIG_PDQ, other photos, and one that 404s. */
  readonly images: { readonly matching: string[]; readonly other: string[]; readonly missing: string };
  stop(): Promise<void>;
}

/** Settings that keep the stack quick to start and react, and its hash pools small (2 shared cores). */
const quickEnv = {
  API_HOST: '127.0.0.1',
  HASH_WORKERS: '1',
  URL_ALLOW_LOOPBACK: 'true',
  FETCHER_INTERVAL_SECONDS: '5',
  FETCHER_BACKOFF_BASE_SECONDS: '2',
  FETCHER_BACKOFF_MAX_SECONDS: '5',
  OUTBOX_RELAY_POLL_MS: '200',
  PIPELINE_SESSION_TIMEOUT_MS: '6000',
  PIPELINE_TRANSACTION_TIMEOUT_MS: '10000',
  PIPELINE_RETRY_ATTEMPTS: '2',
  PIPELINE_RETRY_BACKOFF_MS: '50',
};

export async function startOpsStack(label: string): Promise<OpsStack> {
  const stack = await scratchStack(label, quickEnv);
  const routes: Record<string, Route> = {};
  const matching: string[] = [];
  for (const f of readdirSync(path.join(PDQ_DATA, 'bridge-mods')).filter((f) => f.endsWith('.jpg'))) {
    routes[`/near/${f}`] = { file: path.join(PDQ_DATA, 'bridge-mods', f) };
    matching.push(`/near/${f}`);
  }
  const other: string[] = [];
  for (const f of ['small.jpg', 'wee.jpg', 'c.png']) {
    routes[`/other/${f}`] = { file: path.join(PDQ_DATA, 'misc-images', f), type: f.endsWith('.png') ? 'image/png' : 'image/jpeg' };
    other.push(`/other/${f}`);
  }
  const media = await mediaServer(routes);

  const rules = path.join(os.tmpdir(), `hma-ops-rules-${process.pid}.yaml`);
  await writeFile(rules, 'rules:\n  - name: audit\n    action: { type: log }\n');
  const commands: Record<ProcessName, string[]> = {
    api: ['api'],
    hasher: ['hasher'],
    matcher: ['matcher'],
    fetcher: ['fetcher'],
    relay: ['relay'],
    flood: ['flood'],
    actioner: ['actioner', '--rules', rules],
  };
  const processes = {} as Record<ProcessName, RunningHma>;
  for (const [name, command] of Object.entries(commands) as Array<[ProcessName, string[]]>) {
    const port = await freePort();
    const portVar = name === 'api' ? { API_PORT: String(port) } : { METRICS_PORT: String(port) };
    const p = new HmaProcess(command, { ...stack.env, ...portVar, HMA_INSTANCE_ID: `ops-${name}-${process.pid}` });
    p.start();
    processes[name] = { process: p, url: `http://127.0.0.1:${port}`, port };
  }
  const runtime = new Runtime(stack.config, 'ops-test');
  const submitter = new Submitter(runtime);
  return {
    stack,
    runtime,
    submitter,
    media,
    processes,
    images: { matching, other, missing: '/missing.jpg' },
    async stop() {
      await submitter.close();
      await Promise.all(Object.values(processes).map((p) => p.process.stop()));
      await runtime.stop();
      await media.close();
      await stack.drop();
    },
  };
}

/** Polls `cond` every 250 ms until it holds; throws naming `what` after `ms`. */
export async function until(cond: () => Promise<boolean>, what: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
