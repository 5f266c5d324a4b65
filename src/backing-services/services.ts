/**
 * `hma services up|down|status`: the local Kafka broker and schema registry we run
 * ourselves, the machine's Postgres we only check, and the detached `hma all` that
 * `npm start` launches. Every operation is idempotent.
 */
import path from 'node:path';
import type { Config } from '../config/config.js';
import { promoteArchive } from './class-data-sharing.js';
import { brokerAnswers, startBroker } from './kafka-broker.js';
import { servicePaths, type ServicePaths } from './paths.js';
import {
  databaseName,
  ensureDatabases,
  existingDatabases,
  postgresAnswers,
  startLocalCluster,
  testDatabaseName,
} from './postgres.js';
import { isRunning, portOpen, readPidFile, stopProcess, waitUntilReady, type PidRecord } from './process-control.js';
import { CCOMPAT_PATH, registryAnswers, startRegistry } from './schema-registry.js';
import { appAnswers, startApp, APP_SERVICE } from './app-process.js';

export type ManagedName = 'kafka' | 'schema-registry' | typeof APP_SERVICE;
export type ServiceName = ManagedName | 'postgres';

export type ServiceState =
  /** ours, alive and answering */
  | 'running'
  /** something else answers on the port (not started by these scripts); used as is */
  | 'external'
  | 'stopped'
  /** ours and alive, but not answering (starting, or hung) */
  | 'unresponsive';

export interface ServiceStatus {
  readonly name: ServiceName;
  readonly state: ServiceState;
  readonly endpoint: string;
  readonly pid?: number;
  readonly log?: string;
  readonly detail?: string;
}

interface Managed {
  readonly name: ManagedName;
  readonly port: number;
  readonly endpoint: string;
  readonly pidFile: string;
  readonly answers: () => Promise<boolean>;
  readonly start: () => Promise<PidRecord>;
  readonly readyTimeoutMs: number;
  /** How long a SIGTERM may take before SIGKILL (Kafka's controlled shutdown needs a few seconds). */
  readonly graceMs: number;
}

export type ServicesConfig = Config;

function managed(cfg: ServicesConfig, paths: ServicePaths): Record<ManagedName, Managed> {
  return {
    kafka: {
      name: 'kafka',
      port: cfg.KAFKA_PORT,
      endpoint: `127.0.0.1:${cfg.KAFKA_PORT}`,
      pidFile: path.join(paths.run, 'kafka', 'kafka.pid'),
      answers: () => brokerAnswers(cfg.KAFKA_PORT),
      start: () => startBroker(cfg, paths, path.join(paths.run, 'kafka', 'kafka.pid')),
      readyTimeoutMs: 90_000,
      graceMs: 20_000,
    },
    'schema-registry': {
      name: 'schema-registry',
      port: cfg.SCHEMA_REGISTRY_PORT,
      endpoint: `http://127.0.0.1:${cfg.SCHEMA_REGISTRY_PORT}${CCOMPAT_PATH}`,
      pidFile: path.join(paths.run, 'schema-registry', 'registry.pid'),
      answers: () => registryAnswers(cfg.SCHEMA_REGISTRY_PORT),
      start: () => startRegistry(cfg, paths, path.join(paths.run, 'schema-registry', 'registry.pid')),
      readyTimeoutMs: 120_000,
      graceMs: 10_000,
    },
    [APP_SERVICE]: {
      name: APP_SERVICE,
      port: cfg.API_PORT,
      endpoint: `http://127.0.0.1:${cfg.API_PORT}/`,
      pidFile: path.join(paths.run, APP_SERVICE, 'hma.pid'),
      answers: () => appAnswers(cfg.API_PORT),
      start: () => startApp(paths, path.join(paths.run, APP_SERVICE, 'hma.pid')),
      readyTimeoutMs: 120_000,
      graceMs: 15_000,
    },
  };
}

async function statusOf(m: Managed): Promise<ServiceStatus> {
  const rec = await readPidFile(m.pidFile);
  const ours = rec !== undefined && isRunning(rec);
  const answers = await m.answers();
  const base = { name: m.name, endpoint: m.endpoint };
  if (ours) {
    return { ...base, state: answers ? 'running' : 'unresponsive', pid: rec.pid, log: rec.log };
  }
  if (answers) return { ...base, state: 'external', detail: 'not started by hma services' };
  return { ...base, state: 'stopped' };
}

export type StartOutcome = 'started' | 'already-running' | 'external';

export interface StartReport extends ServiceStatus {
  readonly outcome: StartOutcome;
  readonly seconds: number;
}

async function ensureUp(m: Managed): Promise<StartReport> {
  const t0 = performance.now();
  const seconds = () => Math.round((performance.now() - t0) / 100) / 10;
  const rec = await readPidFile(m.pidFile);
  if (rec && isRunning(rec)) {
    await waitUntilReady(rec, m.answers, m.readyTimeoutMs);
    return { name: m.name, endpoint: m.endpoint, state: 'running', pid: rec.pid, log: rec.log, outcome: 'already-running', seconds: seconds() };
  }
  if (await m.answers()) {
    return { name: m.name, endpoint: m.endpoint, state: 'external', outcome: 'external', seconds: seconds(), detail: 'not started by hma services' };
  }
  if (await portOpen(m.port)) {
    throw new Error(`${m.name}: port ${m.port} is taken by another program that is not a ${m.name}; free it or choose another port`);
  }
  const started = await m.start();
  await waitUntilReady(started, m.answers, m.readyTimeoutMs);
  return { name: m.name, endpoint: m.endpoint, state: 'running', pid: started.pid, log: started.log, outcome: 'started', seconds: seconds() };
}

