/**
 * A single-node KRaft Kafka broker from the official Apache jars on Maven Central:
 * classpath resolved once, storage formatted once, `kafka.Kafka` run detached.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import type { Config } from '../config/config.js';
import { sharingPlan } from './class-data-sharing.js';
import { resolveClasspath } from './maven.js';
import type { ServicePaths } from './paths.js';
import { spawnDetached, type PidRecord } from './process-control.js';

const run = promisify(execFile);

export type BrokerConfig = Pick<
  Config,
  'KAFKA_PORT' | 'KAFKA_CONTROLLER_PORT' | 'KAFKA_VERSION' | 'SERVICES_KAFKA_HEAP'
>;

export const KAFKA_MARKER = 'kafka.Kafka';

export function brokerDir(paths: ServicePaths): string {
  return path.join(paths.run, 'kafka');
}

/** Kafka 3.9 still logs through log4j 1.x (reload4j); 4.x moved to log4j2 and a new format CLI. */
function runtimeDeps(version: string) {
  if (!/^3\.9\.\d+$/.test(version)) {
    throw new Error(`KAFKA_VERSION=${JSON.stringify(version)}: the local broker scripts support Kafka 3.9.x`);
  }
  return [
    { groupId: 'org.apache.kafka', artifactId: 'kafka_2.13', version },
    { groupId: 'org.slf4j', artifactId: 'slf4j-reload4j', version: '1.7.36' },
    { groupId: 'ch.qos.reload4j', artifactId: 'reload4j', version: '1.2.25' },
  ];
}

export function kafkaClasspath(cfg: BrokerConfig, paths: ServicePaths): Promise<string> {
  return resolveClasspath(path.join(paths.cache, `kafka-${cfg.KAFKA_VERSION}`), runtimeDeps(cfg.KAFKA_VERSION));
}

function serverProperties(cfg: BrokerConfig, dataDir: string): string {
  const host = '127.0.0.1';
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${host}:${cfg.KAFKA_CONTROLLER_PORT}`,
    `listeners=PLAINTEXT://${host}:${cfg.KAFKA_PORT},CONTROLLER://${host}:${cfg.KAFKA_CONTROLLER_PORT}`,
    `advertised.listeners=PLAINTEXT://${host}:${cfg.KAFKA_PORT}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${dataDir}`,
    // One broker: internal topics can only have one replica, or transactions and groups never start.
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'min.insync.replicas=1',
    // Topics are code (topology/topics.ts): a typo in a topic name should fail, not create a topic.
    'auto.create.topics.enable=false',
    // Consumers in tests join at once instead of waiting 3 s for more members.
    'group.initial.rebalance.delay.ms=0',
    'num.network.threads=2',
    'num.io.threads=4',
    'num.recovery.threads.per.data.dir=1',
    '',
  ].join('\n');
}

const log4jProperties = [
  'log4j.rootLogger=INFO, stdout',
  'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
  'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
  // The chattiest loggers, quiet unless something goes wrong.
  'log4j.logger.kafka.request.logger=WARN',
  'log4j.logger.state.change.logger=WARN',
  'log4j.logger.kafka.controller=WARN',
  'log4j.logger.org.apache.kafka.controller=WARN',
  'log4j.logger.kafka.log.LogCleaner=WARN',
  'log4j.logger.org.apache.kafka.storage=WARN',
  'log4j.logger.kafka.coordinator=WARN',
  '',
].join('\n');

/** A Kafka cluster id: 16 random bytes, base64url, never starting with '-' (the CLI would read it as a flag). */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Writes the broker's config and formats its storage on first use. */
async function prepare(cfg: BrokerConfig, paths: ServicePaths, classpath: string): Promise<string> {
  const dir = brokerDir(paths);
  const dataDir = path.join(dir, 'data');
  await mkdir(dataDir, { recursive: true });
  const props = path.join(dir, 'server.properties');
  await writeFile(props, serverProperties(cfg, dataDir));
  await writeFile(path.join(dir, 'log4j.properties'), log4jProperties);
  if (!existsSync(path.join(dataDir, 'meta.properties'))) {
    await run(
      'java',
      [
        '-cp', classpath,
        `-Dlog4j.configuration=file:${path.join(dir, 'log4j.properties')}`,
        'kafka.tools.StorageTool', 'format', '-t', clusterId(), '-c', props, '--ignore-formatted',
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    );
  }
  return props;
}

export async function startBroker(cfg: BrokerConfig, paths: ServicePaths, pidFile: string): Promise<PidRecord> {
  const classpath = await kafkaClasspath(cfg, paths);
  const props = await prepare(cfg, paths, classpath);
  const dir = brokerDir(paths);
  const sharing = await sharingPlan(path.join(paths.cache, 'class-data'), 'kafka', classpath);
  return spawnDetached({
    service: 'kafka',
    command: 'java',
    args: [
      `-Xmx${cfg.SERVICES_KAFKA_HEAP}`,
      '-Xms256m',
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-XX:+ExitOnOutOfMemoryError',
      '-Djava.awt.headless=true',
      ...sharing.jvmFlags,
      `-Dlog4j.configuration=file:${path.join(dir, 'log4j.properties')}`,
      '-cp', classpath,
      KAFKA_MARKER,
      props,
    ],
    marker: KAFKA_MARKER,
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8' },
    logFile: path.join(dir, 'kafka.log'),
    pidFile,
    port: cfg.KAFKA_PORT,
    pendingArchive: sharing.pending,
  });
}

/** True when a broker on the port answers a metadata request. */
export async function brokerAnswers(port: number): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'hma-services-probe',
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 2000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
