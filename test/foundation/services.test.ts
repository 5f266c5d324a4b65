/**
 * `hma services up|status|down` on a second, private Kafka + registry pair (other ports,
 * another SERVICES_DIR), so stopping it cannot disturb the services the rest of the run uses.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { portOpen } from '../../src/backing-services/process-control.js';
import { servicesDown, servicesUp } from '../../src/backing-services/services.js';
import { runHma } from '../support/cli.js';
import { freePort } from '../support/ports.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids of every process whose command line mentions `needle`. */
async function processesMentioning(needle: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if ((await readFile(`/proc/${entry}/cmdline`, 'utf8')).includes(needle)) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

let dir: string;
let env: NodeJS.ProcessEnv;
let ports: { kafka: number; controller: number; registry: number };

describe('hma services on private ports', () => {
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hma-services-'));
    ports = { kafka: await freePort(), controller: await freePort(), registry: await freePort() };
    env = {
      ...process.env,
      SERVICES_DIR: dir,
      KAFKA_PORT: String(ports.kafka),
      KAFKA_CONTROLLER_PORT: String(ports.controller),
      SCHEMA_REGISTRY_PORT: String(ports.registry),
      SERVICES_KAFKA_HEAP: '512m',
      SERVICES_REGISTRY_HEAP: '256m',
      API_PORT: String(await freePort()),
    };
  });
  afterAll(async () => {
    if (env) await runHma(['services', 'down'], env);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('up starts both and waits for them, status shows them, down leaves no process behind', { timeout: 240_000 }, async () => {
    const up = await runHma(['services', 'up'], env, 200_000);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(up.stdout).toMatch(new RegExp(`^kafka +running +pid \\d+ +127\\.0\\.0\\.1:${ports.kafka} +\\(started in`, 'm'));
    expect(up.stdout).toMatch(new RegExp(`^schema-registry +running +pid \\d+ +http://127\\.0\\.0\\.1:${ports.registry}/apis/ccompat/v7 +\\(started in`, 'm'));

    // Idempotence through the module (the CLI's start-up cost is paid once per step above).
    const again = await servicesUp(loadConfig(env), ['kafka', 'schema-registry']);
    expect(again.map((r) => [r.name, r.outcome])).toEqual([['kafka', 'already-running'], ['schema-registry', 'already-running']]);

    const status = await runHma(['services', 'status'], env);
    expect(status.code, status.stdout).toBe(0);
    const pids = [...status.stdout.matchAll(/^(kafka|schema-registry) +running +pid (\d+)/gm)].map((m) => Number(m[2]));
    expect(pids).toHaveLength(2);
    expect(status.stdout).toMatch(/^postgres +external +postgres:\/\/.*\(databases /m);
    expect(status.stdout).toMatch(/^hma +stopped/m);
    expect(await portOpen(ports.kafka)).toBe(true);
    expect(await portOpen(ports.registry)).toBe(true);

    const down = await runHma(['services', 'down'], env);
    expect(down.code, down.stdout + down.stderr).toBe(0);
    expect(down.stdout).toMatch(/^kafka +(stopped|killed)$/m);
    expect(down.stdout).toMatch(/^schema-registry +(stopped|killed)$/m);
    for (const pid of pids) expect(alive(pid), `pid ${pid}`).toBe(false);
    expect(await portOpen(ports.kafka)).toBe(false);
    expect(await portOpen(ports.controller)).toBe(false);
    expect(await portOpen(ports.registry)).toBe(false);
    expect(await processesMentioning(dir)).toEqual([]);

    const after = await runHma(['services', 'status'], env);
    expect(after.code).toBe(1);
    expect(after.stdout).toMatch(/^kafka +stopped/m);
    expect(after.stdout).toMatch(/^schema-registry +stopped/m);
    const downAgain = await servicesDown(loadConfig(env));
    expect(downAgain.map((r) => r.outcome)).toEqual(['not-running', 'not-running', 'not-running']);
  });

  it('refuses to start on ports other programs hold, saying so', async () => {
    const squat = async () => {
      const server = net.createServer().listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      return { server, port: (server.address() as net.AddressInfo).port };
    };
    const [a, b] = [await squat(), await squat()];
    try {
      const up = await runHma(['services', 'up'], { ...env, KAFKA_PORT: String(a.port), SCHEMA_REGISTRY_PORT: String(b.port) });
      expect(up.code).not.toBe(0);
      expect(up.stderr).toContain(`kafka: port ${a.port} is taken by another program`);
      expect(up.stderr).toContain(`schema-registry: port ${b.port} is taken by another program`);
    } finally {
      a.server.close();
      b.server.close();
    }
  }, 240_000);
});