export type BackingService = 'kafka' | 'schema-registry' | 'postgres';
export const backingServices: readonly BackingService[] = ['kafka', 'schema-registry', 'postgres'];

/** The databases `services up` creates: the application's and the test one. */
export function requiredDatabases(cfg: Pick<Config, 'DATABASE_URL'>): string[] {
  const name = databaseName(cfg.DATABASE_URL);
  return [...new Set([name, testDatabaseName(name)])];
}

async function ensurePostgres(cfg: ServicesConfig): Promise<StartReport> {
  const t0 = performance.now();
  const endpoint = redactUrl(cfg.DATABASE_URL);
  if (!(await postgresAnswers(cfg)) && !(await startLocalCluster(cfg))) {
    throw new Error(`postgres: nothing answers at ${endpoint}; the scripts use an existing Postgres server, start it first`);
  }
  const created = await ensureDatabases(cfg, requiredDatabases(cfg));
  return {
    name: 'postgres',
    endpoint,
    state: 'external',
    outcome: 'external',
    seconds: Math.round((performance.now() - t0) / 100) / 10,
    detail: created.length > 0 ? `created databases ${created.join(', ')}` : `databases ${requiredDatabases(cfg).join(', ')} exist`,
  };
}

/** Starts what is not running (in parallel) and waits until each answers. */
export async function servicesUp(cfg: ServicesConfig, only: readonly BackingService[] = backingServices): Promise<StartReport[]> {
  const m = managed(cfg, servicePaths(cfg));
  const jobs = only.map((name) => (name === 'postgres' ? ensurePostgres(cfg) : ensureUp(m[name])));
  const results = await Promise.allSettled(jobs);
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason instanceof Error ? r.reason.message : String(r.reason)] : []));
  if (failures.length > 0) throw new Error(failures.join('\n'));
  return results.map((r) => (r as PromiseFulfilledResult<StartReport>).value);
}

/** Starts `hma all` detached (development mode) once the backing services are up. */
export async function appUp(cfg: ServicesConfig): Promise<StartReport> {
  return ensureUp(managed(cfg, servicePaths(cfg))[APP_SERVICE]);
}

export interface StopReport {
  readonly name: ManagedName;
  readonly outcome: 'stopped' | 'killed' | 'not-running';
  /** Set when something still answers on the port afterwards (an external service we leave alone). */
  readonly stillAnswering: boolean;
}

/** Stops the hma process first (it is a client of the others), then the registry and the broker. */
export async function servicesDown(cfg: ServicesConfig): Promise<StopReport[]> {
  const m = managed(cfg, servicePaths(cfg));
  const stop = async (s: Managed): Promise<StopReport> => {
    const rec = await readPidFile(s.pidFile);
    // A JVM dumping its class-data archive at exit needs longer to stop, once.
    const grace = rec?.pendingArchive ? Math.max(s.graceMs, 60_000) : s.graceMs;
    const outcome = rec ? await stopProcess(rec, s.pidFile, grace) : 'not-running';
    if (outcome === 'stopped' && rec?.pendingArchive) await promoteArchive(rec.pendingArchive);
    return { name: s.name, outcome, stillAnswering: await portOpen(s.port) };
  };
  const app = await stop(m[APP_SERVICE]);
  const rest = await Promise.all([stop(m['schema-registry']), stop(m.kafka)]);
  return [app, ...rest];
}

export async function servicesStatus(cfg: ServicesConfig): Promise<ServiceStatus[]> {
  const m = managed(cfg, servicePaths(cfg));
  const [kafka, registry, app] = await Promise.all([statusOf(m.kafka), statusOf(m['schema-registry']), statusOf(m[APP_SERVICE])]);
  return [kafka, registry, await postgresStatus(cfg), app];
}

async function postgresStatus(cfg: ServicesConfig): Promise<ServiceStatus> {
  const endpoint = redactUrl(cfg.DATABASE_URL);
  if (!(await postgresAnswers(cfg))) return { name: 'postgres', state: 'stopped', endpoint, detail: 'not reachable' };
  const wanted = requiredDatabases(cfg);
  const have = await existingDatabases(cfg, wanted);
  const missing = wanted.filter((d) => !have.includes(d));
  return {
    name: 'postgres',
    state: 'external',
    endpoint,
    detail: missing.length > 0 ? `missing databases ${missing.join(', ')}` : `databases ${wanted.join(', ')}`,
  };
}

/** A connection URL without its password, for printing. */
export function redactUrl(u: string): string {
  const url = new URL(u);
  if (url.password) url.password = '***';
  return url.toString();
}
