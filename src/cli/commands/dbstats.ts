/** `hma db stats`: counts of banks, content, signals per type and exchanges. */
import type { Command } from 'commander';
import { loadConfig } from '../../config/config.js';
import { dbStats } from '../../curation/stats.js';
import { createPool } from '../../postgres/pool.js';

/** Adds `stats` to the `db` command group (created by db.ts; created here if absent). */
export function registerDbStatsCommand(program: Command): void {
  const db = program.commands.find((c) => c.name() === 'db') ?? program.command('db').description('the Postgres schema');
  db.command('stats')
    .description('row counts: banks, content, signals per type, exchanges, outbox backlog')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const config = loadConfig(process.env);
      const pool = createPool(config, 'hma-db-stats');
      try {
        const s = await dbStats(pool);
        if (opts.json) {
          console.log(JSON.stringify(s));
          return;
        }
        const signals = Object.entries(s.signals);
        console.log(
          [
            `banks             ${s.banks}`,
            `content           ${s.content}`,
            ...(signals.length === 0 ? ['signals           0'] : signals.map(([t, n]) => `signals ${t.padEnd(10)}${n}`)),
            `exchanges         ${s.exchanges}`,
            `exchange records  ${s.exchange_records}`,
            `outbox backlog    ${s.outbox_backlog}`,
          ].join('\n'),
        );
      } finally {
        await pool.end();
      }
    });
}
