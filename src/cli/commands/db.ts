/** `hma db migrate`: apply (or, in development, roll back) schema migrations. */
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../../config/config.js';
import { migrate } from '../../postgres/migrate.js';

function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('expected a positive integer');
  return Number(value);
}

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('the Postgres schema');
  db.command('migrate')
    .description('apply every pending migration (idempotent)')
    .option('--down <n>', 'roll back the last N migrations instead (development only)', positiveInt)
    .action(async (opts: { down?: number }) => {
      const cfg = loadConfig(process.env);
      if (opts.down !== undefined && cfg.PRODUCTION) {
        throw new Error('hma db migrate --down is refused when PRODUCTION=true');
      }
      const ran = await migrate(cfg, opts.down !== undefined ? { direction: 'down', count: opts.down } : { direction: 'up' });
      const verb = opts.down !== undefined ? 'rolled back' : 'applied';
      console.log(ran.length === 0 ? 'database schema is up to date' : `${verb} ${ran.length}: ${ran.join(', ')}`);
    });
}
