/**
 * A real Prometheus (Debian's package) for one test: its own port, config and storage
 * in a temp dir, stopped and removed afterwards. Plus promtool, and typed calls to the
 * HTTP API (/api/v1/query, /api/v1/query_range, /api/v1/targets, /api/v1/rules).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { freePort } from '../../support/ports.js';
import type { PrometheusConfig } from './queries.js';

export const PROMETHEUS = process.env.PROMETHEUS_PATH ?? '/usr/bin/prometheus';
export const PROMTOOL = process.env.PROMTOOL_PATH ?? '/usr/bin/promtool';

export function promtool(args: readonly string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(PROMTOOL, args, { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

export interface Series {
  readonly metric: Record<string, string>;
  /** Instant queries: [epoch seconds, value]. */
  readonly value?: [number, string];
  /** Range queries: [[epoch seconds, value], …]. */
  readonly values?: Array<[number, string]>;
}

interface ApiAnswer<T> {
  status: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
}

export interface QueryResult {
  readonly ok: boolean;
  readonly series: readonly Series[];
  /** Prometheus's error when the query is invalid or failed. */
  readonly error?: string;
}

export interface Target {
  readonly labels: Record<string, string>;
  readonly health: 'up' | 'down' | 'unknown';
  readonly lastError: string;
  readonly scrapeUrl: string;
}

export interface RuleState {
  readonly name: string;
  readonly query: string;
  readonly health: string;
  readonly lastError?: string;
  readonly type: string;
}

export interface Prometheus {
  readonly url: string;
  query(promql: string): Promise<QueryResult>;
  queryRange(promql: string, start: number, end: number, stepSeconds: number): Promise<QueryResult>;
  targets(): Promise<Target[]>;
  rules(): Promise<Array<{ name: string; rules: RuleState[] }>>;
  stop(): Promise<void>;
}

async function get<T>(base: string, pathAndQuery: string): Promise<ApiAnswer<T>> {
  const res = await fetch(`${base}${pathAndQuery}`);
  return (await res.json()) as ApiAnswer<T>;
}

async function runQuery(base: string, endpoint: string, params: Record<string, string>): Promise<QueryResult> {
  const answer = await get<{ resultType: string; result: Series[] | [number, string] }>(base, `${endpoint}?${new URLSearchParams(params)}`);
  if (answer.status !== 'success' || !answer.data) return { ok: false, series: [], error: `${answer.errorType}: ${answer.error}` };
  const { resultType, result } = answer.data;
  // A scalar (e.g. time()) is one unlabelled series.
  if (resultType === 'scalar') return { ok: true, series: [{ metric: {}, value: result as [number, string] }] };
  return { ok: true, series: result as Series[] };
}

export async function startPrometheus(config: PrometheusConfig): Promise<Prometheus> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hma-prometheus-'));
  const configFile = path.join(dir, 'prometheus.yml');
  await writeFile(configFile, stringify(config));
  const check = await promtool(['check', 'config', configFile]);
  if (check.code !== 0) throw new Error(`promtool refuses the test's Prometheus config:\n${check.output}`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`prometheus exited with code ${child.exitCode}`);
      const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
      if (ready) break;
      if (Date.now() > deadline) throw new Error('prometheus not ready after 30 s');
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    query: (promql) => runQuery(url, '/api/v1/query', { query: promql }),
    queryRange: (promql, start, end, step) =>
      runQuery(url, '/api/v1/query_range', { query: promql, start: String(start), end: String(end), step: String(step) }),
    async targets() {
      return (await get<{ activeTargets: Target[] }>(url, '/api/v1/targets')).data?.activeTargets ?? [];
    },
    async rules() {
      return (await get<{ groups: Array<{ name: string; rules: RuleState[] }> }>(url, '/api/v1/rules')).data?.groups ?? [];
    },
    stop,
  };
}
