/** `hma topology apply [--fix]`: topics as in topology/topics.ts, value schemas registered. */
import type { Command } from 'commander';
import { loadConfig } from '../../config/config.js';
import { createKafka, withAdmin } from '../../kafka/client.js';
import { registerSchemas } from '../../kafka/registry.js';
import { applyTopics, type Drift } from '../../kafka/topology.js';

/** Exit code when drift is left (distinct from 1, a failure to run at all). */
export const DRIFT_EXIT_CODE = 4;

function describe(d: Drift): string {
  const what = `${d.topic}: ${d.setting} is ${d.actual}, topology says ${d.expected}`;
  return d.fix === 'manual' ? `${what} — cannot fix here: ${d.why}` : `${what} — fixable with --fix`;
}

export function registerTopologyCommands(program: Command): void {
  const topology = program.command('topology').description('Kafka topics and their value schemas, as code');
  topology
    .command('apply')
    .description('create missing topics, report drift (non-zero exit), register value schemas with compatibility BACKWARD')
    .option('--fix', 'also fix drift Kafka can change in place (topic configs, more partitions)')
    .action(async (opts: { fix?: boolean }) => {
      const cfg = loadConfig(process.env);
      const report = await withAdmin(createKafka(cfg, 'topology'), (admin) => applyTopics(admin, cfg, { fix: opts.fix === true }));
      for (const t of report.created) console.log(`created   ${t}`);
      for (const t of report.unchanged) console.log(`ok        ${t}`);
      for (const d of report.fixed) console.log(`fixed     ${d.topic}: ${d.setting} ${d.actual} → ${d.expected}`);
      for (const d of report.remaining) console.log(`DRIFT     ${describe(d)}`);
      for (const r of await registerSchemas(cfg)) {
        const note = r.compatibilityWas ? ` (compatibility was ${r.compatibilityWas}, now BACKWARD)` : '';
        console.log(`schema    ${r.subject} id ${r.id}${note}`);
      }
      if (report.remaining.length > 0) {
        console.error(`${report.remaining.length} drift item(s) left${opts.fix ? '' : '; run `hma topology apply --fix`'}`);
        process.exitCode = DRIFT_EXIT_CODE;
      }
    });
}
