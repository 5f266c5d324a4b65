/**
 * A Kafka broker of the test's own (other ports, its own data directory), started from
 * the same jars as `hma services`, so a test can kill -9 it and start it again without
 * touching the broker every other test shares.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../src/config/config.js';
import { brokerAnswers, startBroker } from '../../../src/backing-services/kafka-broker.js';
import { servicePaths, type ServicePaths } from '../../../src/backing-services/paths.js';
import { isRunning, waitUntilReady, type PidRecord } from '../../../src/backing-services/process-control.js';
import { freePort } from '../../support/ports.js';

export class OwnBroker {
  private rec: PidRecord | undefined;
  private constructor(
    private readonly paths: ServicePaths,
    readonly port: number,
    private readonly controllerPort: number,
  ) {}

  static async create(): Promise<OwnBroker> {
    const shared = servicePaths(loadConfig(process.env));
    const run = await mkdtemp(path.join(os.tmpdir(), 'hma-own-broker-'));
    return new OwnBroker({ run, cache: shared.cache }, await freePort(), await freePort());
  }

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts the broker (on its data directory as it was) and resolves once it answers metadata requests. */
  async start(timeoutMs = 120_000): Promise<void> {
    const cfg = loadConfig({
      ...process.env,
      KAFKA_PORT: String(this.port),
      KAFKA_CONTROLLER_PORT: String(this.controllerPort),
      SERVICES_KAFKA_HEAP: '384m',
    });
    const rec = await startBroker(cfg, this.paths, path.join(this.paths.run, 'kafka.pid'));
    this.rec = rec;
    await waitUntilReady(rec, () => brokerAnswers(this.port), timeoutMs);
  }

  /** kill -9 of the broker's whole process group; resolves once it is gone. */
  async kill(): Promise<void> {
    const rec = this.rec;
    if (!rec) return;
    try {
      process.kill(-rec.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    while (isRunning(rec)) await new Promise((r) => setTimeout(r, 50));
    this.rec = undefined;
  }

  async destroy(): Promise<void> {
    await this.kill();
    await rm(this.paths.run, { recursive: true, force: true });
  }
}
