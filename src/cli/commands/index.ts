/**
 * Every subcommand of `hma`, one module per group, loaded on demand: `hma services
 * down` loads only the services module, so it starts fast and keeps working even
 * when an unrelated module cannot be loaded.
 */
import type { Command } from 'commander';

type Register = (program: Command) => void;

/** Top-level command names → the module that registers them. */
const groups: ReadonlyArray<{ readonly names: readonly string[]; readonly load: () => Promise<Register> }> = [
  { names: ['api', 'all', 'hasher', 'matcher', 'flood', 'retro-matcher', 'actioner', 'fetcher'], load: async () => (await import('./processes.js')).registerProcessCommands },
  { names: ['services'], load: async () => (await import('./services.js')).registerServicesCommands },
  { names: ['db'], load: async () => (await import('./db.js')).registerDbCommands },
  { names: ['db'], load: async () => (await import('./dbstats.js')).registerDbStatsCommand },
  { names: ['topology'], load: async () => (await import('./topology.js')).registerTopologyCommands },
  { names: ['relay'], load: async () => (await import('./relay.js')).registerRelayCommand },
  { names: ['pipeline'], load: async () => (await import('./pipeline.js')).registerPipelineCommands },
  { names: ['submit'], load: async () => (await import('./submit.js')).registerSubmitCommand },
  { names: ['scan'], load: async () => (await import('./scan.js')).registerScanCommand },
  { names: ['bank'], load: async () => (await import('./bank.js')).registerBankCommands },
  { names: ['hash'], load: async () => (await import('./hash.js')).registerHashCommand },
  { names: ['token'], load: async () => (await import('./token.js')).registerTokenCommands },
  { names: ['secrets'], load: async () => (await import('./secrets.js')).registerSecretsCommands },
];

/** Registers the groups `argv` needs (all of them for help or an unknown command). */
export async function registerCommands(program: Command, argv: readonly string[]): Promise<void> {
  const name = argv.slice(2).find((a) => !a.startsWith('-'));
  const wanted = groups.filter((g) => name !== undefined && g.names.includes(name));
  for (const group of wanted.length > 0 ? wanted : groups) {
    try {
      (await group.load())(program);
    } catch (err) {
      // A broken module must not take the other commands down with it.
      if (wanted.length > 0) throw err;
      console.error(`hma: commands ${group.names.join(', ')} unavailable: ${err instanceof Error ? err.message : err}`);
    }
  }
}
