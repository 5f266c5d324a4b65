/** Long-running processes: api, hasher, matcher, flood, retro-matcher, fetcher, actioner, all (composed in src/processes/). */
import type { Command } from 'commander';
import { config } from '../../config/config.js';
import { runActioner } from '../../processes/actioner.js';
import { startAll } from '../../processes/all.js';
import { startApi } from '../../processes/api.js';
import { fetchAllOnce, startFetcher } from '../../processes/fetcher.js';
import { runHasher } from '../../processes/hasher.js';
import { runFlood } from '../../processes/flood.js';
import { runMatcher } from '../../processes/matcher.js';
import { runRetroMatcher } from '../../processes/retro-matcher.js';
import { runComposed } from '../../runtime/process.js';

export function registerProcessCommands(program: Command): void {
  program
    .command('api')
    .description('run the HTTP API (/h, /m, /c, /ui as the ROLE_* settings say) with its index replica')
    .action(() => runComposed(config(), 'api', async (rt) => void (await startApi(rt))));
  program
    .command('all')
    .description('run the whole stack in one process (development): API, fetcher, hasher, matcher, retro-matcher, and an actioner with --rules')
    .option('--rules <file>', 'also run the reference actioner with this rules file')
    .action((opts: { rules?: string }) => runComposed(config(), 'all', (rt) => startAll(rt, opts)));
  program
    .command('matcher')
    .description('run a matcher: consumes content.hashed once its index replica is loaded, produces match.results (exactly once)')
    .action(async () => void (await runMatcher(config())));
  program
    .command('flood')
    .description('run a flood counter: counts match.results per bank content in Postgres, quarantines an entry whose matches flood (FLOOD_*)')
    .action(async () => void (await runFlood(config())));
  program
    .command('retro-matcher')
    .description('run the retro-matcher: matches each added or enabled signal against content hashed within RETRO_WINDOW_HOURS, produces retroactive match.results (exactly once)')
    .action(async () => void (await runRetroMatcher(config())));
  program
    .command('actioner')
    .description('run the reference actioner: match.results → webhooks, topics or logs, as a rules file says')
    .requiredOption('--rules <file>', 'rules file (YAML or JSON)')
    .action(async (opts: { rules: string }) => void (await runActioner(config(), opts.rules)));
  program
    .command('hasher')
    .description('run a hasher: consumes content.submitted, fetches and hashes media on the worker pool, produces content.hashed (exactly once)')
    .action(async () => void (await runHasher(config())));
  program
    .command('fetcher')
    .description('run the fetcher: fetches every enabled exchange on its schedule into its bank (one fetcher per exchange at a time)')
    .option('--once', 'fetch every enabled exchange once (up to FETCHER_RUN_TIME_LIMIT_SECONDS each) and exit')
    .action(async (opts: { once?: boolean }) => {
      if (opts.once) await fetchAllOnce(config());
      else await runComposed(config(), 'fetcher', async (rt) => void (await startFetcher(rt, { sidecar: true })));
    });
}
