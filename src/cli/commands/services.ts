/** `hma services up|down|status`: the local Kafka, schema registry and Postgres databases. */
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../config/config.js';
import {
  appUp,
  servicesDown,
  servicesStatus,
  servicesUp,
  type ServiceStatus,
  type StartReport,
} from '../../backing-services/services.js';
import { tail } from '../../backing-services/process-control.js';
import { servicePaths } from '../../backing-services/paths.js';

function line(s: ServiceStatus, extra = ''): string {
  const pid = s.pid !== undefined ? `pid ${s.pid}` : '';
  const cols = [s.name.padEnd(16), s.state.padEnd(13), pid.padEnd(11), s.endpoint];
  const notes = [s.detail, extra, s.log ? `log ${s.log}` : undefined].filter(Boolean).join('; ');
  return `${cols.join(' ')}${notes ? `  (${notes})` : ''}`;
}

function reportLine(r: StartReport): string {
  const what = r.outcome === 'started' ? `started in ${r.seconds}s` : r.outcome === 'already-running' ? 'already running' : '';
  return line(r, what);
}

export function registerServicesCommands(program: Command): void {
  const services = program.command('services').description('local backing services: Kafka, schema registry, Postgres databases');

  services
    .command('up')
    .description('start Kafka and the schema registry if not running, create the databases; waits until each answers')
    .option('--app', 'then also start `hma all` in development mode, detached (what `npm start` does)')
    .action(async (opts: { app?: boolean }) => {
      const cfg = loadConfig(process.env);
      for (const r of await servicesUp(cfg)) {
        // With --app (second step of `npm start`) the backing services were just listed.
        if (!opts.app || r.outcome === 'started') console.log(reportLine(r));
      }
      if (!opts.app) return;
      try {
        const app = await appUp(cfg);
        console.log(reportLine(app));
        const base = `http://localhost:${cfg.API_PORT}`;
        console.log(`\nAPI: ${base}/   (status: ${base}/status, metrics: ${base}/metrics)`);
        console.log(`UI:  ${base}/ui/`);
      } catch (err) {
        const log = path.join(servicePaths(cfg).run, 'hma', 'hma.log');
        if (tail(log).includes('not implemented yet')) {
          // Until the process composition lands, the backing stack is still useful on its own.
          console.log('hma all: not implemented yet; Kafka, the registry and Postgres are ready for it');
          return;
        }
        throw err;
      }
    });

  services
    .command('down')
    .description('stop the hma process, the schema registry and Kafka started by `services up`; leaves no process behind')
    .action(async () => {
      const cfg = loadConfig(process.env);
      let leftovers = 0;
      for (const r of await servicesDown(cfg)) {
        const note = r.stillAnswering ? '  (something not started by us still listens on its port)' : '';
        if (r.stillAnswering && r.outcome !== 'not-running') leftovers++;
        console.log(`${r.name.padEnd(16)} ${r.outcome}${note}`);
      }
      if (leftovers > 0) process.exitCode = 1;
    });

  services
    .command('status')
    .description('state of each service; exit code 1 when Kafka, the registry or Postgres is not usable')
    .action(async () => {
      const cfg = loadConfig(process.env);
      const all = await servicesStatus(cfg);
      for (const s of all) console.log(line(s));
      const usable = (s: ServiceStatus) => s.state === 'running' || s.state === 'external';
      if (all.filter((s) => s.name !== 'hma').some((s) => !usable(s))) process.exitCode = 1;
    });
}
