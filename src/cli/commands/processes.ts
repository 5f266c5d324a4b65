/** Long-running processes: api, hasher, matcher, fetcher, actioner, all. */
import type { Command } from 'commander';
import { config } from '../../config/config.js';
import { fetchAllOnce, startFetcher } from '../../exchanges/fetcher/run.js';
import { startApi } from '../../processes/api.js';
import { runActioner, startActioner } from '../../pipeline/actioner/actioner.js';
import { runHasher, startHasher } from '../../pipeline/hasher/hasher.js';
import { runMatcher, startMatcher } from '../../pipeline/matcher/matcher.js';
import { startingReason } from '../../runtime/health.js';
import { Runtime, stopOnSignals } from '../../runtime/runtime.js';
import type { StartedPart } from '../../pipeline/stage/process.js';

/** Starts a process's parts in one runtime; a failure to start stops what did start. */
async function run(name: string, start: (runtime: Runtime) => Promise<void>): Promise<void> {
  const runtime = new Runtime(config(), name);
  stopOnSignals(runtime);
  try {
    await start(runtime);
  } catch (err) {
    runtime.logger.fatal({ err }, `${name} failed to start`);
    await runtime.stop();
    process.exit(1);
  }
}

export function registerProcessCommands(program: Command): void {
  program
    .command('api')
    .description('run the HTTP API (/h, /m, /c, /ui as the ROLE_* settings say) with its index replica')
    .action(() => run('api', async (rt) => void (await startApi(rt))));
  program
    .command('all')
    .description('run the whole stack in one process (development): API, fetcher, hasher, matcher, and an actioner with --rules')
    .option('--rules <file>', 'also run the reference actioner with this rules file')
    .action((opts: { rules?: string }) =>
      run('all', async (rt) => {
        const api = await startApi(rt);
        await startFetcher(rt);
        console.log(`hma-stream is up: UI ${api.url}/ui/  API ${api.url}`);
        // The pipeline parts wait for Kafka if it is down, while the API serves what needs only
        // Postgres; /status says which part is not running yet and why.
        // One hashing pool and one index replica for the whole process.
        const parts: Array<[string, () => Promise<StartedPart>]> = [
          ['hasher', () => startHasher(rt, api.hasher)],
          ['matcher', () => startMatcher(rt, api.matching)],
          ...(opts.rules ? [['actioner', () => startActioner(rt, opts.rules!)] as [string, () => Promise<StartedPart>]] : []),
        ];
        for (const [name, start] of parts) {
          let started: StartedPart | undefined;
          api.addReadiness(() => (started ? started.readiness() : startingReason(rt, name)));
          void start().then(
            (p) => (started = p),
            (err: unknown) => {
              rt.logger.fatal({ err }, `${name} failed to start`);
              void rt.stop().finally(() => process.exit(1));
            },
          );
        }
      }),
    );
  program
    .command('matcher')
    .description('run a matcher: consumes content.hashed once its index replica is loaded, produces match.results (exactly once)')
    .action(async () => void (await runMatcher(config())));
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
      else await run('fetcher', async (rt) => void (await startFetcher(rt, { sidecar: true })));
    });
}
