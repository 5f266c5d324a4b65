/**
 * Apicurio Registry (Confluent-compatible API under /apis/ccompat/v7) from its `all`
 * assembly on Maven Central, unpacked once into CACHE_DIR, storing schemas in Postgres.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/config.js';
import { sharingPlan } from './class-data-sharing.js';
import { databaseName, ensureDatabases } from './postgres.js';
import { fetchArtifact, unpackTarGz } from './maven.js';
import type { ServicePaths } from './paths.js';
import { spawnDetached, type PidRecord } from './process-control.js';

export type RegistryConfig = Pick<
  Config,
  'SCHEMA_REGISTRY_PORT' | 'APICURIO_VERSION' | 'SERVICES_REGISTRY_HEAP' | 'SCHEMA_REGISTRY_STORAGE' | 'DATABASE_URL' | 'DATABASE_SSL'
>;

/** The registry's own database beside the application's: `hma` → `hma_registry`. */
export function registryDatabaseName(databaseUrl: string): string {
  return `${databaseName(databaseUrl).replace(/_test$/, '')}_registry`;
}

/**
 * Storage settings. Schema ids are written into every Kafka message, so a registry that
 * forgot its schemas on restart would make the compacted topics undecodable: keep them
 * in Postgres unless memory is asked for.
 */
async function storageEnv(cfg: RegistryConfig): Promise<Record<string, string>> {
  if (cfg.SCHEMA_REGISTRY_STORAGE === 'memory') return { APICURIO_STORAGE_KIND: 'sql', APICURIO_STORAGE_SQL_KIND: 'h2' };
  const name = registryDatabaseName(cfg.DATABASE_URL);
  await ensureDatabases(cfg, [name]);
  const u = new URL(cfg.DATABASE_URL);
  return {
    APICURIO_STORAGE_KIND: 'sql',
    APICURIO_STORAGE_SQL_KIND: 'postgresql',
    APICURIO_DATASOURCE_URL: `jdbc:postgresql://${u.hostname}:${u.port || '5432'}/${name}${cfg.DATABASE_SSL ? '?sslmode=require' : ''}`,
    APICURIO_DATASOURCE_USERNAME: decodeURIComponent(u.username) || 'postgres',
    APICURIO_DATASOURCE_PASSWORD: decodeURIComponent(u.password),
  };
}

export const REGISTRY_MARKER = 'apicurio-registry-app';
export const CCOMPAT_PATH = '/apis/ccompat/v7';

function runnerJar(dir: string, version: string): string {
  return path.join(dir, `apicurio-registry-app-${version}-runner.jar`);
}

/** The unpacked assembly's folder, fetching and unpacking it on first use. */
export async function ensureRegistryInstalled(cfg: RegistryConfig, paths: ServicePaths): Promise<string> {
  const dir = path.join(paths.cache, `apicurio-registry-${cfg.APICURIO_VERSION}`);
  if (existsSync(path.join(dir, '.unpacked')) && existsSync(runnerJar(dir, cfg.APICURIO_VERSION))) return dir;
  const downloads = path.join(paths.cache, 'downloads');
  const archive = await fetchArtifact(
    { groupId: 'io.apicurio', artifactId: 'apicurio-registry-app', version: cfg.APICURIO_VERSION, type: 'tar.gz', classifier: 'all' },
    downloads,
  );
  await unpackTarGz(archive, dir);
  await rm(archive, { force: true }); // ~/.m2 keeps the original
  if (!existsSync(runnerJar(dir, cfg.APICURIO_VERSION))) {
    throw new Error(`the Apicurio ${cfg.APICURIO_VERSION} assembly has no runner jar at ${runnerJar(dir, cfg.APICURIO_VERSION)}`);
  }
  return dir;
}

export async function startRegistry(cfg: RegistryConfig, paths: ServicePaths, pidFile: string): Promise<PidRecord> {
  const installDir = await ensureRegistryInstalled(cfg, paths);
  const logDir = path.join(paths.run, 'schema-registry');
  const jar = runnerJar(installDir, cfg.APICURIO_VERSION);
  const sharing = await sharingPlan(path.join(paths.cache, 'class-data'), 'schema-registry', jar);
  const storage = await storageEnv(cfg);
  return spawnDetached({
    service: 'schema-registry',
    command: 'java',
    args: [
      `-Xmx${cfg.SERVICES_REGISTRY_HEAP}`,
      // Clients cache schema ids, so the registry's throughput hardly matters; its start-up
      // time does, and C1-only with the serial collector halves it on two cores.
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      '-XX:+ExitOnOutOfMemoryError',
      '-Djava.awt.headless=true',
      ...sharing.jvmFlags,
      '-jar',
      jar,
    ],
    marker: REGISTRY_MARKER,
    cwd: installDir,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LANG: 'C.UTF-8',
      QUARKUS_HTTP_HOST: '127.0.0.1',
      QUARKUS_HTTP_PORT: String(cfg.SCHEMA_REGISTRY_PORT),
      ...storage,
      // Lets tests and `hma topology` delete the subjects they created.
      APICURIO_REST_DELETION_ARTIFACT_ENABLED: 'true',
      APICURIO_REST_DELETION_ARTIFACT_VERSION_ENABLED: 'true',
      APICURIO_REST_DELETION_GROUP_ENABLED: 'true',
      QUARKUS_LOG_CATEGORY__APICURIO_REGISTRY_ACCESS__LEVEL: 'WARN',
      QUARKUS_LOG_CONSOLE_COLOR: 'false',
    },
    logFile: path.join(logDir, 'registry.log'),
    pidFile,
    port: cfg.SCHEMA_REGISTRY_PORT,
    pendingArchive: sharing.pending,
  });
}

/** True when the registry's Confluent-compatible API answers. */
export async function registryAnswers(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${CCOMPAT_PATH}/subjects`, { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}
